#!/usr/bin/env bash
# Runs the training job on a real, throw-away cluster on this machine: HDFS (Hadoop's MiniDFSCluster: a NameNode
# and 2 DataNodes in their own JVM), a Spark standalone Master and WORKERS Workers (each its own JVM; every
# executor another JVM), MNIST uploaded to HDFS, the application jar submitted in client deploy mode, and the
# run's output listed from HDFS. Everything it started is stopped on exit, on Ctrl-C and on failure.
#
# Usage: submit/local-cluster.sh [--help] [--] [job options...]
#   e.g. submit/local-cluster.sh --train-limit 2000 --epochs 1
# Job options go to io.sparklstm.cli.Main; --data and --output default to the HDFS started here
# (hdfs://127.0.0.1:PORT/data/mnist and hdfs://127.0.0.1:PORT/sparklstm).
# On a fresh clone it first builds what is missing (mvn -DskipTests package: the application jar,
# target/spark-home/jars, the MiniHdfs launcher in target/test-classes) and fetches MNIST (data/fetch-mnist.sh).
# DRY_RUN=1 prints the driver's command (HDFS and Master addresses as PORT placeholders) and starts nothing.
# Exit code: the job's, unchanged; 11 when the build fails, 12/13 when fetching MNIST does, 14 when the cluster
# (HDFS, Master, Workers, the upload of MNIST) could not be started, 10 for a bad setting.
#
# Settings (environment variables, default in brackets):
#   WORKERS           standalone Workers, one executor each                                   [2]
#   WORKER_CORES      cores per Worker = per executor = DL4J workers per executor             [1]
#   EXECUTOR_MEMORY   executor heap (Worker memory is set to match; ND4J off-heap on top)     [1g]
#                     (1g keeps an executor's peak RSS near 1.2 GiB: docs/performance.md, Memory)
#   EXECUTOR_JAVA_OPTS  executor JVM options appended to spark-defaults.conf's, e.g. JavaCPP caps  []
#   DRIVER_MEMORY     driver heap (the driver runs in this script's SparkSubmit JVM)          [2g]
#   DRIVER_OMP_THREADS  OMP_NUM_THREADS of the driver (evaluation)                           [2]
#   RUN_ROOT          where each run's logs, HDFS storage and worker dirs go                 [target/local-cluster]
#   METRICS_OUT       copy the run's metrics.json to this local file                         [unset]
#   KEEP_WORK=1       keep the Workers' work dirs (executor logs, the jar copies) after the run [0]
#   START_TIMEOUT     seconds to wait for HDFS, the Master and the Workers                    [120]
#   REBUILD=1         run the Maven build even if the jar exists                              [0]
#   MVN               Maven command, e.g. "mvn -o" to stay offline                            [mvn]
#   JAVA              Java 17 executable                                                      [$JAVA_HOME/bin/java or java]
#   CONF_DIR          spark-defaults.conf and log4j2.properties                              [conf]
#   APP_JAR           the application jar           [target/sparklstm-<version>.jar, the version read from pom.xml]
#   SPARKLSTM_HOME, APP_NAME, MAIN_CLASS, DRY_RUN=1: see submit/common.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_app_jar
require_conf
load_opens

WORKERS=${WORKERS:-2}
WORKER_CORES=${WORKER_CORES:-1}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-1g}
EXECUTOR_JAVA_OPTS=${EXECUTOR_JAVA_OPTS:-}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}
DRIVER_OMP_THREADS=${DRIVER_OMP_THREADS:-2}
RUN_ROOT=${RUN_ROOT:-$SPARKLSTM_HOME/target/local-cluster}
REBUILD=${REBUILD:-0}
source "$(dirname "${BASH_SOURCE[0]}")/local-hadoop.sh"
[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die_usage "WORKERS must be a positive number (got '$WORKERS')"
[[ $WORKER_CORES =~ ^[1-9][0-9]*$ ]] || die_usage "WORKER_CORES must be a positive number (got '$WORKER_CORES')"

# The driver: a client-mode SparkSubmit JVM, so it gets the driver options of spark-defaults.conf itself
# (bin/spark-submit's launcher would apply them; here SparkSubmit is started directly from target/spark-home).
# driver_command MASTER JOB_ARGS...: fills the array driver_cmd (--data and --output default to $hdfs).
driver_command() {
  local master=$1
  shift
  local -a driver_opts=()
  read -r -a driver_opts <<<"$(java_opts_with driver)"
  job_args=("$@")
  default_data_and_output
  driver_cmd=("$JAVA" -Xmx"$DRIVER_MEMORY" -cp "$spark_cp" "${driver_opts[@]}"
    -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties"
    org.apache.spark.deploy.SparkSubmit
    --master "$master" --deploy-mode client
    --class "$MAIN_CLASS" --name "$APP_NAME-local-cluster"
    --properties-file "$CONF_DIR/spark-defaults.conf"
    --conf spark.driver.host=127.0.0.1
    --conf "spark.executor.memory=$EXECUTOR_MEMORY"
    --conf "spark.executor.extraJavaOptions=$(java_opts_with executor "$EXECUTOR_JAVA_OPTS")"
    --conf "spark.executor.cores=$WORKER_CORES"
    --conf "spark.cores.max=$((WORKERS * WORKER_CORES))"
    --conf spark.scheduler.minRegisteredResourcesRatio=1.0
    --conf spark.scheduler.maxRegisteredResourcesWaitingTime=120s
    --conf spark.hadoop.dfs.replication=2
    "$APP_JAR" "${job_args[@]}")
}

# --- Build what is missing ------------------------------------------------------------------------------
build_if_missing
fetch_mnist "$mnist"

if [[ $DRY_RUN == 1 ]]; then
  hdfs=hdfs://127.0.0.1:PORT
  driver_command "spark://127.0.0.1:PORT" "$@"
  print_or_exec "${driver_cmd[@]}"
fi

# --- Run folder, clean-up -------------------------------------------------------------------------------
new_run

export SPARK_HOME=$spark_home SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1

# --- HDFS -----------------------------------------------------------------------------------------------
start_hadoop 2 0

# --- Spark standalone Master and Workers ------------------------------------------------------------------
"$JAVA" -Xmx512m -cp "$spark_cp" @"$OPENS_FILE" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port 0 --webui-port 0 >"$run/logs/master.log" 2>&1 &
master_pid=$!
pids+=("$master_pid")
master_started() { grep -q 'Starting Spark master at spark://' "$run/logs/master.log"; }
wait_for "Spark Master" "$master_pid" master_started
master=$(grep -o 'spark://[^ ]*' "$run/logs/master.log" | head -1)
local_log "Spark Master at $master (pid $master_pid)"

for ((w = 1; w <= WORKERS; w++)); do
  mkdir -p "$run/worker-$w"
  "$JAVA" -Xmx512m -cp "$spark_cp" @"$OPENS_FILE" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores "$WORKER_CORES" --memory "$EXECUTOR_MEMORY" \
    --work-dir "$run/worker-$w" "$master" >"$run/logs/worker-$w.log" 2>&1 &
  pids+=($!)
done
workers_registered() { (($(grep -c 'Registering worker' "$run/logs/master.log") >= WORKERS)); }
wait_for "Spark Workers" "$master_pid" workers_registered
local_log "$WORKERS Workers registered"

# --- Data on HDFS ----------------------------------------------------------------------------------------
upload_mnist

# --- The job ---------------------------------------------------------------------------------------------
driver_command "$master" "$@"

set +e
OMP_NUM_THREADS=$DRIVER_OMP_THREADS "${driver_cmd[@]}" &
pids+=($!)
wait "${pids[-1]}"
job_rc=$?
set -e
local_log "job exited with $job_rc"

# --- What the run wrote ----------------------------------------------------------------------------------
show_run_output
exit "$job_rc"
