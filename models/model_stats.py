"""Parameter counts, multiply-accumulates at 400x400 and PyTorch CPU latency per click.

    /usr/bin/python3 models/model_stats.py [--backbone mobilenetv2|hrnet18] [--latency]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from edgeflow.model import build_model  # noqa: E402


def count_macs(net, h=400, w=400, run_fine=True):
    """Multiply-accumulates of conv/linear layers (+ grid_sample, matmul ignored: < 1 %)."""
    macs = {"total": 0}

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
            macs["total"] += out.numel() * k
        elif isinstance(mod, nn.Linear):
            macs["total"] += out.numel() * mod.in_features

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        net.eval()(torch.rand(1, 3, h, w), torch.zeros(1, 2, h, w), torch.zeros(1, 1, h, w), run_fine=run_fine)
    for x in hs:
        x.remove()
    return macs["total"]


def params(mod):
    return sum(p.numel() for p in mod.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", default="mobilenetv2")
    ap.add_argument("--variant", default="full", help="the ablation's variants: baseline, edge_flow, full")
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--onnx", help="also time this ONNX file in onnxruntime-node (includes a small IPC overhead)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    net = build_model(a.backbone, variant=a.variant).eval()
    print(f"backbone {a.backbone}, variant {a.variant}")
    parts = ("encoder", "interaction", "fams", "neck", "heads") + (("finenet",) if net.has_fine else ())
    for name in parts:
        print(f"  params {name:12s} {params(getattr(net, name)) / 1e6:.3f} M")
    print(f"  params total        {sum(params(getattr(net, n)) for n in parts) / 1e6:.3f} M")
    total = count_macs(net)
    coarse = count_macs(net, run_fine=False)
    print(f"  at 400x400: {total / 1e9:.2f} GMAC ({2 * total / 1e9:.2f} GFLOP), of which FineNet {(total - coarse) / 1e9:.2f} GMAC")
    if a.latency:
        x = (torch.rand(1, 3, 416, 416), torch.zeros(1, 2, 416, 416), torch.zeros(1, 1, 416, 416))
        with torch.no_grad():
            for _ in range(2):
                net(*x)
            t = time.time()
            n = 5
            for _ in range(n):
                net(*x)
        print(f"  PyTorch CPU latency at 416x416, {a.threads} threads: {(time.time() - t) / n * 1000:.0f} ms")
    if a.onnx:
        from edgeflow.inference.ort_node import OrtNodeModel

        ort = OrtNodeModel(a.onnx, threads=a.threads)
        for h, w in ((288, 416), (416, 416)):
            x = (torch.rand(1, 3, h, w), torch.zeros(1, 2, h, w), torch.zeros(1, 1, h, w))
            for _ in range(2):
                ort(*x)
            times = []
            for _ in range(7):
                t = time.time()
                ort(*x)
                times.append(time.time() - t)
            print(f"  onnxruntime-node latency at {h}x{w}, {a.threads} threads: median {sorted(times)[3] * 1000:.0f} ms")
        ort.close()


if __name__ == "__main__":
    main()
