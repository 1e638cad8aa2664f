#!/usr/bin/env bash
# Nightly retrain, for cron or any scheduler: one run per UTC day, resumable, with exit codes to alert on.
#
#   submit/nightly.sh [job options]          e.g. submit/nightly.sh --data hdfs:///data/mnist --output hdfs:///models/mnist
#
# It runs the job through $SUBMIT (default submit/run-local.sh; on a cluster e.g. submit/submit-yarn.sh) with
#   --run-id <UTC date>        rerunning the same day resumes from that run's last checkpoint
#   --min-accuracy, --max-regression   the quality gate that decides promotion to CURRENT
#   --keep-runs                retention
# Options given on the command line come last and win. The store's lock (<output>/_LOCK) keeps two runs with the
# same --output from overlapping.
#
# Environment (defaults): SUBMIT (submit/run-local.sh), RUN_ID (UTC date, YYYY-MM-DD), MIN_ACCURACY (0.97),
#                         MAX_REGRESSION (0.005), KEEP_RUNS (14)
#
# Exit codes, for alerting:
#   0  trained, evaluated, promoted to CURRENT
#   3  trained and kept, but NOT promoted by the quality gate (look at the run's metrics.json "gate")
#   2  bad input or usage, the run id already completed today, or the store is locked by a run still active
#   1  any other failure: rerun the same command to resume from the last checkpoint
#
# crontab (02:00 UTC every night, log per day):
#   0 2 * * *  cd /opt/sparklstm && SUBMIT=submit/submit-yarn.sh submit/nightly.sh --output hdfs:///models/mnist >> /var/log/sparklstm/$(date -u +\%F).log 2>&1
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
submit=${SUBMIT:-$root/submit/run-local.sh}
run_id=${RUN_ID:-$(date -u +%Y-%m-%d)}

echo "nightly: run $run_id via $submit at $(date -u +%FT%TZ)" >&2
set +e
"$submit" --run-id "$run_id" \
  --min-accuracy "${MIN_ACCURACY:-0.97}" \
  --max-regression "${MAX_REGRESSION:-0.005}" \
  --keep-runs "${KEEP_RUNS:-14}" \
  "$@"
status=$?
set -e
case $status in
  0) echo "nightly: run $run_id promoted" >&2 ;;
  3) echo "nightly: run $run_id NOT promoted by the quality gate (exit 3)" >&2 ;;
  2) echo "nightly: run $run_id refused: bad input, already done, or store locked (exit 2)" >&2 ;;
  *) echo "nightly: run $run_id failed (exit $status); rerun the same command to resume" >&2
     status=1 ;;
esac
exit $status
