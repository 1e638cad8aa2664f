#!/usr/bin/env bash
# Submits the training job to a Spark standalone cluster (spark://host:7077).
#
# Usage: submit/standalone.sh [--help] [--] [job options...]
#   e.g. SPARK_MASTER=spark://m1:7077 submit/standalone.sh --data hdfs://nn:8020/mnist --output hdfs://nn:8020/sparklstm --epochs 3
# Job options go to io.sparklstm.cli.Main unchanged ("submit/standalone.sh -- --help" prints them).
# --output must be a filesystem every executor and the driver share (hdfs://, s3a://, an NFS path mounted
# everywhere): the job stages its minibatches there.
#
# Settings (environment variables, default in brackets):
#   SPARK_HOME            Spark 3.5.x distribution (bin/spark-submit)                 [required]
#   SPARK_MASTER          standalone master URL                                     [spark://localhost:7077]
#   DEPLOY_MODE           client (driver here) or cluster (driver on a worker)      [client]
#   DRIVER_MEMORY         driver heap                                               [2g]
#   EXECUTOR_MEMORY       executor heap (ND4J off-heap comes on top, see conf)      [4g]
#   EXECUTOR_CORES        cores per executor = DL4J workers per executor           [2]
#   TOTAL_EXECUTOR_CORES  cores for the whole application (spark.cores.max)         [4]
#   APP_JAR               application jar; in cluster mode a URL every worker can read
#                         [target/sparklstm-<version>.jar, the version read from pom.xml]
#   CONF_DIR              folder with spark-defaults.conf and log4j2.properties    [conf]
#   APP_NAME, MAIN_CLASS, EXTRA_SPARK_ARGS, SPARKLSTM_HOME, DRY_RUN=1: see submit/common.sh
# Exit code: spark-submit's, unchanged (in client deploy mode the job's own, 0-5 below); the script's own
# failures exit 10.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_app_jar
require_spark_home

SPARK_MASTER=${SPARK_MASTER:-spark://localhost:7077}
DEPLOY_MODE=${DEPLOY_MODE:-client}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-4g}
EXECUTOR_CORES=${EXECUTOR_CORES:-2}
TOTAL_EXECUTOR_CORES=${TOTAL_EXECUTOR_CORES:-4}

[[ $SPARK_MASTER == spark://* ]] || die_usage "SPARK_MASTER must be spark://host:port (got '$SPARK_MASTER')"
[[ $DEPLOY_MODE == client || $DEPLOY_MODE == cluster ]] ||
  die_usage "DEPLOY_MODE must be client or cluster (got '$DEPLOY_MODE')"
[[ $DRY_RUN == 1 || $APP_JAR == *://* ]] || require_file "$APP_JAR" "build the application jar first: mvn -B package"

# A client-mode driver runs here: point its Log4j at our conf (see log_conf_for_local_driver in common.sh).
[[ $DEPLOY_MODE == client ]] && log_conf_for_local_driver

run_spark_submit \
  --master "$SPARK_MASTER" \
  --deploy-mode "$DEPLOY_MODE" \
  --driver-memory "$DRIVER_MEMORY" \
  --executor-memory "$EXECUTOR_MEMORY" \
  --executor-cores "$EXECUTOR_CORES" \
  --total-executor-cores "$TOTAL_EXECUTOR_CORES" \
  -- "$APP_JAR" "$@"
