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
#   EXECUTOR_MEMORY   executor heap (Worker memory is set to match; ND4J off-heap on top)     [2g]
#   EXECUTOR_JAVA_OPTS  executor JVM options appended to spark-defaults.conf's, e.g. JavaCPP caps  []
#   DRIVER_MEMORY     driver heap (the driver runs in this script's SparkSubmit JVM)          [2g]
#   DRIVER_OMP_THREADS  OMP_NUM_THREADS of the driver (evaluation)                           [2]
#   RUN_ROOT          where each run's logs, HDFS storage and worker dirs go                 [target/local-cluster]
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
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-2g}
EXECUTOR_JAVA_OPTS=${EXECUTOR_JAVA_OPTS:-}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}
DRIVER_OMP_THREADS=${DRIVER_OMP_THREADS:-2}
RUN_ROOT=${RUN_ROOT:-$SPARKLSTM_HOME/target/local-cluster}
KEEP_WORK=${KEEP_WORK:-0}
START_TIMEOUT=${START_TIMEOUT:-120}
REBUILD=${REBUILD:-0}
[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die_usage "WORKERS must be a positive number (got '$WORKERS')"
[[ $WORKER_CORES =~ ^[1-9][0-9]*$ ]] || die_usage "WORKER_CORES must be a positive number (got '$WORKER_CORES')"
[[ $START_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
  die_usage "START_TIMEOUT must be a positive number of seconds (got '$START_TIMEOUT')"

log() { echo "local-cluster: $*" >&2; }
fail() { log "$*"; exit "$EXIT_CLUSTER"; }

spark_home=$SPARKLSTM_HOME/target/spark-home
spark_cp="$spark_home/jars/*"
test_classes=$SPARKLSTM_HOME/target/test-classes
test_cp_file=$SPARKLSTM_HOME/target/cluster-classpath/test.txt
mnist=$SPARKLSTM_HOME/data/mnist

# The driver: a client-mode SparkSubmit JVM, so it gets the driver options of spark-defaults.conf itself
# (bin/spark-submit's launcher would apply them; here SparkSubmit is started directly from target/spark-home).
# driver_command MASTER HDFS_URI JOB_ARGS...: fills the array driver_cmd.
driver_command() {
  local master=$1 hdfs=$2
  shift 2
  local -a driver_opts=()
  read -r -a driver_opts <<<"$(java_opts_with driver)"
  job_args=("$@")
  has_opt --data || job_args=(--data "$hdfs/data/mnist" "${job_args[@]}")
  has_opt --output || job_args=(--output "$hdfs/sparklstm" "${job_args[@]}")
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
has_opt() {
  local o
  for o in "${job_args[@]}"; do [[ $o == "$1" || $o == "$1="* ]] && return 0; done
  return 1
}

# --- Build what is missing ------------------------------------------------------------------------------
if [[ $REBUILD == 1 ]]; then
  build_app_jar "REBUILD=1"
elif [[ ! -f $APP_JAR || ! -d $spark_home/jars || ! -f $test_classes/io/sparklstm/cluster/MiniHdfs.class ||
  ! -f $test_cp_file ]]; then
  [[ $APP_JAR == "$BUILT_JAR" || -f $APP_JAR ]] || die_usage "APP_JAR not found ($APP_JAR)"
  build_app_jar "the jar, target/spark-home/jars or the MiniHdfs launcher is missing"
fi
fetch_mnist "$mnist"

if [[ $DRY_RUN == 1 ]]; then
  driver_command "spark://127.0.0.1:PORT" "hdfs://127.0.0.1:PORT" "$@"
  print_or_exec "${driver_cmd[@]}"
fi

# --- Run folder, clean-up -------------------------------------------------------------------------------
mkdir -p "$RUN_ROOT"
run=$(mktemp -d "$RUN_ROOT/run-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
mkdir -p "$run/logs"
log "logs in $run/logs"
pids=()          # every JVM this script started, in start order
cleanup() {
  local rc=$? pid child i children=()
  trap - EXIT INT TERM
  trap '' PIPE     # Ctrl-C may have closed the pipe our output goes to: finish the clean-up all the same
  # The Workers' executors are their children: note them before their parents go.
  for pid in "${pids[@]}"; do
    while read -r child; do [[ -n $child ]] && children+=("$child"); done < <(pgrep -P "$pid" 2>/dev/null || true)
  done
  # Stop in reverse order (driver, Workers, Master, HDFS); SIGTERM lets each run its shutdown hooks.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}" "${children[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.5
  done
  for pid in "${pids[@]}" "${children[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then log "process $pid did not stop on SIGTERM: killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  if [[ $KEEP_WORK != 1 ]]; then rm -rf "$run"/worker-* "$run/hdfs"; fi
  log "stopped ${#pids[@]} daemons and ${#children[@]} executors; logs kept in $run/logs"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for DESCRIPTION PID COMMAND...: polls COMMAND until it succeeds; fails if PID dies or START_TIMEOUT passes.
wait_for() {
  local what=$1 pid=$2; shift 2
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || fail "$what: process $pid exited (see $run/logs)"
    ((SECONDS < deadline)) || fail "$what: not ready after ${START_TIMEOUT}s (see $run/logs)"
    sleep 0.5
  done
}

export SPARK_HOME=$spark_home SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1

# --- HDFS -----------------------------------------------------------------------------------------------
"$JAVA" -Xmx1g -cp "$test_classes:$(<"$test_cp_file")" \
  -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" \
  io.sparklstm.cluster.MiniHdfs --base-dir "$run/hdfs" --datanodes 2 --uri-file "$run/hdfs.uri" --parent-pid $$ \
  >"$run/logs/hdfs.log" 2>&1 &
pids+=($!)
wait_for "HDFS" "${pids[-1]}" test -s "$run/hdfs.uri"
hdfs=$(<"$run/hdfs.uri")
log "HDFS at $hdfs (pid ${pids[0]})"

# --- Spark standalone Master and Workers ------------------------------------------------------------------
"$JAVA" -Xmx512m -cp "$spark_cp" @"$OPENS_FILE" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port 0 --webui-port 0 >"$run/logs/master.log" 2>&1 &
master_pid=$!
pids+=("$master_pid")
master_started() { grep -q 'Starting Spark master at spark://' "$run/logs/master.log"; }
wait_for "Spark Master" "$master_pid" master_started
master=$(grep -o 'spark://[^ ]*' "$run/logs/master.log" | head -1)
log "Spark Master at $master (pid $master_pid)"

for ((w = 1; w <= WORKERS; w++)); do
  mkdir -p "$run/worker-$w"
  "$JAVA" -Xmx512m -cp "$spark_cp" @"$OPENS_FILE" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores "$WORKER_CORES" --memory "$EXECUTOR_MEMORY" \
    --work-dir "$run/worker-$w" "$master" >"$run/logs/worker-$w.log" 2>&1 &
  pids+=($!)
done
workers_registered() { (($(grep -c 'Registering worker' "$run/logs/master.log") >= WORKERS)); }
wait_for "Spark Workers" "$master_pid" workers_registered
log "$WORKERS Workers registered"

# --- Data on HDFS ----------------------------------------------------------------------------------------
# Hadoop's FsShell (what `hdfs dfs` runs) needs a core-site.xml on its classpath: one naming this HDFS.
mkdir -p "$run/hadoop-conf"
cat >"$run/hadoop-conf/core-site.xml" <<XML
<?xml version="1.0"?>
<configuration><property><name>fs.defaultFS</name><value>$hdfs</value></property><property><name>dfs.replication</name><value>2</value></property></configuration>
XML
fs() { "$JAVA" -Xmx256m -cp "$run/hadoop-conf:$spark_cp" -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" \
  org.apache.hadoop.fs.FsShell "$@"; }
fs -mkdir -p /data/mnist || fail "could not create /data/mnist on $hdfs"
fs -put -f "$mnist"/* /data/mnist/ || fail "could not upload MNIST to $hdfs/data/mnist"
log "MNIST uploaded to $hdfs/data/mnist"

# --- The job ---------------------------------------------------------------------------------------------
driver_command "$master" "$hdfs" "$@"
output=$hdfs/sparklstm
for ((i = 0; i < ${#job_args[@]}; i++)); do
  [[ ${job_args[i]} == --output ]] && output=${job_args[i + 1]:-$output}
  [[ ${job_args[i]} == --output=* ]] && output=${job_args[i]#--output=}
done

set +e
OMP_NUM_THREADS=$DRIVER_OMP_THREADS "${driver_cmd[@]}" &
pids+=($!)
wait "${pids[-1]}"
job_rc=$?
set -e
log "job exited with $job_rc"

# --- What the run wrote ----------------------------------------------------------------------------------
log "HDFS listing of $output/runs:"
fs -ls -R "$output/runs" || true
metrics=$(fs -ls -R "$output/runs" 2>/dev/null | awk '/metrics.json$/ { print $NF }' | tail -1 || true)
if [[ -n $metrics ]]; then
  log "$metrics:"
  fs -cat "$metrics" || true
  echo
fi
exit "$job_rc"
