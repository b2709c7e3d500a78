"""Training throughput on this machine: the data pipeline's time per batch, and the training step
(click simulation, forward, backward, Adam, EMA) in float32 and in bfloat16 autocast, on the same
batches, alternated so that both see the same machine load. Prints samples/s for each.

    /work/venv/bin/python models/bench_train.py --steps 6 --batch 8 --crop 288
    /usr/bin/python3 models/bench_train.py --precisions fp32   # another interpreter, same batches

Run it on a quiet machine (no training in the background), or say in the report that it was not.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from edgeflow.data.pipeline import make_batch, DataRecipe, clear_image_cache  # noqa: E402
from edgeflow.engine import trainer as tr  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=288)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--stage", type=int, default=2, help="1: CoarseNet only; 2: with FineNet")
    ap.add_argument("--data-roots", default="")
    ap.add_argument("--set-weights", default="")
    ap.add_argument("--init-path", default=os.path.normpath(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "pretrained", "mobilenet_v2_imagenet_features.pth")))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = tr.TrainConfig(batch=a.batch, crop=a.crop, max_sim_iters=3, data_roots=a.data_roots,
                         set_weights=a.set_weights, part_weight=0.0)
    sampler = tr.config_sampler(cfg)
    recipe = DataRecipe.of(cfg)
    print(f"torch {torch.__version__}, {a.threads} threads, batch {a.batch}, crop {a.crop}, stage {a.stage}")

    # Data: the first pass decodes every image; the second finds them in the cache.
    for label in ("data (first decode)", "data (cached)"):
        t0 = time.time()
        batches = [make_batch(sampler, 0, s, a.batch, recipe) for s in range(a.steps)]
        dt = (time.time() - t0) / a.steps
        print(f"{label:22s} {dt * 1000:7.0f} ms/batch  {a.batch / dt:6.1f} samples/s")
    clear_image_cache()

    init = a.init_path if os.path.exists(a.init_path) else None
    precs = a.precisions.split(",")
    times = {p: [] for p in precs}
    models = {}
    for p in precs:
        torch.manual_seed(0)
        m = tr.build_model("mobilenetv2", init, "full")
        if p == "bf16":
            m = m.to(memory_format=torch.channels_last)  # as the trainer does
        models[p] = (m, torch.optim.Adam(m.parameters(), lr=1e-5))
    stage2 = a.stage == 2
    for rep in range(a.steps + 1):  # the first step of each is warm-up, not counted
        for p in precs:
            m, opt = models[p]
            c = tr.TrainConfig(**{**cfg.__dict__, "precision": p})
            t0 = time.time()
            out, _ = tr.simulate_and_forward(m, batches[rep % len(batches)], rep, c, stage2)
            loss, _ = tr.compute_losses(out, batches[rep % len(batches)]["gt"], stage2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if rep:
                times[p].append(time.time() - t0)
    for p in precs:
        t = np.array(times[p])
        print(f"train step {p:5s}  median {np.median(t):.2f} s (min {t.min():.2f}, max {t.max():.2f})  "
              f"{a.batch / np.median(t):.2f} samples/s")
    if len(precs) == 2:
        print(f"speed-up {precs[1]} over {precs[0]}: {np.median(times[precs[0]]) / np.median(times[precs[1]]):.2f}x")


if __name__ == "__main__":
    main()
