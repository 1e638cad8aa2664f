#!/usr/bin/env bash
# Runs the training job end to end in Spark local mode on all cores, with files on local disk:
#   submit/run-local.sh [job options]        e.g. submit/run-local.sh --epochs 1 --train-limit 5000
# It builds the application jar first when it is missing or older than the sources (mvn package), and fetches MNIST
# when it is missing (data/fetch-mnist.sh).
# The job is launched through Spark's own submit entry point (org.apache.spark.deploy.SparkSubmit, the class behind
# spark-submit) with the application jar, exactly as on a cluster; only the master differs.
#
# Environment: SPARK_MASTER (default local[*]), DRIVER_MEMORY (JVM heap, default 4g),
#              OMP_NUM_THREADS (default 1: one native thread per Spark task is fastest for ND4J),
#              OPENBLAS_CORETYPE (default: SkylakeX on AVX-512 CPUs, Haswell on AVX2 CPUs; see below).
#
# OPENBLAS_CORETYPE: the OpenBLAS 0.3.19 inside ND4J 1.0.0-M2 does not recognise recent Xeons and falls back to its
# generic SSE3 kernels; naming the kernel family makes its GEMMs several times faster (FastLSTM trains ~2x faster).
# A value already set in the environment is kept (some machines set it on purpose); set it empty to disable.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
jar=target/sparklstm-$version.jar

if [[ ! -f $jar || ! -d target/spark-home/jars || -n $(find pom.xml src conf -newer "$jar" -print -quit) ]]; then
  echo "run-local: building $jar (missing or older than the sources)"
  mvn -B -q -DskipTests package
fi
if [[ ! -f data/mnist/train-images-idx3-ubyte ]]; then
  data/fetch-mnist.sh
fi

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [[ -z ${OPENBLAS_CORETYPE+set} ]]; then
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
log_conf=()
[[ -f conf/log4j2.properties ]] && log_conf=(-Dlog4j2.configurationFile="$root/conf/log4j2.properties")

# shellcheck disable=SC2046 # one option per line in the file
exec java $(cat submit/java17-opens.txt) -Xmx"${DRIVER_MEMORY:-4g}" \
  -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
  "${log_conf[@]}" \
  -cp "target/spark-home/jars/*" org.apache.spark.deploy.SparkSubmit \
  --master "${SPARK_MASTER:-local[*]}" \
  --class io.sparklstm.cli.Main \
  "$jar" "$@"
