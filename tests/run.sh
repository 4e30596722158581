#!/usr/bin/env bash
# The README's test command: sets up everything the tests need on a fresh Debian machine with
# Python 3.11 (gcc, g++, make, Icarus Verilog and Verilator from apt-get when missing; the package
# and its test dependencies in ./.venv: onnx, onnxruntime, IREE's compiler and runtime, ...), then runs the
# whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for tool in gcc:gcc g++:g++ make:make iverilog:iverilog verilator:verilator; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing with apt-get: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check '.[test]'
# One pytest worker per core (pytest-xdist): the suite is about 6 minutes on 2 cores, twice that on one.
.venv/bin/python -m pytest -n auto "$@"
