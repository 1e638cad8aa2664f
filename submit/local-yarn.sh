#!/usr/bin/env bash
# Runs the training job on a real, throw-away YARN on this machine, through submit/yarn.sh, the way it runs on a
# Hadoop cluster: HDFS (MiniDFSCluster: a NameNode and 2 DataNodes) and YARN (MiniYARNCluster: a ResourceManager and
# NODEMANAGERS NodeManagers whose containers are ordinary processes) in one JVM of their own, MNIST uploaded to HDFS,
# the application jar submitted by target/spark-home/bin/spark-submit (uploaded to the staging directory on HDFS as
# on any cluster; Spark's own jars are installed on every node, spark.yarn.jars=local:...), then the YARN
# application report (id, final status, attempts), the HDFS listing and the run's metrics.json. Everything it
# started, YARN containers included, is stopped on exit, on Ctrl-C and on failure.
#
# Usage: submit/local-yarn.sh [--help] [--] [job options...]
#   e.g. submit/local-yarn.sh --train-limit 2000 --epochs 1
#        DEPLOY_MODE=client submit/local-yarn.sh --train-limit 2000 --epochs 1
# Job options go to io.sparklstm.cli.Main; --data and --output default to the HDFS started here
# (hdfs://127.0.0.1:PORT/data/mnist and hdfs://127.0.0.1:PORT/sparklstm).
# On a fresh clone it first builds what is missing (mvn -DskipTests package: the application jar,
# target/spark-home, the MiniHdfs launcher in target/test-classes) and fetches MNIST (data/fetch-mnist.sh).
# Exit code: the job's, as submit/yarn.sh reports it in either deploy mode; 11 when the build fails, 12/13 when
# fetching MNIST does, 14 when HDFS/YARN (or the upload of MNIST) could not be started, 10 for a bad setting.
#
# Settings (environment variables, default in brackets):
#   DEPLOY_MODE               cluster (driver in the ApplicationMaster) or client (driver here)  [cluster]
#   NODEMANAGERS              YARN NodeManagers                                                  [2]
#   NM_MEMORY_MB              memory each NodeManager offers to containers                       [8192]
#   NUM_EXECUTORS             executors (containers)                                             [2]
#   EXECUTOR_CORES            vcores per executor = DL4J workers per executor                    [1]
#   EXECUTOR_MEMORY           executor heap                                                      [1g]
#   EXECUTOR_MEMORY_OVERHEAD  container memory above the heap: ND4J off-heap + natives           [2g]
#   DRIVER_MEMORY             driver heap                                                        [1g]
#   DRIVER_MEMORY_OVERHEAD    driver container memory above the heap (cluster mode)              [2g]
#   METRICS_OUT               copy the run's metrics.json to this local file                     [unset]
#   RUN_ROOT                  where each run's logs, HDFS storage and YARN work dirs go         [target/local-yarn]
#   KEEP_WORK=1               keep HDFS storage and YARN's work dir (container logs) after the run [0]
#   START_TIMEOUT             seconds to wait for HDFS and YARN                                  [120]
#   REBUILD=1                 run the Maven build even if the jar exists                         [0]
#   MVN, JAVA, CONF_DIR, APP_JAR, SPARKLSTM_HOME, APP_NAME, MAIN_CLASS, EXTRA_SPARK_ARGS: see submit/common.sh
#   Any other submit/yarn.sh setting (YARN_MAX_ATTEMPTS, JOB_CONFIG, ...) is passed on to it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_app_jar
require_conf
[[ $DRY_RUN == 0 ]] || die_usage "DRY_RUN=1 is not supported here: use DRY_RUN=1 submit/yarn.sh to see the command"
RUN_ROOT=${RUN_ROOT:-$SPARKLSTM_HOME/target/local-yarn}
source "$(dirname "${BASH_SOURCE[0]}")/local-hadoop.sh"

export DEPLOY_MODE=${DEPLOY_MODE:-cluster}
NODEMANAGERS=${NODEMANAGERS:-2}
NM_MEMORY_MB=${NM_MEMORY_MB:-8192}
export NUM_EXECUTORS=${NUM_EXECUTORS:-2}
export EXECUTOR_CORES=${EXECUTOR_CORES:-1}
export EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-1g}
export EXECUTOR_MEMORY_OVERHEAD=${EXECUTOR_MEMORY_OVERHEAD:-2g}
export DRIVER_MEMORY=${DRIVER_MEMORY:-1g}
export DRIVER_MEMORY_OVERHEAD=${DRIVER_MEMORY_OVERHEAD:-2g}
[[ $DEPLOY_MODE == client || $DEPLOY_MODE == cluster ]] ||
  die_usage "DEPLOY_MODE must be client or cluster (got '$DEPLOY_MODE')"
[[ $NODEMANAGERS =~ ^[1-9][0-9]*$ ]] || die_usage "NODEMANAGERS must be a positive number (got '$NODEMANAGERS')"
[[ $NM_MEMORY_MB =~ ^[1-9][0-9]*$ ]] || die_usage "NM_MEMORY_MB must be a positive number (got '$NM_MEMORY_MB')"

build_if_missing spark-submit
fetch_mnist "$mnist"
new_run

# The NodeManagers start containers with $JAVA_HOME/bin/java.
if [[ -z ${JAVA_HOME:-} ]]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")
fi
export JAVA_HOME
start_hadoop 2 "$NODEMANAGERS" "$NM_MEMORY_MB"
upload_mnist

job_args=("$@")
default_data_and_output
set +e
HADOOP_CONF_DIR=$hadoop_conf YARN_CONF_DIR=$hadoop_conf SPARK_HOME=$spark_home SPARK_LOCAL_IP=127.0.0.1 \
  APP_NAME="$APP_NAME-local-yarn" \
  EXTRA_SPARK_ARGS="--conf spark.yarn.jars=local:$spark_home/jars/* --conf spark.hadoop.dfs.replication=2 $EXTRA_SPARK_ARGS" \
  "$(dirname "${BASH_SOURCE[0]}")/yarn.sh" "${job_args[@]}" 2> >(tee "$run/logs/spark-submit.log" >&2) &
pids+=($!)
wait "${pids[-1]}"
job_rc=$?
set -e
local_log "job exited with $job_rc ($DEPLOY_MODE deploy mode)"

app_id=$(grep -o -m1 'application_[0-9]*_[0-9]*' "$run/logs/spark-submit.log" || true)
if [[ -n $app_id ]]; then
  "$JAVA" -Xmx256m -cp "$hadoop_conf:$test_classes:$(<"$test_cp_file")" \
    -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" io.sparklstm.cluster.YarnApps "$app_id" ||
    local_log "could not read the application report of $app_id"
else
  local_log "spark-submit printed no YARN application id"
fi
show_run_output
exit "$job_rc"
