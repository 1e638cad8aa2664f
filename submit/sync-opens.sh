#!/usr/bin/env bash
# Rewrites the places that cannot read submit/java17-opens.txt at run time from that file, the one list of the Java 17
# --add-opens options Spark, Kryo and ND4J need:
#   conf/spark-defaults.conf   spark.driver.extraJavaOptions and spark.executor.extraJavaOptions
#   submit/k8s/*.yaml          the same two settings, in sparkConf (Spark Operator) and in spark-submit's --conf
#                              (CronJob)
# In each value the --add-... options are replaced by the file's list, in the file's order; the other options
# (-Dorg.bytedeco.javacpp.maxbytes=..., -Dlog4j2...) stay as they are, after it. Files already in sync are left
# untouched, so running it twice changes nothing. Scripts and the pom read the file itself (java @argfile).
#
# Usage: submit/sync-opens.sh [--help]
#   edit submit/java17-opens.txt (one option per line; comments only on lines starting with #), then run this and
#   commit the rewritten files; SubmitScriptsIT and KubernetesManifestsTest fail while they differ.
# Settings: SPARKLSTM_HOME (the project whose files are rewritten; default: the folder above submit/),
#           DRY_RUN=1 (name the files it would rewrite, and the differences, without writing anything)
# Exit code: 0 in sync (files rewritten or already so); 10 a bad opens file or a missing target file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage_if_help "$@"
(($# == 0)) || die_usage "no arguments expected (got: $*); see --help"
check_environment
load_opens

targets=("$SPARKLSTM_HOME/conf/spark-defaults.conf")
for f in "$SPARKLSTM_HOME"/submit/k8s/*.yaml "$SPARKLSTM_HOME"/submit/k8s/*.yml; do
  [[ -f $f ]] && grep -q 'extraJavaOptions' "$f" && targets+=("$f")
done
require_file "${targets[0]}" "cannot sync the opens list"

# rewrite FILE: prints FILE with the opens list of every spark.{driver,executor}.extraJavaOptions value replaced.
rewrite() {
  awk -v opens="${JAVA17_OPENS[*]}" '
    function opts(v,   n, t, i, out) {
      n = split(v, t, /[ \t]+/)
      out = opens
      for (i = 1; i <= n; i++) if (t[i] != "" && t[i] !~ /^--add-[a-z-]+=/) out = out " " t[i]
      return out
    }
    /^[ \t]*#/ { print; next }
    match($0, /^[ \t]*(- +)?spark\.(driver|executor)\.extraJavaOptions/) {
      head = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
      if (match(rest, /^:[ \t]*"/)) {                       # YAML map entry, quoted: key: "value"
        sep = substr(rest, 1, RLENGTH); body = substr(rest, RLENGTH + 1)
        if (sub(/"[ \t]*$/, "", body)) { print head sep opts(body) "\""; next }
      } else if (match(rest, /^:[ \t]*/)) {                 # YAML map entry, plain: key: value
        print head substr(rest, 1, RLENGTH) opts(substr(rest, RLENGTH + 1)); next
      } else if (substr(rest, 1, 1) == "=") {               # spark-submit --conf argument: key=value
        print head "=" opts(substr(rest, 2)); next
      } else if (match(rest, /^[ \t]+/)) {                  # spark-defaults.conf: key  value
        print head substr(rest, 1, RLENGTH) opts(substr(rest, RLENGTH + 1)); next
      }
    }
    { print }
  ' "$1"
}

changed=0
for f in "${targets[@]}"; do
  new=$(mktemp "$f.sync-XXXXXX")
  rewrite "$f" >"$new"
  if cmp -s "$f" "$new"; then
    rm -f "$new"
    echo "sync-opens: ${f#"$SPARKLSTM_HOME"/} already in sync"
  elif [[ $DRY_RUN == 1 ]]; then
    changed=$((changed + 1))
    echo "sync-opens: would rewrite ${f#"$SPARKLSTM_HOME"/}:"
    diff "$f" "$new" || true
    rm -f "$new"
  else
    chmod --reference="$f" "$new"
    mv -f "$new" "$f"
    changed=$((changed + 1))
    echo "sync-opens: rewrote ${f#"$SPARKLSTM_HOME"/}"
  fi
done
echo "sync-opens: ${#JAVA17_OPENS[@]} options from submit/java17-opens.txt; $changed of ${#targets[@]} files" \
  "$([[ $DRY_RUN == 1 ]] && echo "to rewrite (DRY_RUN=1: nothing written)" || echo rewritten)"
