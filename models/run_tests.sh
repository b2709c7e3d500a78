#!/usr/bin/env bash
# Python tests of the model code (click encoding, edges, losses, data, protocol, training smoke
# run, ONNX export parity). Run from anywhere; tests needing ../shared skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 -m pytest -q -rs models/tests "$@"
