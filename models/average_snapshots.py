"""Average the weights of several EMA snapshots of one run (stochastic weight averaging over the
snapshots a stage-2 schedule leaves behind), written as a snapshot that evaluate.py and
export_onnx.py read like any other.

Floating-point tensors (weights and BatchNorm running statistics) are averaged with equal
weights; integer buffers (BatchNorm's num_batches_tracked) are taken from the last snapshot.
All snapshots must come from the same architecture (same keys and shapes).

The average of the running statistics is not the statistics of the averaged network. With
--bn-batches N (SWA's last step) they are re-estimated: the plain mean over N batches of the run's
own training stream (from --bn-step on; the recipe of the last snapshot's config), in training
mode, with the clicks simulated by the averaged network as training simulates them.

    /usr/bin/python3 models/average_snapshots.py --out avg.pth [--bn-batches 64] \\
        models/runs/mnv2/snapshots/ema_step009500.pth models/runs/mnv2/snapshots/ema_step010300.pth
"""
import argparse
import copy
import os
import time

import torch

from evaluate import checkpoint_weights
from edgeflow.engine.trainer import TrainConfig, config_batches, simulate_clicks
from edgeflow.model import build_model


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
    states = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
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


def update_bn(net, cfg, n_batches, first_step=0, sampler=None):
    """Re-estimate every BatchNorm's running statistics of `net` as the plain mean over `n_batches`
    training batches of the config's data stream (steps first_step...; `sampler` defaults to the
    config's objects of ../shared's training data). The clicks and edge prior are simulated by a
    copy of the network with its statistics as given. Returns `net` in eval mode."""
    stream = config_batches(cfg, sampler)
    simulator = copy.deepcopy(net).eval()
    bns = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average: the plain mean over the batches
    with torch.no_grad():
        for step in range(first_step, first_step + n_batches):
            batch = stream[step]
            maps, prev_edge, _ = simulate_clicks(simulator, batch, step, cfg, True)
            net.train()
            net(batch["image"], maps, prev_edge, run_fine=True)
    for m, mom in zip(bns, momenta):
        m.momentum = mom
    return net.eval()


def update_snapshot_bn(snap, n_batches, first_step, sampler=None):
    """`update_bn` on a snapshot dict (its config's backbone and recipe); records what was done."""
    cfg = TrainConfig.from_dict(snap["config"])
    net = build_model(cfg.backbone, variant=cfg.variant)
    net.load_state_dict(snap["model"])
    update_bn(net, cfg, n_batches, first_step, sampler)
    snap["model"] = net.state_dict()
    snap["bn_update"] = {"batches": n_batches, "first_step": first_step}
    return snap


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("snapshots", nargs="+", help="EMA snapshots (or trainer checkpoints) to average")
    ap.add_argument("--out", required=True)
    ap.add_argument("--bn-batches", type=int, default=0,
                    help="re-estimate the BatchNorm statistics on this many training batches (0: average them)")
    ap.add_argument("--bn-step", type=int, default=None,
                    help="first training step of those batches (default: the last snapshot's step)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    snap = average_snapshots(a.snapshots)
    if a.bn_batches > 0:
        t0 = time.time()
        first = snap["step"] if a.bn_step is None else a.bn_step
        update_snapshot_bn(snap, a.bn_batches, first)
        print(f"BatchNorm statistics re-estimated on {a.bn_batches} training batches from step {first} "
              f"({time.time() - t0:.0f}s)")
    tmp = a.out + ".tmp"
    torch.save(snap, tmp)
    os.replace(tmp, a.out)
    steps = ", ".join(str(s["step"]) for s in snap["averaged_from"])
    print(f"averaged {len(a.snapshots)} snapshots (steps {steps}) -> {a.out}")


if __name__ == "__main__":
    main()
