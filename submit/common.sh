# shellcheck shell=bash
# Shared by submit/*.sh (sourced, not run): locations, the Java 17 opens list, and the spark-submit call.
# Every setting is an environment variable with a default; scripts document the ones they read in --help.
#
#   SPARKLSTM_HOME   project root                              (default: the folder above submit/)
#   SPARK_HOME       Spark 3.5.x distribution with bin/spark-submit (required unless DRY_RUN=1)
#   APP_JAR          the application jar                       (default: $SPARKLSTM_HOME/target/sparklstm-0.1.0.jar)
#   CONF_DIR         spark-defaults.conf + log4j2.properties   (default: $SPARKLSTM_HOME/conf)
#   APP_NAME         spark.app.name                            (default: sparklstm)
#   MAIN_CLASS       the job's main class                      (default: io.sparklstm.cli.Main)
#   EXTRA_SPARK_ARGS more spark-submit options, word-split     (default: empty), e.g. "--conf spark.x=y"
#   DRY_RUN=1        print the spark-submit command, one argument per line, and exit 0 without running it

SPARKLSTM_HOME=${SPARKLSTM_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
APP_JAR=${APP_JAR:-$SPARKLSTM_HOME/target/sparklstm-0.1.0.jar}
CONF_DIR=${CONF_DIR:-$SPARKLSTM_HOME/conf}
APP_NAME=${APP_NAME:-sparklstm}
MAIN_CLASS=${MAIN_CLASS:-io.sparklstm.cli.Main}
EXTRA_SPARK_ARGS=${EXTRA_SPARK_ARGS:-}
DRY_RUN=${DRY_RUN:-0}

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# The --add-opens options Spark, Kryo and ND4J need on Java 17, space-separated (from submit/java17-opens.txt).
java17_opens() {
  local f=$SPARKLSTM_HOME/submit/java17-opens.txt
  [[ -f $f ]] || die "missing $f"
  grep -v '^[[:space:]]*\(#\|$\)' "$f" | paste -sd' ' -
}

# usage_if_help "$@": prints the calling script's header comment (its --help) when the first argument asks for it.
# Every other argument is a job option, passed through to io.sparklstm.cli.Main (so "$0 -- --help" shows the job's).
usage_if_help() {
  if [[ ${1:-} == --help || ${1:-} == -h ]]; then
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
    exit 0
  fi
}


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

# java_opts_with ROLE EXTRA...: spark.ROLE.extraJavaOptions from spark-defaults.conf plus EXTRA (a --conf for it
# replaces the file's value, so the --add-opens list has to be carried over).
java_opts_with() {
  local role=$1; shift
  echo "$(conf_value "spark.$role.extraJavaOptions") $*"
}

require_file() { [[ -f $1 ]] || die "$2 ($1 not found)"; }

# run_spark_submit ARG...: the common part (class, name, properties file) + ARGs; then the jar and job args come
# from the caller: run_spark_submit <spark options> -- <primary resource> <job args>.
run_spark_submit() {
  local submit
  if [[ $DRY_RUN == 1 ]]; then
    submit=${SPARK_HOME:-\$SPARK_HOME}/bin/spark-submit
  else
    [[ -n ${SPARK_HOME:-} ]] || die "SPARK_HOME is not set (a Spark 3.5 distribution with bin/spark-submit)"
    submit=$SPARK_HOME/bin/spark-submit
    [[ -x $submit ]] || die "$submit is not executable"
  fi
  require_file "$CONF_DIR/spark-defaults.conf" "CONF_DIR must hold spark-defaults.conf"
  local -a spark_args=() job_args=()
  while (($#)) && [[ $1 != -- ]]; do spark_args+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  job_args=("$@")
  # shellcheck disable=SC2206  # EXTRA_SPARK_ARGS is word-split on purpose
  local -a extra=($EXTRA_SPARK_ARGS)
  local -a cmd=("$submit"
    --class "$MAIN_CLASS"
    --name "$APP_NAME"
    --properties-file "$CONF_DIR/spark-defaults.conf"
    "${spark_args[@]}" "${extra[@]}" "${job_args[@]}")
  if [[ $DRY_RUN == 1 ]]; then
    [[ -n ${SPARK_SUBMIT_OPTS:-} ]] && echo "SPARK_SUBMIT_OPTS=$SPARK_SUBMIT_OPTS" >&2
    printf '%s\n' "${cmd[@]}"
    return 0
  fi
  echo "+ ${cmd[*]}" >&2
  exec "${cmd[@]}"
}
