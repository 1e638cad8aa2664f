#!/usr/bin/env bash
# Makes the Python environment of bench/run.sh's peer rows (h): a venv with PyTorch's official CPU build and Keras 3
# on TensorFlow's CPU build, installed with pip from whatever package source this machine's pip configuration names
# (a local index or find-links directory where there is no route to PyPI). Prints the venv's python on success;
# on failure prints one line saying why on stderr and exits 1, and the bench falls back to a python3 that already
# imports torch (e.g. Debian's python3-torch 1.13, a generic build) or skips the peers.
#
#   bench/peers/setup.sh [VENV_DIR]     # default target/peers-venv; reuses a venv that already imports both
set -uo pipefail
venv=${1:-target/peers-venv}
py=$venv/bin/python
if [[ -x $py ]] && "$py" -c 'import torch, keras, tensorflow' >/dev/null 2>&1; then
  echo "$py"
  exit 0
fi
if ! python3 -m venv "$venv" >/dev/null 2>&1; then
  echo "peers: python3 -m venv failed (no python3 venv module)" >&2
  exit 1
fi
log=$venv/pip-install.log
# PIP_DEFAULT_TIMEOUT keeps an unreachable index from hanging the bench; one try per package source
if ! PIP_DEFAULT_TIMEOUT=20 PIP_RETRIES=0 timeout 1200 "$py" -m pip install --disable-pip-version-check -q \
    numpy torch tensorflow-cpu keras >"$log" 2>&1; then
  echo "peers: pip could not install numpy, torch, tensorflow-cpu and keras from this machine's package sources" \
    "($(grep -m1 -E 'ERROR|No matching' "$log" | cut -c1-160); full log: $log)" >&2
  exit 1
fi
echo "$py"
