#!/usr/bin/env bash
# Python tests of the model code (click encoding, edges, losses, data, protocol, training smoke
# run, ONNX export parity). Run from anywhere; tests needing ../shared skip with a message.
# They run in .venv (PyTorch 2.13, models/requirements.txt), made by scripts/setup-python.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${EDGEFLOW_VENV:-.venv}"
bash scripts/setup-python.sh >&2
exec "$VENV/bin/python" -m pytest -q -rs models/tests "$@"
