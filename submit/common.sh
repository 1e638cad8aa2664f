# shellcheck shell=bash
# Shared by every submit/*.sh script (sourced, not run): locations, the project version and the application jar,
# the Java 17 opens list, the exit codes, the Maven build, the MNIST fetch and the spark-submit call.
# Every setting is an environment variable with a default; scripts document the ones they read in --help.
#
#   SPARKLSTM_HOME     project root                                  (default: the folder above submit/)
#   SPARKLSTM_VERSION  the project version                           (default: the first <version> of the project in
#                      $SPARKLSTM_HOME/pom.xml; the image made by submit/Dockerfile sets it)
#   APP_JAR            the application jar    (default: $SPARKLSTM_HOME/target/sparklstm-$SPARKLSTM_VERSION.jar)
#   SPARK_HOME         Spark 3.5.x distribution with bin/spark-submit
#                      (required by standalone.sh, yarn.sh and k8s.sh unless DRY_RUN=1)
#   CONF_DIR           spark-defaults.conf + log4j2.properties       (default: $SPARKLSTM_HOME/conf)
#   APP_NAME           spark.app.name                                (default: sparklstm)
#   MAIN_CLASS         the job's main class                          (default: io.sparklstm.cli.Main)
#   EXTRA_SPARK_ARGS   more spark-submit options, word-split         (default: empty), e.g. "--conf spark.x=y"
#   DRY_RUN=1          print the command, one argument per line, and exit 0 without running it (nor building)
#   MVN                Maven command for building the jar            (default: mvn), e.g. "mvn -o" to stay offline
#   JAVA               Java 17 executable for scripts that start java (default: $JAVA_HOME/bin/java, else java)
#
# The Java 17 --add-opens list lives in submit/java17-opens.txt only (one option per line, a java @argfile): scripts
# read it at run time; conf/spark-defaults.conf and submit/k8s/*.yaml carry generated copies (submit/sync-opens.sh).
#
# Exit codes. The job's own (io.sparklstm.cli.Main), passed through unchanged by every script:
#    0  trained, evaluated and promoted to CURRENT
#    1  the job failed: rerun the same command to resume from its last checkpoint
#    2  bad input or usage of the job: an option, a data file, the store's state (nothing was written)
#    3  trained and kept, but not promoted by the quality gate
#    4  training diverged: nothing published
#    5  the store is locked by another live run (or the run lost its lock): nothing published
# The scripts' own failures, before or around the job:
#   10  usage or environment error of a script: SPARK_HOME unset, a file missing, a bad environment value
#   11  building the application jar failed (mvn package)
#   12  fetching MNIST failed (no npm, no network)
#   13  MNIST checksum mismatch
#   14  a local cluster (HDFS, Spark standalone Master/Workers) failed to start
# Anything else is spark-submit's or java's own status, passed through as well (128+N: killed by signal N).
#

EXIT_USAGE=10 EXIT_BUILD=11 EXIT_FETCH=12 EXIT_CHECKSUM=13 EXIT_CLUSTER=14

SPARKLSTM_COMMON=${BASH_SOURCE[0]}

# die_with CODE MESSAGE...: one line on stderr, named after the running script, then exit CODE.
die_with() {
  local code=$1
  shift
  echo "$(basename "$0"): $*" >&2
  exit "$code"
}
die_usage() { die_with "$EXIT_USAGE" "$@"; }
die_build() { die_with "$EXIT_BUILD" "$@"; }
die_fetch() { die_with "$EXIT_FETCH" "$@"; }
die_checksum() { die_with "$EXIT_CHECKSUM" "$@"; }
die_cluster() { die_with "$EXIT_CLUSTER" "$@"; }

require_file() { [[ -f $1 ]] || die_usage "$2 ($1 not found)"; }

# project_version: the project's own <version> in $SPARKLSTM_HOME/pom.xml (the first <version> that is not inside
# <parent>, comments skipped; the parent's when the project has none); empty when there is no pom.xml.
project_version() {
  local pom=$SPARKLSTM_HOME/pom.xml
  [[ -f $pom ]] || return 0
  awk '
    {
      line = $0; out = ""
      while (1) {
        if (incomment) {
          e = index(line, "-->")
          if (!e) { line = ""; break }
          line = substr(line, e + 3); incomment = 0
        }
        s = index(line, "<!--")
        if (!s) { out = out line; break }
        out = out substr(line, 1, s - 1); line = substr(line, s + 4); incomment = 1
      }
      line = out
    }
    line ~ /<parent>/ { inparent = 1 }
    line ~ /<(properties|dependencies|dependencyManagement|build|profiles|modules|reporting|repositories)>/ { exit }
    match(line, /<version>[^<]*<\/version>/) {
      v = substr(line, RSTART + 9, RLENGTH - 19)
      gsub(/[ \t]/, "", v)
      if (inparent) parent = v
      else { found = v; exit }
    }
    line ~ /<\/parent>/ { inparent = 0 }
    END { print (found != "" ? found : parent) }
  ' "$pom"
}

SPARKLSTM_HOME=${SPARKLSTM_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SPARKLSTM_VERSION=${SPARKLSTM_VERSION:-$(project_version)}
# The jar `mvn package` makes; APP_JAR defaults to it (scripts build it only when APP_JAR is this one).
BUILT_JAR=${SPARKLSTM_VERSION:+$SPARKLSTM_HOME/target/sparklstm-$SPARKLSTM_VERSION.jar}
APP_JAR=${APP_JAR:-$BUILT_JAR}
CONF_DIR=${CONF_DIR:-$SPARKLSTM_HOME/conf}
APP_NAME=${APP_NAME:-sparklstm}
MAIN_CLASS=${MAIN_CLASS:-io.sparklstm.cli.Main}
EXTRA_SPARK_ARGS=${EXTRA_SPARK_ARGS:-}
DRY_RUN=${DRY_RUN:-0}
MVN=${MVN:-mvn}
if [[ -z ${JAVA:-} ]]; then
  if [[ -n ${JAVA_HOME:-} ]]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
fi
OPENS_FILE=$SPARKLSTM_HOME/submit/java17-opens.txt

# usage_if_help "$@": prints the calling script's header comment and the exit codes (its --help) when the first
# argument asks for it. Every other argument is a job option, passed through to the job unchanged (so "$0 -- --help"
# shows the job's own options).
usage_if_help() {
  if [[ ${1:-} == --help || ${1:-} == -h ]]; then
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
    echo
    sed -n '/^# Exit codes/,/^#$/{/^#$/d;s/^# \{0,1\}//;p}' "$SPARKLSTM_COMMON"
    exit 0
  fi
}

# check_environment: the settings every script reads, checked once they are known (after --help).
check_environment() {
  [[ $DRY_RUN == 0 || $DRY_RUN == 1 ]] || die_usage "DRY_RUN must be 0 or 1 (got '$DRY_RUN')"
}

# require_app_jar: APP_JAR is known (it is not when pom.xml has no version and neither APP_JAR nor SPARKLSTM_VERSION
# is set).
require_app_jar() {
  [[ -n $APP_JAR ]] ||
    die_usage "cannot read the project version from $SPARKLSTM_HOME/pom.xml: set SPARKLSTM_VERSION or APP_JAR"
}

# require_spark_home: SPARK_HOME must be a Spark distribution (not needed for DRY_RUN=1).
require_spark_home() {
  [[ $DRY_RUN == 1 ]] && return 0
  [[ -n ${SPARK_HOME:-} ]] || die_usage "SPARK_HOME is not set (a Spark 3.5.x distribution with bin/spark-submit)"
  [[ -x $SPARK_HOME/bin/spark-submit ]] ||
    die_usage "SPARK_HOME=$SPARK_HOME has no executable bin/spark-submit (a Spark 3.5.x distribution)"
}

# load_opens: JAVA17_OPENS = the --add-opens options Spark, Kryo and ND4J need on Java 17, from
# submit/java17-opens.txt (a java @argfile: one option per line; blank lines and lines starting with '#' are skipped),
# checked. Call it in the script's own shell (not in $(...)) so that a bad file stops the script with exit 10.
# A java command line can take the file itself: java @"$OPENS_FILE" ...
JAVA17_OPENS=()
load_opens() {
  [[ -f $OPENS_FILE ]] || die_usage "missing $OPENS_FILE"
  local line
  JAVA17_OPENS=()
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -z $line || $line == '#'* ]] && continue
    [[ $line == --add-*=* && $line != *[[:space:]\#\"\']* ]] ||
      die_usage "$OPENS_FILE: '$line' is not one --add-...=... option" \
        "(one per line; comments only on lines starting with #)"
    JAVA17_OPENS+=("$line")
  done <"$OPENS_FILE"
  ((${#JAVA17_OPENS[@]})) || die_usage "$OPENS_FILE lists no options"
}

# java17_opens: the opens list, space-separated.
java17_opens() {
  ((${#JAVA17_OPENS[@]})) || load_opens
  echo "${JAVA17_OPENS[*]}"
}

# require_conf: $CONF_DIR holds spark-defaults.conf (exit 10 otherwise).
require_conf() { require_file "$CONF_DIR/spark-defaults.conf" "CONF_DIR must hold spark-defaults.conf"; }

# log_conf_for_local_driver: a driver started by this spark-submit (client mode) logs through $CONF_DIR/log4j2.properties.
# Done through SPARK_SUBMIT_OPTS, which the launcher adds to the driver JVM: --driver-java-options would replace
# spark.driver.extraJavaOptions (the --add-opens list) from spark-defaults.conf instead of adding to it.
log_conf_for_local_driver() {
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }-Dlog4j2.configurationFile=file:$CONF_DIR/log4j2.properties"
}

# conf_value KEY: the value of KEY in $CONF_DIR/spark-defaults.conf (empty if absent).
conf_value() {
  awk -v k="$1" '$1 == k { sub(/^[^ \t]+[ \t]+/, ""); v = $0 } END { print v }' "$CONF_DIR/spark-defaults.conf"
}

# java_opts_with ROLE EXTRA...: the opens list from submit/java17-opens.txt, the other options of
# spark.ROLE.extraJavaOptions in spark-defaults.conf, then EXTRA (a --conf for it replaces the file's value, so the
# file's options have to be carried over). Call load_opens and require_conf first.
java_opts_with() {
  local role=$1 opt
  shift
  local -a opts=() file_opts=()
  read -r -a file_opts <<<"$(conf_value "spark.$role.extraJavaOptions")"
  ((${#JAVA17_OPENS[@]})) || load_opens
  opts=("${JAVA17_OPENS[@]}")
  for opt in "${file_opts[@]}"; do
    [[ $opt == --add-*=* ]] || opts+=("$opt")
  done
  echo "${opts[*]}${*:+ $*}"
}

# build_app_jar REASON: mvn -DskipTests package in the project root (the caller's directory is left alone); exit 11
# when it fails. With DRY_RUN=1 it only says so.
build_app_jar() {
  if [[ $DRY_RUN == 1 ]]; then
    echo "$(basename "$0"): would build $BUILT_JAR ($1): (cd $SPARKLSTM_HOME && $MVN -B -q -DskipTests package)" >&2
    return 0
  fi
  echo "$(basename "$0"): building $BUILT_JAR ($1)" >&2
  # shellcheck disable=SC2086  # MVN may carry flags
  (cd "$SPARKLSTM_HOME" && $MVN -B -q -DskipTests package) ||
    die_build "building the application jar failed ($MVN -B -q -DskipTests package in $SPARKLSTM_HOME)"
  [[ -f $BUILT_JAR ]] || die_build "$MVN package did not make $BUILT_JAR"
}

# app_jar_stale: true when the built jar is missing or older than pom.xml, src/ or conf/.
app_jar_stale() {
  local sources=() p
  for p in pom.xml src conf; do [[ -e $SPARKLSTM_HOME/$p ]] && sources+=("$SPARKLSTM_HOME/$p"); done
  [[ ! -f $BUILT_JAR ]] || { ((${#sources[@]})) && [[ -n $(find "${sources[@]}" -newer "$BUILT_JAR" -print -quit) ]]; }
}

# fetch_mnist DIR: data/fetch-mnist.sh into DIR; its exit code (12: fetching failed, 13: checksum mismatch) is
# passed on. With DRY_RUN=1 it only says so.
fetch_mnist() {
  local fetch=$SPARKLSTM_HOME/data/fetch-mnist.sh
  if [[ $DRY_RUN == 1 ]]; then
    echo "$(basename "$0"): would fetch MNIST into $1: $fetch $1" >&2
    return 0
  fi
  require_file "$fetch" "cannot fetch MNIST"
  local rc=0
  bash "$fetch" "$1" >&2 || rc=$?
  case $rc in
    0) ;;
    "$EXIT_FETCH" | "$EXIT_CHECKSUM") exit "$rc" ;;
    *) die_fetch "fetching MNIST failed ($fetch exited $rc)" ;;
  esac
}

# print_or_exec CMD...: DRY_RUN=1 prints the command, one argument per line; otherwise it replaces this shell, so the
# command's exit code is the script's.
print_or_exec() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '%s\n' "$@"
    exit 0
  fi
  echo "+ $*" >&2
  exec "$@"
}

# spark_submit_command ARG...: fills SUBMIT_CMD with the spark-submit command: the common part (class, name,
# properties file) + ARGs; the jar and job args come from the caller:
# spark_submit_command <spark options> -- <primary resource> <job args>.
SUBMIT_CMD=()
spark_submit_command() {
  local submit
  require_spark_home
  submit=${SPARK_HOME:-\$SPARK_HOME}/bin/spark-submit
  require_conf
  local -a spark_args=() job_args=()
  while (($#)) && [[ $1 != -- ]]; do
    spark_args+=("$1")
    shift
  done
  [[ ${1:-} == -- ]] && shift
  job_args=("$@")
  # shellcheck disable=SC2206  # EXTRA_SPARK_ARGS is word-split on purpose
  local -a extra=($EXTRA_SPARK_ARGS)
  SUBMIT_CMD=("$submit"
    --class "$MAIN_CLASS"
    --name "$APP_NAME"
    --properties-file "$CONF_DIR/spark-defaults.conf"
    "${spark_args[@]}" "${extra[@]}" "${job_args[@]}")
  [[ $DRY_RUN == 1 && -n ${SPARK_SUBMIT_OPTS:-} ]] && echo "SPARK_SUBMIT_OPTS=$SPARK_SUBMIT_OPTS" >&2
  return 0
}

# run_spark_submit ARG...: spark_submit_command ARG..., then runs it in place of this shell (print_or_exec).
run_spark_submit() {
  spark_submit_command "$@"
  print_or_exec "${SUBMIT_CMD[@]}"
}
