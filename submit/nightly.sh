#!/usr/bin/env bash
# Nightly retrain, for cron or any scheduler: one run per UTC day, resumable, with exit codes to alert on.
#
# Usage: submit/nightly.sh [--help] [--] [job options...]
#   e.g. SUBMIT=submit/yarn.sh submit/nightly.sh --data hdfs:///datasets/mnist --output hdfs:///models/mnist
# It runs the job through $SUBMIT (one of the submit scripts) with
#   --run-id <UTC date>                rerunning the same day resumes from that run's last checkpoint
#   --min-accuracy, --max-regression   the quality gate that decides promotion to CURRENT
#   --keep-runs                        retention
#   --submission-id nightly-<time>-<pid>  names this submission in the run's outcome record
# Options given on the command line come last and win. The store's lock (<output>/_LOCK) keeps two runs with the
# same --output from overlapping. DRY_RUN=1 is handed to the submit script: it prints its command instead.
#
# Where the exit code comes from. Through spark-submit in client mode (run-local.sh, standalone.sh, local-*.sh) and
# through yarn.sh (which recovers it in cluster mode) it is the job's own. On Kubernetes spark-submit exits 0 once
# the driver pod has terminated, however the job ended, so with SUBMIT=k8s.sh (or OUTCOME_FROM_STORE=1) this script
# decides from the run's outcome as the driver recorded it in the store, <output>/outcomes/<run-id>.json, when this
# submission's id is in it (exit 0, 1, 3, 4). A refused run records nothing there (2: bad input, 5: store locked):
# then the driver container's exit code as spark-submit reported it ("exit code: N") is used, and when there is
# neither (the driver was killed before it could record anything) the night counts as a failure, exit 1.
#
# Settings (environment variables, default in brackets):
#   SUBMIT          the submit script: submit/run-local.sh, submit/standalone.sh, submit/yarn.sh, submit/k8s.sh,
#                   submit/local-cluster.sh, or any executable taking job options         [submit/run-local.sh]
#                   (a relative path is taken from the current directory, else from the project root)
#   RUN_ID          run id                                                           [UTC date, YYYY-MM-DD]
#   MIN_ACCURACY    --min-accuracy                                                   [0.97]
#   MAX_REGRESSION  --max-regression                                                 [0.005]
#   KEEP_RUNS       --keep-runs                                                      [14]
#   OUTCOME_FROM_STORE  1: decide the exit code from the store's outcome record (above); 0: never;
#                   auto: with SUBMIT=k8s.sh                                          [auto]
#   Reading the outcome runs $JAVA with APP_JAR (a local:// path is read locally, as in the image) and Spark's jars
#   ($SPARK_HOME/jars, else target/spark-home/jars) on its class path, plus HADOOP_CONF_DIR when set.
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

submission_id="nightly-$(date -u +%Y%m%dT%H%M%SZ)-$$"
case ${OUTCOME_FROM_STORE:-auto} in
  1) from_store=1 ;;
  0) from_store=0 ;;
  auto) [[ $(basename "$submit") == k8s.sh ]] && from_store=1 || from_store=0 ;;
  *) die_usage "OUTCOME_FROM_STORE must be 1, 0 or auto (got '$OUTCOME_FROM_STORE')" ;;
esac

echo "nightly: run $run_id via $submit at $(date -u +%FT%TZ) (submission $submission_id)" >&2
report=$(mktemp "${TMPDIR:-/tmp}/nightly.XXXXXX")
trap 'rm -f "$report"' EXIT
status=0
set +e
{ "$submit" --run-id "$run_id" \
  --min-accuracy "${MIN_ACCURACY:-0.97}" \
  --max-regression "${MAX_REGRESSION:-0.005}" \
  --keep-runs "${KEEP_RUNS:-14}" \
  --submission-id "$submission_id" \
  "$@" 2>&1 1>&3 | tee "$report" >&2; } 3>&1
status=${PIPESTATUS[0]}
set -e
if [[ $DRY_RUN == 1 ]]; then
  exit "$status"
fi

# job_option NAME ARGS...: the last value of job option NAME in ARGS (empty if absent).
job_option() {
  local name=$1 value=
  shift
  while (($#)); do
    case $1 in
      "$name") value=${2:-} ;;
      "$name"=*) value=${1#"$name"=} ;;
    esac
    shift
  done
  echo "$value"
}

# recorded_outcome STORE: this submission's outcome line from the store ("<code> <name> <message>", or "none").
recorded_outcome() {
  local jar=${APP_JAR#local://} jars=${SPARK_HOME:-$SPARKLSTM_HOME/target/spark-home}/jars
  "$JAVA" -Xmx256m -cp "$jar:$jars/*${HADOOP_CONF_DIR:+:$HADOOP_CONF_DIR}" \
    -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" io.sparklstm.cli.OutcomeCommand \
    --output "$1" --run-id "$run_id" --submission-id "$submission_id"
}

if ((from_store)) && ((status < 10)); then
  output=$(job_option --output "$@")
  outcome=none
  if [[ -z $output ]]; then
    echo "nightly: no --output among the job options: cannot read the run's outcome" >&2
  elif ! outcome=$(recorded_outcome "$output"); then
    echo "nightly: could not read the run's outcome from $output; keeping the submit script's exit code" >&2
    outcome=unreadable
  fi
  pod_exit=$(sed -n 's/.*exit code: \([0-9][0-9]*\).*/\1/p' "$report" | tail -n 1)
  if [[ $outcome =~ ^([0-9]+)\  ]]; then
    echo "nightly: outcome recorded in $output/outcomes/$run_id.json: $outcome" >&2
    status=${BASH_REMATCH[1]}
  elif [[ $outcome == none && -n $pod_exit ]]; then
    echo "nightly: no outcome recorded (a refused run records none); the driver container exited $pod_exit" >&2
    status=$pod_exit
  elif [[ $outcome == none ]]; then
    echo "nightly: the driver recorded no outcome and its exit code is unknown: counted as a failure" >&2
    ((status != 0)) || status=1
  fi
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
