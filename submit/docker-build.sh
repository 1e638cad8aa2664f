#!/usr/bin/env bash
# Builds the job's Kubernetes image from submit/Dockerfile with the application jar of the pom's version: the one
# place that turns submit/common.sh's APP_JAR and version into docker build arguments.
#
# Usage: submit/docker-build.sh [--help] [--] [docker build options...]
#   e.g. IMAGE=registry.example.com/ml/sparklstm:nightly submit/docker-build.sh \
#          --build-arg SPARK_IMAGE=apache/spark:3.5.6-java17
# Runs: docker build -f submit/Dockerfile --build-arg APP_JAR=target/sparklstm-<version>.jar
#       --build-arg SPARKLSTM_VERSION=<version> -t $IMAGE [options] $SPARKLSTM_HOME
# Build the jar first (mvn -B package); then push IMAGE and point submit/k8s.sh (IMAGE) or the manifests at it.
#
# Settings (environment variables, default in brackets):
#   IMAGE      image name and tag                               [sparklstm:<version>, the version read from pom.xml]
#   DOCKER     docker (or a compatible CLI, e.g. podman)        [docker]
#   APP_JAR    the jar to put in the image; must lie inside the project root (the build context)
#              [target/sparklstm-<version>.jar]
#   SPARKLSTM_HOME, SPARKLSTM_VERSION, DRY_RUN=1 (print the docker command): see submit/common.sh
# Exit code: docker's, unchanged; the script's own failures exit 10.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
[[ ${1:-} == -- ]] && shift
check_environment
[[ -n $SPARKLSTM_VERSION ]] ||
  die_usage "no project version: $SPARKLSTM_HOME/pom.xml is missing (or set SPARKLSTM_VERSION)"

IMAGE=${IMAGE:-sparklstm:$SPARKLSTM_VERSION}
DOCKER=${DOCKER:-docker}
home=$(realpath -m "$SPARKLSTM_HOME")
jar=$(realpath -m "$APP_JAR")
[[ $jar == "$home"/* ]] || die_usage "APP_JAR must lie inside $SPARKLSTM_HOME, the build context (got $APP_JAR)"
[[ $DRY_RUN == 1 ]] || require_file "$jar" "build the application jar first: mvn -B package"

# shellcheck disable=SC2206  # DOCKER may carry flags
docker_cmd=($DOCKER)
print_or_exec "${docker_cmd[@]}" build -f "$home/submit/Dockerfile" \
  --build-arg "APP_JAR=${jar#"$home"/}" \
  --build-arg "SPARKLSTM_VERSION=$SPARKLSTM_VERSION" \
  -t "$IMAGE" "$@" "$home"
