#!/usr/bin/env bash
# Runs the training job end to end in Spark local mode on all cores, with files on local disk.
#
# Usage: submit/run-local.sh [--help] [--] [job options...]
#   e.g. submit/run-local.sh --epochs 1 --train-limit 5000
# Job options go to io.sparklstm.cli.Main unchanged
# ("submit/run-local.sh -- --help" prints them). Run it from any directory: relative --data, --output and --config
# resolve against YOUR working directory, not the project's; the job's default --output (store) is therefore
# ./store in the directory you run it from.
# Without --data and without --config, it adds
# --data $SPARKLSTM_HOME/data/mnist and fetches MNIST there first when it is missing (data/fetch-mnist.sh).
# It builds the application jar first when it is missing or older than pom.xml, src/ or conf/ (mvn package in the
# project root). The job is launched through Spark's own submit entry point (org.apache.spark.deploy.SparkSubmit, the
# class behind spark-submit, from target/spark-home/jars) with the application jar, exactly as on a cluster; only the
# master differs.
#
# Settings (environment variables, default in brackets):
#   SPARK_MASTER       Spark master; F in local[N,F] = attempts per task, as on a cluster    [local[*,4]]
#   DRIVER_MEMORY      JVM heap                                                            [4g]
#   OMP_NUM_THREADS    ND4J native threads per process: one per Spark task is fastest       [1]
#   OPENBLAS_CORETYPE  OpenBLAS kernels        [SkylakeX on AVX-512 CPUs, Haswell on AVX2 CPUs; see below]
#   APP_JAR            application jar; built when it is the default and stale  [target/sparklstm-<version>.jar,
#                      the version read from pom.xml]
#   JAVA               Java 17 executable                                       [$JAVA_HOME/bin/java or java]
#   MVN                Maven command, e.g. "mvn -o" to stay offline                         [mvn]
#   CONF_DIR           log4j2.properties                                                   [conf]
#   SPARKLSTM_HOME, MAIN_CLASS, DRY_RUN=1 (print the java command, build nothing, fetch nothing): see submit/common.sh
# OPENBLAS_CORETYPE: the OpenBLAS 0.3.19 inside ND4J 1.0.0-M2 does not recognise recent Xeons and falls back to its
# generic SSE3 kernels; naming the kernel family makes its GEMMs several times faster (FastLSTM trains ~2x faster).
# A value already set in the environment is kept (some machines set it on purpose); set it empty to disable.
# Exit code: the job's, unchanged (java replaces this script); the script's own failures exit 10-13 (below).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_app_jar
load_opens

# --- The application jar and Spark's jars -------------------------------------------------------------------
spark_jars=$SPARKLSTM_HOME/target/spark-home/jars
if [[ $APP_JAR == "$BUILT_JAR" ]]; then
  if [[ ! -d $spark_jars ]]; then
    build_app_jar "target/spark-home/jars is missing"
  elif app_jar_stale; then
    build_app_jar "missing or older than the sources"
  fi
else
  [[ $DRY_RUN == 1 ]] || require_file "$APP_JAR" "APP_JAR not found"
  [[ $DRY_RUN == 1 || -d $spark_jars ]] || build_app_jar "target/spark-home/jars is missing"
fi

# --- Data ---------------------------------------------------------------------------------------------------
# Training is the first word "train" or no word at all; other commands (score, runs, ...) get their arguments as given.
job_args=("$@")
training=0
[[ $# == 0 || ${1:-} == -* || ${1:-} == train ]] && training=1
has_opt() {
  local o
  for o in "${job_args[@]}"; do [[ $o == "$1" || $o == "$1="* ]] && return 0; done
  return 1
}
if ((training)) && ! has_opt --data && ! has_opt --config && ! has_opt --help && ! has_opt -h; then
  mnist=$SPARKLSTM_HOME/data/mnist
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [[ ! -f $mnist/$f ]]; then
      fetch_mnist "$mnist"
      break
    fi
  done
  if [[ ${1:-} == train ]]; then
    job_args=(train --data "$mnist" "${job_args[@]:1}")
  else
    job_args=(--data "$mnist" "${job_args[@]}")
  fi
fi

# --- The JVM ------------------------------------------------------------------------------------------------
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [[ -z ${OPENBLAS_CORETYPE+set} ]]; then
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
log_conf=()
[[ -f $CONF_DIR/log4j2.properties ]] && log_conf=(-Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties")
[[ $DRY_RUN == 1 ]] &&
  echo "$(basename "$0"): in $PWD with OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-}" >&2

print_or_exec "$JAVA" @"$OPENS_FILE" -Xmx"${DRIVER_MEMORY:-4g}" \
  -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
  "${log_conf[@]}" \
  -cp "$spark_jars/*" org.apache.spark.deploy.SparkSubmit \
  --master "${SPARK_MASTER:-local[*,4]}" \
  --class "$MAIN_CLASS" \
  "$APP_JAR" "${job_args[@]}"
