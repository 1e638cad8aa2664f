#!/usr/bin/env bash
# Submits the training job to YARN, in cluster (driver in the ApplicationMaster) or client (driver here) mode.
#
# Usage: submit/yarn.sh [--help] [--] [job options...]
#   e.g. DEPLOY_MODE=cluster submit/yarn.sh --data hdfs:///datasets/mnist --output hdfs:///user/$USER/sparklstm
# Job options go to io.sparklstm.cli.Main unchanged. conf/log4j2.properties is shipped to every container
# (--files, i.e. spark.yarn.dist.files) and the JVMs there read it as ./log4j2.properties.
#
# Settings (environment variables, default in brackets):
#   SPARK_HOME                Spark 3.5.x distribution (bin/spark-submit)                          [required]
#   HADOOP_CONF_DIR           client configs of the cluster (core-site.xml, yarn-site.xml)         [required]
#   DEPLOY_MODE               cluster or client                                                    [cluster]
#   YARN_QUEUE                YARN queue                                                           [default]
#   NUM_EXECUTORS             executors (containers)                                               [2]
#   EXECUTOR_CORES            vcores per executor = DL4J workers per executor                      [2]
#   EXECUTOR_MEMORY           executor heap                                                        [4g]
#   EXECUTOR_MEMORY_OVERHEAD  container memory above the heap: ND4J off-heap + natives             [5g]
#   DRIVER_MEMORY             driver heap                                                          [2g]
#   DRIVER_MEMORY_OVERHEAD    driver container overhead (cluster mode)                             [3g]
#   PRINCIPAL, KEYTAB         Kerberos: passed as --principal/--keytab (set both or neither)       [unset]
#   KERBEROS_FILESYSTEMS      further secure filesystems to get tokens for, comma-separated
#                             (spark.kerberos.access.hadoopFileSystems), e.g. an --output on another cluster [unset]
#   JOB_CONFIG                a job --config file; shipped with --files and passed as --config     [unset]
#   YARN_MAX_ATTEMPTS         spark.yarn.maxAppAttempts: ApplicationMaster attempts                [1]
#                             (Spark's AM leaves every non-zero outcome to the ResourceManager to retry, a bad input
#                             or a gate refusal included, and a retried run finds its run id taken; a crashed run is
#                             resumed by running the same command again, which is what nightly.sh's scheduler does)
#   APP_JAR                   application jar (local path or hdfs:// URL)
#                             [target/sparklstm-<version>.jar, the version read from pom.xml]
#   CONF_DIR, APP_NAME, MAIN_CLASS, EXTRA_SPARK_ARGS (e.g. "--conf spark.yarn.archive=hdfs:///spark/jars.zip"),
#   SPARKLSTM_HOME, DRY_RUN=1: see submit/common.sh
# Exit code: the job's own, 0-5 below, in both deploy modes. In client mode spark-submit runs the driver and exits
# with the job's code. In cluster mode the driver runs in the ApplicationMaster, which ends a non-zero run with final
# status FAILED and the diagnostics "User application exited with status N", while spark-submit itself exits 1 for
# any failed application: this script reads N from spark-submit's report and exits with it (spark-submit's own code
# when there is no such line, e.g. the AM container was killed). The script's own failures exit 10.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_app_jar
require_spark_home
require_conf
load_opens

DEPLOY_MODE=${DEPLOY_MODE:-cluster}
YARN_QUEUE=${YARN_QUEUE:-default}
NUM_EXECUTORS=${NUM_EXECUTORS:-2}
EXECUTOR_CORES=${EXECUTOR_CORES:-2}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-4g}
EXECUTOR_MEMORY_OVERHEAD=${EXECUTOR_MEMORY_OVERHEAD:-5g}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}
DRIVER_MEMORY_OVERHEAD=${DRIVER_MEMORY_OVERHEAD:-3g}
PRINCIPAL=${PRINCIPAL:-}
KEYTAB=${KEYTAB:-}
KERBEROS_FILESYSTEMS=${KERBEROS_FILESYSTEMS:-}
JOB_CONFIG=${JOB_CONFIG:-}
YARN_MAX_ATTEMPTS=${YARN_MAX_ATTEMPTS:-1}

[[ $DEPLOY_MODE == client || $DEPLOY_MODE == cluster ]] ||
  die_usage "DEPLOY_MODE must be client or cluster (got '$DEPLOY_MODE')"
if [[ $DRY_RUN != 1 ]]; then
  [[ -n ${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}} ]] ||
    die_usage "set HADOOP_CONF_DIR to the cluster's client configuration"
  [[ $APP_JAR == *://* ]] || require_file "$APP_JAR" "build the application jar first: mvn -B package"
fi
if [[ -n $PRINCIPAL && -z $KEYTAB || -z $PRINCIPAL && -n $KEYTAB ]]; then
  die_usage "set both PRINCIPAL and KEYTAB, or neither"
fi
[[ $YARN_MAX_ATTEMPTS =~ ^[1-9][0-9]*$ ]] ||
  die_usage "YARN_MAX_ATTEMPTS must be a positive number (got '$YARN_MAX_ATTEMPTS')"
[[ -z $KEYTAB || $DRY_RUN == 1 ]] || require_file "$KEYTAB" "KEYTAB not readable"

log4j=$CONF_DIR/log4j2.properties
require_file "$log4j" "CONF_DIR must hold log4j2.properties"
files=$log4j
job_args=("$@")
if [[ -n $JOB_CONFIG ]]; then
  require_file "$JOB_CONFIG" "JOB_CONFIG not found"
  files+=",$JOB_CONFIG"
  # In cluster mode the driver runs in a container where --files land in the working directory.
  # A first word names the command (train, score): the training job's --config goes after it.
  command=()
  [[ ${job_args[0]:-} == train ]] && command=(train) && job_args=("${job_args[@]:1}")
  [[ ${job_args[0]:-} == score ]] && die_usage "JOB_CONFIG is a training job's --config file; score takes none"
  if [[ $DEPLOY_MODE == cluster ]]; then job_args=("${command[@]}" --config "$(basename "$JOB_CONFIG")" "${job_args[@]}")
  else job_args=("${command[@]}" --config "$JOB_CONFIG" "${job_args[@]}"); fi
fi

args=(
  --master yarn
  --deploy-mode "$DEPLOY_MODE"
  --queue "$YARN_QUEUE"
  --num-executors "$NUM_EXECUTORS"
  --executor-cores "$EXECUTOR_CORES"
  --executor-memory "$EXECUTOR_MEMORY"
  --driver-memory "$DRIVER_MEMORY"
  --files "$files"
  --conf "spark.yarn.maxAppAttempts=$YARN_MAX_ATTEMPTS"
  --conf "spark.executor.memoryOverhead=$EXECUTOR_MEMORY_OVERHEAD"
  --conf "spark.driver.memoryOverhead=$DRIVER_MEMORY_OVERHEAD"
  --conf "spark.executor.extraJavaOptions=$(java_opts_with executor -Dlog4j2.configurationFile=log4j2.properties)"
)
if [[ $DEPLOY_MODE == cluster ]]; then
  args+=(--conf "spark.driver.extraJavaOptions=$(java_opts_with driver -Dlog4j2.configurationFile=log4j2.properties)")
else
  log_conf_for_local_driver
fi
[[ -n $PRINCIPAL ]] && args+=(--principal "$PRINCIPAL" --keytab "$KEYTAB")
[[ -n $KERBEROS_FILESYSTEMS ]] && args+=(--conf "spark.kerberos.access.hadoopFileSystems=$KERBEROS_FILESYSTEMS")

spark_submit_command "${args[@]}" -- "$APP_JAR" "${job_args[@]}"
[[ $DEPLOY_MODE == client || $DRY_RUN == 1 ]] && print_or_exec "${SUBMIT_CMD[@]}"

# Cluster mode: spark-submit's output passes through unchanged (stderr stays stderr) and is kept to read the report.
echo "+ ${SUBMIT_CMD[*]}" >&2
report=$(mktemp "${TMPDIR:-/tmp}/yarn-submit.XXXXXX")
trap 'rm -f "$report"' EXIT
set +e
{ "${SUBMIT_CMD[@]}" 2>&1 1>&3 | tee "$report" >&2; } 3>&1
status=${PIPESTATUS[0]}
set -e
app_id=$(grep -o -m1 'application_[0-9]*_[0-9]*' "$report" || true)
job_status=$(sed -n 's/.*User application exited with status \([0-9][0-9]*\).*/\1/p' "$report" | tail -n 1)
if ((status != 0)) && [[ -n $job_status ]]; then
  status=$job_status
fi
echo "yarn.sh: application ${app_id:-(none)} ended, exit code $status" >&2
exit "$status"
