#!/usr/bin/env bash
# The sparklstm benchmark: every figure in one invocation (so that ratios come from the same minutes of a noisy
# machine), one table on stdout, everything recorded in bench/results/<UTC timestamp>.json (+ .txt: the table).
#
#   bench/run.sh --quick      # harness check: slices, short runs, a few minutes
#   bench/run.sh              # full: full MNIST with the job's defaults, test accuracy after every epoch, sweeps;
#                             # ~30-45 minutes on 2 cores
#
# Training settings (batch size, averaging frequency, prefetch, epochs) are the job's defaults, read from
# conf/sparklstm.properties. Options: --quick, --coretype auto|none|NAME (OPENBLAS_CORETYPE of the table's runs;
# auto = SkylakeX if the CPU has avx512f, Haswell if avx2, else unset), --no-ab (skip the re-run of (a)-(c) without
# OPENBLAS_CORETYPE), --sweep / --no-sweep (averaging frequency, batch size, prefetch one at a time around the defaults;
# default: on in full mode only), --no-cluster, --no-peers (skip (h): the network on PyTorch CPU, run when a python3
# can import torch, e.g. Debian's python3-torch), --pairs N ((i): N interleaved one-core pairs of the job and PyTorch;
# default 3 in full mode, 0 in quick). See bench/README.md for what each figure means.
#
# Builds what is missing first (application jar, target/spark-home, the bench classes) and fetches MNIST.
# Environment: MVN (default "mvn"; e.g. MVN="mvn -o" to stay offline). Run nothing else heavy meanwhile.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
MVN=${MVN:-mvn}
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
jar=target/sparklstm-$version.jar
suite=target/test-classes/io/sparklstm/bench/SuiteBench.class

# shellcheck disable=SC2086  # MVN may carry flags
if [[ ! -f $jar || ! -d target/spark-home/jars || -n $(find src/main conf pom.xml -newer "$jar" -type f 2>/dev/null | head -1) ]]; then
  echo "bench: building $jar (mvn -DskipTests package)" >&2
  $MVN -B -q -DskipTests package
elif [[ ! -f $suite || -n $(find src/test -newer "$suite" -type f 2>/dev/null | head -1) ]]; then
  echo "bench: compiling the bench classes (mvn test-compile)" >&2
  $MVN -B -q test-compile
fi
if [[ ! -f data/mnist/train-images-idx3-ubyte ]]; then
  data/fetch-mnist.sh >&2
fi
mkdir -p target/bench bench/results
(cd target/test-classes && jar cf ../bench/sparklstm-bench.jar io/sparklstm/bench)

# shellcheck disable=SC2046 # one option per line in the file
exec java $(cat submit/java17-opens.txt) -Xmx512m \
  -cp "target/test-classes:$jar:target/spark-home/jars/*" io.sparklstm.bench.SuiteBench "$@"
