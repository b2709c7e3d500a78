#!/usr/bin/env bash
# The model side's Python environment: a virtual environment in .venv (ignored) with the pinned
# models/requirements.txt, from the pip index this machine is configured with (`pip config list`;
# a local wheel mirror on the project's machines). Idempotent: does nothing when .venv already
# has exactly those versions; when the requirements change, installs into the existing .venv
# (only what differs), so a running training job keeps its interpreter.
#   bash scripts/setup-python.sh            then   .venv/bin/python models/train.py ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${EDGEFLOW_VENV:-.venv}"
REQ=models/requirements.txt
stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "python environment up to date: $VENV ($("$VENV/bin/python" -c 'import torch; print("torch", torch.__version__)'))"
  exit 0
fi
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  echo "updating $VENV to $REQ"
else
  # A python3 that can make a virtual environment with pip (the image's own, not Debian's without
  # python3-venv).
  PY=""
  for cand in "${EDGEFLOW_PYTHON:-}" python3 /root/.pyenv/shims/python3 /usr/local/bin/python3 /usr/bin/python3; do
    [[ -n "$cand" ]] && command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import venv, ensurepip' >/dev/null 2>&1; then PY="$cand"; break; fi
  done
  [[ -n "$PY" ]] || { echo "no python3 with venv and ensurepip found (set EDGEFLOW_PYTHON)"; exit 1; }
  echo "creating $VENV with $("$PY" --version) ($PY)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
# Where pip's configured extra indexes are local folders (the wheel mirror), use them as the index
# too: the default index is unreachable here and every package would wait for its retries.
args=()
extra="$("$VENV/bin/pip" config get global.extra-index-url 2>/dev/null || true)"
if [[ -n "$extra" ]]; then
  first="${extra%% *}"
  if [[ "$first" == file://* && -d "${first#file://}" ]]; then args=(--index-url "$first"); fi
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "${args[@]}" -r "$REQ" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
echo "$want" > "$stamp"
"$VENV/bin/python" -c 'import torch, numpy, scipy, onnx, onnxruntime, pycocotools; print("python environment ready:", "torch", torch.__version__, "numpy", numpy.__version__, "onnxruntime", onnxruntime.__version__)'
