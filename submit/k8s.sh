#!/usr/bin/env bash
# Submits the training job to Kubernetes (spark-submit --master k8s://..., cluster deploy mode): the driver runs
# in a pod made from IMAGE (built with submit/Dockerfile), and it starts EXECUTOR_INSTANCES executor pods.
#
# Usage: submit/k8s.sh [--help] [--] [job options...]
#   e.g. K8S_MASTER=k8s://https://10.0.0.1:6443 IMAGE=registry.example.com/sparklstm:<version> \
#        submit/k8s.sh --data hdfs://nn:8020/mnist --output hdfs://nn:8020/sparklstm
# Needs a namespace and a service account allowed to create pods, services and configmaps there
# (submit/k8s/rbac.yaml). --data/--output must be reachable from the pods (hdfs://; the image has no s3a jars).
#
# Settings (environment variables, default in brackets):
#   SPARK_HOME                Spark 3.5.x distribution with spark-kubernetes (bin/spark-submit)    [required]
#   K8S_MASTER                API server, k8s://https://host:port                                  [required]
#   IMAGE                     the job's image (submit/docker-build.sh)                             [sparklstm:<version>,
#                             the version read from pom.xml]
#   IMAGE_PULL_POLICY         Always, IfNotPresent or Never                                        [IfNotPresent]
#   IMAGE_PULL_SECRETS        comma-separated secret names for a private registry                  [unset]
#   NAMESPACE                 namespace of the driver and executor pods                            [sparklstm]
#   SERVICE_ACCOUNT           service account of the driver (creates executor pods)                [sparklstm]
#   EXECUTOR_INSTANCES        executor pods                                                        [2]
#   EXECUTOR_CORES            cores per executor = DL4J workers per executor (pod CPU request)     [2]
#   EXECUTOR_LIMIT_CORES      CPU limit of an executor pod                                         [= EXECUTOR_CORES]
#   EXECUTOR_MEMORY           executor heap                                                        [4g]
#   EXECUTOR_MEMORY_OVERHEAD  pod memory above the heap: ND4J off-heap + natives                   [5g]
#   DRIVER_CORES              driver pod CPU request                                               [1]
#   DRIVER_MEMORY             driver heap                                                          [2g]
#   DRIVER_MEMORY_OVERHEAD    driver pod memory above the heap                                     [3g]
#   WAIT_FOR_COMPLETION       true: follow the driver pod until it ends; false: return once created [true]
#   APP_JAR                   the jar inside the image                                             [local:///opt/sparklstm/sparklstm.jar]
#   CONF_DIR, APP_NAME, MAIN_CLASS, EXTRA_SPARK_ARGS, SPARKLSTM_HOME, SPARKLSTM_VERSION, DRY_RUN=1: see submit/common.sh
# Exit code: spark-submit's, unchanged (it reports the driver pod's end); the script's own failures exit 10.
set -euo pipefail
APP_JAR=${APP_JAR:-local:///opt/sparklstm/sparklstm.jar}
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
require_spark_home
require_conf
load_opens

K8S_MASTER=${K8S_MASTER:-}
IMAGE=${IMAGE:-${SPARKLSTM_VERSION:+sparklstm:$SPARKLSTM_VERSION}}
IMAGE_PULL_POLICY=${IMAGE_PULL_POLICY:-IfNotPresent}
IMAGE_PULL_SECRETS=${IMAGE_PULL_SECRETS:-}
NAMESPACE=${NAMESPACE:-sparklstm}
SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-sparklstm}
EXECUTOR_INSTANCES=${EXECUTOR_INSTANCES:-2}
EXECUTOR_CORES=${EXECUTOR_CORES:-2}
EXECUTOR_LIMIT_CORES=${EXECUTOR_LIMIT_CORES:-$EXECUTOR_CORES}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-4g}
EXECUTOR_MEMORY_OVERHEAD=${EXECUTOR_MEMORY_OVERHEAD:-5g}
DRIVER_CORES=${DRIVER_CORES:-1}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}
DRIVER_MEMORY_OVERHEAD=${DRIVER_MEMORY_OVERHEAD:-3g}
WAIT_FOR_COMPLETION=${WAIT_FOR_COMPLETION:-true}

[[ $K8S_MASTER == k8s://* ]] || die_usage "K8S_MASTER must be k8s://https://host:port (got '$K8S_MASTER')"
[[ -n $IMAGE ]] ||
  die_usage "set IMAGE (no project version to name the default image after: no pom.xml in $SPARKLSTM_HOME)"

# Inside the image (submit/Dockerfile) the Log4j config is at a fixed path.
log4j=-Dlog4j2.configurationFile=file:/opt/sparklstm/conf/log4j2.properties
args=(
  --master "$K8S_MASTER"
  --deploy-mode cluster
  --driver-cores "$DRIVER_CORES"
  --driver-memory "$DRIVER_MEMORY"
  --executor-memory "$EXECUTOR_MEMORY"
  --executor-cores "$EXECUTOR_CORES"
  --num-executors "$EXECUTOR_INSTANCES"
  --conf "spark.kubernetes.namespace=$NAMESPACE"
  --conf "spark.kubernetes.container.image=$IMAGE"
  --conf "spark.kubernetes.container.image.pullPolicy=$IMAGE_PULL_POLICY"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=$SERVICE_ACCOUNT"
  --conf "spark.kubernetes.executor.limit.cores=$EXECUTOR_LIMIT_CORES"
  --conf "spark.kubernetes.submission.waitAppCompletion=$WAIT_FOR_COMPLETION"
  --conf "spark.executor.memoryOverhead=$EXECUTOR_MEMORY_OVERHEAD"
  --conf "spark.driver.memoryOverhead=$DRIVER_MEMORY_OVERHEAD"
  --conf "spark.executor.extraJavaOptions=$(java_opts_with executor "$log4j")"
  --conf "spark.driver.extraJavaOptions=$(java_opts_with driver "$log4j")"
)
[[ -n $IMAGE_PULL_SECRETS ]] && args+=(--conf "spark.kubernetes.container.image.pullSecrets=$IMAGE_PULL_SECRETS")

run_spark_submit "${args[@]}" -- "$APP_JAR" "$@"
