# shellcheck shell=bash
# Shared by submit/local-cluster.sh and submit/local-yarn.sh (sourced after common.sh, not run): the throw-away
# Hadoop on this machine (MiniHdfs: HDFS, with --nodemanagers also YARN, in one JVM), the run folder, the clean-up
# of every process started (descendants included: YARN containers and Spark executors), MNIST onto HDFS and what
# the run wrote.
#
# Settings read here (the scripts document them in --help):
#   RUN_ROOT, KEEP_WORK, START_TIMEOUT, METRICS_OUT

START_TIMEOUT=${START_TIMEOUT:-120}
KEEP_WORK=${KEEP_WORK:-0}
METRICS_OUT=${METRICS_OUT:-}
[[ $START_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
  die_usage "START_TIMEOUT must be a positive number of seconds (got '$START_TIMEOUT')"
[[ -z $METRICS_OUT || -d $(dirname -- "$METRICS_OUT") ]] ||
  die_usage "METRICS_OUT=$METRICS_OUT: its directory does not exist"

spark_home=$SPARKLSTM_HOME/target/spark-home
spark_cp="$spark_home/jars/*"
test_classes=$SPARKLSTM_HOME/target/test-classes
test_cp_file=$SPARKLSTM_HOME/target/cluster-classpath/test.txt
mnist=$SPARKLSTM_HOME/data/mnist

local_log() { echo "$(basename "$0" .sh): $*" >&2; }
fail() { local_log "$*"; exit "$EXIT_CLUSTER"; }

# build_if_missing [spark-submit]: the application jar, target/spark-home/jars (and its bin/spark-submit when asked)
# and the MiniHdfs launcher, built when one is missing (or REBUILD=1).
build_if_missing() {
  local submit_missing=0
  [[ ${1:-} == spark-submit && ! -x $spark_home/bin/spark-submit ]] && submit_missing=1
  if [[ ${REBUILD:-0} == 1 ]]; then
    build_app_jar "REBUILD=1"
  elif [[ ! -f $APP_JAR || ! -d $spark_home/jars || $submit_missing == 1 ||
    ! -f $test_classes/io/sparklstm/cluster/MiniHdfs.class || ! -f $test_cp_file ]]; then
    [[ $APP_JAR == "$BUILT_JAR" || -f $APP_JAR ]] || die_usage "APP_JAR not found ($APP_JAR)"
    build_app_jar "the jar, target/spark-home or the MiniHdfs launcher is missing"
  fi
}

# new_run NAME: a fresh run folder $run under RUN_ROOT with logs/ in it, and the clean-up trap.
pids=() # every process this script started, in start order
new_run() {
  mkdir -p "$RUN_ROOT"
  run=$(mktemp -d "$RUN_ROOT/run-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
  mkdir -p "$run/logs"
  local_log "logs in $run/logs"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# descendants PID: every descendant of PID, children first.
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

cleanup() {
  local rc=$? pid i others=()
  trap - EXIT INT TERM
  trap '' PIPE # Ctrl-C may have closed the pipe our output goes to: finish the clean-up all the same
  # Executors and YARN containers are descendants of what we started: note them before their parents go.
  for pid in "${pids[@]}"; do
    while read -r child; do [[ -n $child ]] && others+=("$child"); done < <(descendants "$pid")
  done
  # Stop in reverse order (driver, daemons, HDFS/YARN); SIGTERM lets each run its shutdown hooks.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    local alive=0
    for pid in "${pids[@]}" "${others[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.5
  done
  for pid in "${pids[@]}" "${others[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      local_log "process $pid did not stop on SIGTERM: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  if [[ $KEEP_WORK != 1 ]]; then rm -rf "$run"/worker-* "$run/hdfs" "$run/target"; fi
  local_log "stopped ${#pids[@]} processes and ${#others[@]} of their descendants; logs kept in $run/logs"
  exit "$rc"
}

# wait_for DESCRIPTION PID COMMAND...: polls COMMAND until it succeeds; fails if PID dies or START_TIMEOUT passes.
wait_for() {
  local what=$1 pid=$2
  shift 2
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || fail "$what: process $pid exited (see $run/logs)"
    ((SECONDS < deadline)) || fail "$what: not ready after ${START_TIMEOUT}s (see $run/logs)"
    sleep 0.5
  done
}

# start_hadoop DATANODES NODEMANAGERS [NM_MEMORY_MB]: HDFS (and YARN when NODEMANAGERS > 0) in one JVM, working in
# $run (YARN's container logs: $run/target/yarn); sets $hdfs and $hadoop_conf (the client configuration: core-site.xml
# with HDFS as default file system, hdfs-site.xml, yarn-site.xml).
start_hadoop() {
  local datanodes=$1 nodemanagers=$2 nm_memory=${3:-8192}
  hadoop_conf=$run/hadoop-conf
  (cd "$run" && exec "$JAVA" -Xmx1g @"$OPENS_FILE" -cp "$test_classes:$(<"$test_cp_file")" \
    -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" \
    io.sparklstm.cluster.MiniHdfs --base-dir "$run/hdfs" --datanodes "$datanodes" --uri-file "$run/hdfs.uri" \
    --nodemanagers "$nodemanagers" --nm-memory-mb "$nm_memory" --conf-dir "$hadoop_conf" --parent-pid $$ \
    >"$run/logs/hadoop.log" 2>&1) &
  pids+=($!)
  local what=HDFS
  ((nodemanagers == 0)) || what="HDFS and YARN"
  wait_for "$what" "${pids[-1]}" test -s "$run/hdfs.uri"
  hdfs=$(<"$run/hdfs.uri")
  local_log "$(grep -m1 '^MiniHdfs: ' "$run/logs/hadoop.log" | sed 's/^MiniHdfs: //') (pid ${pids[-1]})"
}

# fs ARGS...: Hadoop's FsShell (what `hdfs dfs` runs) against this HDFS.
fs() {
  "$JAVA" -Xmx256m -cp "$hadoop_conf:$spark_cp" -Dlog4j2.configurationFile="file:$CONF_DIR/log4j2.properties" \
    org.apache.hadoop.fs.FsShell "$@"
}

upload_mnist() {
  fs -mkdir -p /data/mnist || fail "could not create /data/mnist on $hdfs"
  fs -put -f "$mnist"/* /data/mnist/ || fail "could not upload MNIST to $hdfs/data/mnist"
  local_log "MNIST uploaded to $hdfs/data/mnist"
}

# has_opt NAME: the job options (array job_args) name option NAME.
has_opt() {
  local o
  for o in "${job_args[@]}"; do [[ $o == "$1" || $o == "$1="* ]] && return 0; done
  return 1
}

# default_data_and_output: --data and --output default to this HDFS; sets $output.
default_data_and_output() {
  has_opt --data || job_args=(--data "$hdfs/data/mnist" "${job_args[@]}")
  has_opt --output || job_args=(--output "$hdfs/sparklstm" "${job_args[@]}")
  local i
  for ((i = 0; i < ${#job_args[@]}; i++)); do
    [[ ${job_args[i]} == --output ]] && output=${job_args[i + 1]:-}
    [[ ${job_args[i]} == --output=* ]] && output=${job_args[i]#--output=}
  done
  return 0
}

# show_run_output: the HDFS listing of $output/runs and the newest metrics.json; copied to METRICS_OUT when set.
show_run_output() {
  local_log "HDFS listing of $output/runs:"
  fs -ls -R "$output/runs" || true
  local metrics
  metrics=$(fs -ls -R "$output/runs" 2>/dev/null | awk '/metrics.json$/ { print $NF }' | sort | tail -1 || true)
  if [[ -n $metrics ]]; then
    local_log "$metrics:"
    fs -cat "$metrics" || true
    echo
    if [[ -n $METRICS_OUT ]]; then
      fs -get -f "$metrics" "$METRICS_OUT" && local_log "metrics.json copied to $METRICS_OUT" ||
        local_log "could not copy $metrics to $METRICS_OUT"
    fi
  elif [[ -n $METRICS_OUT ]]; then
    local_log "no metrics.json under $output/runs: nothing copied to $METRICS_OUT"
  fi
}
