"""Average the weights of several EMA snapshots of one run (stochastic weight averaging over the
snapshots a stage-2 schedule leaves behind), written as a snapshot that evaluate.py and
export_onnx.py read like any other.

Floating-point tensors (weights and BatchNorm running statistics) are averaged with equal
weights; integer buffers (BatchNorm's num_batches_tracked) are taken from the last snapshot.
All snapshots must come from the same architecture (same keys and shapes).

    /usr/bin/python3 models/average_snapshots.py --out avg.pth \\
        models/runs/mnv2/snapshots/ema_step009500.pth models/runs/mnv2/snapshots/ema_step010300.pth
"""
import argparse
import os

import torch

from evaluate import checkpoint_weights


def average_state_dicts(state_dicts):
    """Equal-weight average of float tensors; other tensors from the last state dict."""
    if not state_dicts:
        raise ValueError("no state dicts to average")
    keys = list(state_dicts[-1].keys())
    for i, sd in enumerate(state_dicts):
        if list(sd.keys()) != keys:
            raise ValueError(f"state dict {i} has different keys from the last one")
    out = {}
    for k in keys:
        tensors = [sd[k] for sd in state_dicts]
        shape = tensors[-1].shape
        if any(t.shape != shape for t in tensors):
            raise ValueError(f"{k}: shapes differ: {[tuple(t.shape) for t in tensors]}")
        if tensors[-1].is_floating_point():
            acc = torch.zeros(shape, dtype=torch.float64)
            for t in tensors:
                acc += t.to(torch.float64)
            out[k] = (acc / len(tensors)).to(tensors[-1].dtype)
        else:
            out[k] = tensors[-1].clone()
    return out


def average_snapshots(paths):
    """Load the snapshots and return a snapshot dict of their average (config, step and samples
    of the last one, `averaged_from` listing the inputs)."""
    states = [torch.load(p, map_location="cpu") for p in paths]
    backbones = {s["config"]["backbone"] for s in states}
    if len(backbones) != 1:
        raise ValueError(f"snapshots of different backbones: {sorted(backbones)}")
    last = states[-1]
    return {
        "config": last["config"],
        "step": last.get("step"),
        "samples": last.get("samples"),
        "model": average_state_dicts([checkpoint_weights(s) for s in states]),
        "averaged_from": [{"path": os.path.basename(p), "step": s.get("step")} for p, s in zip(paths, states)],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("snapshots", nargs="+", help="EMA snapshots (or trainer checkpoints) to average")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    snap = average_snapshots(a.snapshots)
    tmp = a.out + ".tmp"
    torch.save(snap, tmp)
    os.replace(tmp, a.out)
    steps = ", ".join(str(s["step"]) for s in snap["averaged_from"])
    print(f"averaged {len(a.snapshots)} snapshots (steps {steps}) -> {a.out}")


if __name__ == "__main__":
    main()
