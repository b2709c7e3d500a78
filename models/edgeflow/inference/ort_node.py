"""Run an ONNX file through onnxruntime-node (the runtime the extension uses) from Python.

Python's onnxruntime is not available here; a persistent `node ort_runner.js` process does the
work over a small binary stdin/stdout protocol.
"""
import json
import os
import shutil
import struct
import subprocess

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def ort_node_available():
    return shutil.which("node") is not None and os.path.isdir(os.path.join(REPO, "node_modules", "onnxruntime-node"))


class OrtNodeModel:
    """Callable like the protocol model: (image, clicks, prev_edge) -> (mask, edge, coarse)."""

    INPUTS = ("image", "clicks", "prev_edge")
    OUTPUTS = ("mask_logits", "edge_logits", "coarse_logits")

    def __init__(self, onnx_path, threads=2):
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "ort_runner.js"), os.path.abspath(onnx_path), str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, feeds):
        """feeds: dict name -> float32 numpy array; returns dict name -> numpy array."""
        arrs = [(k, np.ascontiguousarray(v, dtype=np.float32)) for k, v in feeds.items()]
        header = json.dumps({"inputs": [{"name": k, "dims": list(a.shape)} for k, a in arrs]}).encode()
        self.proc.stdin.write(struct.pack("<I", len(header)) + header + b"".join(a.tobytes() for _, a in arrs))
        self.proc.stdin.flush()
        (hlen,) = struct.unpack("<I", self._read(4))
        rep = json.loads(self._read(hlen))
        if "error" in rep:
            raise RuntimeError("onnxruntime-node: " + rep["error"])
        out = {}
        for o in rep["outputs"]:
            n = int(np.prod(o["dims"]))
            out[o["name"]] = np.frombuffer(self._read(4 * n), np.float32).reshape(o["dims"])
        return out

    def _read(self, n):
        data = self.proc.stdout.read(n)
        if data is None or len(data) != n:
            raise RuntimeError("onnxruntime-node runner exited")
        return data

    def __call__(self, image, clicks, prev_edge):
        res = self.run({"image": image.numpy(), "clicks": clicks.numpy(), "prev_edge": prev_edge.numpy()})
        return tuple(torch.from_numpy(res[k].copy()) for k in self.OUTPUTS)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
