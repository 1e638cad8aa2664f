#!/usr/bin/env bash
# Nightly retrain, for cron or any scheduler: one run per UTC day, resumable, with exit codes to alert on.
#
# Usage: submit/nightly.sh [--help] [--] [job options...]
#   e.g. SUBMIT=submit/yarn.sh submit/nightly.sh --data hdfs:///datasets/mnist --output hdfs:///models/mnist
# It runs the job through $SUBMIT (one of the submit scripts) with
#   --run-id <UTC date>                rerunning the same day resumes from that run's last checkpoint
#   --min-accuracy, --max-regression   the quality gate that decides promotion to CURRENT
#   --keep-runs                        retention
# Options given on the command line come last and win. The store's lock (<output>/_LOCK) keeps two runs with the
# same --output from overlapping. DRY_RUN=1 is handed to the submit script: it prints its command instead.
#
# Settings (environment variables, default in brackets):
#   SUBMIT          the submit script: submit/run-local.sh, submit/standalone.sh, submit/yarn.sh, submit/k8s.sh,
#                   submit/local-cluster.sh, or any executable taking job options         [submit/run-local.sh]
#                   (a relative path is taken from the current directory, else from the project root)
#   RUN_ID          run id                                                           [UTC date, YYYY-MM-DD]
#   MIN_ACCURACY    --min-accuracy                                                   [0.97]
#   MAX_REGRESSION  --max-regression                                                 [0.005]
#   KEEP_RUNS       --keep-runs                                                      [14]
#
# Exit code: the submit script's, unchanged; for alerting:
#   0  trained, evaluated, promoted to CURRENT
#   3  trained and kept, but NOT promoted by the quality gate (look at the run's metrics.json "gate")
#   2  bad input or usage, or the run id already completed today (nothing was written)
#   1  the job failed: rerun the same command to resume from the last checkpoint (or to finish an interrupted one)
#   4  training diverged: nothing published; rerun with a lower --learning-rate under another RUN_ID
#   5  the store is locked by a run still active (or this run lost its lock): nothing published
#   10-14  the submit script (or this one: 10) could not start the job; its message says why
#
# crontab (02:00 UTC every night, log per day):
#   0 2 * * *  cd /opt/sparklstm && SUBMIT=submit/yarn.sh DEPLOY_MODE=client submit/nightly.sh --data hdfs:///datasets/mnist --output hdfs:///models/mnist >> /var/log/sparklstm/$(date -u +\%F).log 2>&1
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment

submit=${SUBMIT:-$SPARKLSTM_HOME/submit/run-local.sh}
if [[ $submit != /* && ! -e $submit && -e $SPARKLSTM_HOME/$submit ]]; then
  submit=$SPARKLSTM_HOME/$submit
fi
[[ -f $submit ]] ||
  die_usage "SUBMIT=$submit: no such script (submit/run-local.sh, submit/yarn.sh, submit/standalone.sh, submit/k8s.sh)"
[[ -x $submit ]] || die_usage "SUBMIT=$submit is not executable"
run_id=${RUN_ID:-$(date -u +%Y-%m-%d)}

echo "nightly: run $run_id via $submit at $(date -u +%FT%TZ)" >&2
status=0
"$submit" --run-id "$run_id" \
  --min-accuracy "${MIN_ACCURACY:-0.97}" \
  --max-regression "${MAX_REGRESSION:-0.005}" \
  --keep-runs "${KEEP_RUNS:-14}" \
  "$@" || status=$?
if [[ $DRY_RUN == 1 ]]; then
  exit "$status"
fi
case $status in
  0) echo "nightly: run $run_id promoted" >&2 ;;
  3) echo "nightly: run $run_id NOT promoted by the quality gate (exit 3)" >&2 ;;
  2) echo "nightly: run $run_id refused: bad input, or already done (exit 2)" >&2 ;;
  4) echo "nightly: run $run_id diverged: nothing published (exit 4)" >&2 ;;
  5) echo "nightly: run $run_id refused: the store is locked by a live run (exit 5)" >&2 ;;
  1[0-4]) echo "nightly: run $run_id not started: $(basename "$submit") failed before the job (exit $status)" >&2 ;;
  *) echo "nightly: run $run_id failed (exit $status); rerun the same command to resume" >&2 ;;
esac
exit "$status"
