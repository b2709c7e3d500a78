"""Training on a lent GPU machine, a few minutes at a time.

Only the repository's working tree travels to that machine, at most 64 MiB with what `carry`
names (the tracked files are about 17 MiB), and nothing comes back but up to 8 files of at most
16 MiB under $OUT. So the work is split in two commands:

1. Here, `pack`: draw a training subset with the run's own mixture (its data_roots and
   set_weights, never a validation-only set), shrink each image so that its longer side is at
   most 480 px (JPEG quality 90, masks PNG), keep every object of a drawn image, and stop at
   --max-mib (default 40). It lands in models/data_cache/pack (ignored), in the standard layout,
   one set folder per source set, with pack.json recording the weights.

       .venv/bin/python models/device_train.py pack --config /work/edgeflow-runs/v2/config.json

2. There (device `run`, carry ["models/data_cache/pack"]), `train`: train on CUDA in bf16 for a
   fixed wall budget, starting from the shipped ONNX (BatchNorm re-estimated on the pack, as
   seed_run.py does) or from scratch on ImageNet-free init (hrnet18, the paper's backbone, has no
   init here), with checkpoints in a run folder, then write the EMA weights (split into parts of
   at most 15 MiB) and, for mobilenetv2, the exported ONNX to $OUT.

       python3 models/device_train.py train --pack models/data_cache/pack --out "$OUT" --seconds 480

   Back here, `join` puts the parts together into one EMA snapshot that evaluate.py,
   export_onnx.py and seed_run.py --snapshot read:

       .venv/bin/python models/device_train.py join --parts FILES_AT --out /work/edgeflow-runs/gpu-ema.pth

Runs on the CPU too (the Python tests smoke-run all three on a tiny pack).
"""
import argparse
import glob
import io
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from edgeflow.data.datasets import find_sets, index_set, parse_weights, resolve_roots  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PACK = os.path.join(HERE, "data_cache", "pack")
PART_BYTES = 15 << 20
PACK_SIDE = 480


def _shrink(img, side):
    w, h = img.size
    s = min(1.0, side / max(w, h))
    return (max(1, round(w * s)), max(1, round(h * s)))


def pack(data_roots, set_weights, out, max_mib=40.0, side=PACK_SIDE, seed=0, part_weight=0.0):
    """Write a training subset of at most `max_mib` to `out`; returns {set: objects written}."""
    weights = parse_weights(set_weights)
    sets = find_sets(resolve_roots(data_roots))
    names = sorted(n for n in sets if weights.get(n, 0) > 0)
    if not names:
        raise ValueError(f"no set of {sorted(sets)} has a weight in {set_weights!r}")
    by_image = {}
    for n in names:
        groups = {}
        for o in index_set(sets[n], n):
            if o.group == "part" and part_weight == 0:
                continue
            groups.setdefault(o.image, []).append(o)
        by_image[n] = list(groups.items())
    if os.path.exists(out):
        shutil.rmtree(out)
    rng = np.random.default_rng(seed)
    order = {n: list(rng.permutation(len(by_image[n]))) for n in names}
    p = np.array([weights[n] for n in names], np.float64)
    p /= p.sum()
    budget = int(max_mib * (1 << 20))
    used, written, recs = 0, {n: 0 for n in names}, {n: [] for n in names}
    while used < budget and any(order.values()):
        n = names[rng.choice(len(names), p=p)]
        if not order[n]:
            continue
        image_path, objs = by_image[n][order[n].pop()]
        d = os.path.join(out, n)
        os.makedirs(os.path.join(d, "images"), exist_ok=True)
        os.makedirs(os.path.join(d, "masks"), exist_ok=True)
        stem = f"{written[n]:06d}"
        with Image.open(image_path) as im:
            im = im.convert("RGB")
            size = _shrink(im, side)
            buf = io.BytesIO()
            im.resize(size, Image.BILINEAR).save(buf, "JPEG", quality=90)
        files = [(os.path.join(d, "images", stem + ".jpg"), buf.getvalue())]
        for k, o in enumerate(objs):
            with Image.open(o.mask) as m:
                mb = io.BytesIO()
                m.convert("L").resize(size, Image.BILINEAR).point(lambda v: 255 if v > 127 else 0).save(mb, "PNG", optimize=True)
            files.append((os.path.join(d, "masks", f"{stem}_{k}.png"), mb.getvalue()))
            recs[n].append({"stem": stem, "k": k, "source": os.path.basename(o.mask)})
        size_bytes = sum(len(b) for _, b in files)
        if used + size_bytes > budget:
            for k in range(len(objs)):
                recs[n].pop()
            break
        for path, data in files:
            with open(path, "wb") as f:
                f.write(data)
        used += size_bytes
        written[n] += 1
    for n in names:
        if recs[n]:
            with open(os.path.join(out, n, "objects.jsonl"), "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in recs[n])
    counts = {n: len(recs[n]) for n in names if recs[n]}
    with open(os.path.join(out, "pack.json"), "w") as f:
        json.dump({"set_weights": ",".join(f"{n}={weights[n]}" for n in counts), "objects": counts,
                   "images": {n: written[n] for n in counts}, "bytes": used, "side": side}, f, indent=1)
    return counts, used


def split_file(path, out_dir, part_bytes=PART_BYTES):
    """Copy `path` into out_dir as NAME.partNN files of at most part_bytes each."""
    data = open(path, "rb").read()
    name = os.path.basename(path)
    parts = []
    for i in range(0, max(1, len(data)), part_bytes):
        p = os.path.join(out_dir, f"{name}.part{i // part_bytes:02d}")
        with open(p, "wb") as f:
            f.write(data[i:i + part_bytes])
        parts.append(p)
    return parts


def join_parts(parts_dir, name, out):
    parts = sorted(glob.glob(os.path.join(parts_dir, f"{name}.part*")))
    if not parts:
        raise FileNotFoundError(f"no {name}.partNN in {parts_dir}")
    with open(out + ".tmp", "wb") as f:
        for p in parts:
            f.write(open(p, "rb").read())
    os.replace(out + ".tmp", out)
    return out


def train(pack_dir, out, seconds, run_dir=None, backbone="mobilenetv2", onnx=None, batch=None, crop=288,
          lr=2.5e-4, max_steps=None, workers=None, precision="bf16", step=16300):
    """Train on the pack for `seconds` of wall time; write the EMA (in parts) and the ONNX to `out`."""
    from edgeflow.engine.trainer import TrainConfig, Trainer
    from export_onnx import export
    import seed_run

    cuda = torch.cuda.is_available()
    with open(os.path.join(pack_dir, "pack.json")) as f:
        meta = json.load(f)
    run_dir = run_dir or os.path.join(out if out else ".", "run")
    os.makedirs(out, exist_ok=True)
    batch = batch or (32 if cuda else 2)
    workers = workers if workers is not None else (min(8, (os.cpu_count() or 2) - 1) if cuda else 0)
    t0 = time.time()
    common = dict(crop=str(crop), part_weight="0", far_neg_prob="0.15", zoom_max_upscale="6.0",
                  coarse_lr_mult_stage2="1.0", warmup_steps="100", lr=str(lr), batch=str(batch),
                  first_click_prob="0.1", early_click_prob="0.25", precision=precision, device="auto",
                  data_roots=os.path.abspath(pack_dir), set_weights=meta["set_weights"], workers=str(workers),
                  threads=str(min(8, os.cpu_count() or 1)) if cuda else "2", ckpt_every_s="120",
                  snapshot_every="1000000", backbone=backbone)
    if os.path.exists(os.path.join(run_dir, "last.pth")):
        t = Trainer(TrainConfig(), run_dir)  # resume: the stored config wins
    elif backbone == "mobilenetv2" and onnx:
        t = seed_run.seed(onnx, run_dir, step, step * 8, 0.0,
                          {**common, "stage1_steps": str(step), "total_steps": str(step + 100000)},
                          calib_batches=8)
    else:  # no init weights for this backbone here: one-stage training from scratch
        cfg = TrainConfig.from_dict({k: type(TrainConfig.__dataclass_fields__[k].default)(v) for k, v in common.items()})
        cfg.stage1_steps, cfg.total_steps, cfg.init_path = 0, 100000, ""
        t = Trainer(cfg, run_dir)
    left = seconds - (time.time() - t0) - 30  # the export and the copy
    t.log(f"device {t.device}, {batch} per batch, training for {left:.0f} s")
    t.run(max_seconds=max(1.0, left), max_steps=max_steps, validate=False)
    t.snapshot()
    snap = os.path.join(run_dir, "snapshots", f"ema_step{t.step:06d}.pth")
    parts = split_file(snap, out)
    files = list(parts)
    if backbone == "mobilenetv2":
        net = t.ema.float().cpu().eval()
        onnx_out = os.path.join(out, "edgeflow-mobilenetv2.onnx")
        export(net, onnx_out)
        files.append(onnx_out)
    shutil.copyfile(os.path.join(run_dir, "train.log"), os.path.join(out, "train.log"))
    files.append(os.path.join(out, "train.log"))
    summary = {"step": t.step, "samples": t.samples, "train_seconds": round(t.train_seconds, 1),
               "device": str(t.device), "batch": batch, "backbone": backbone, "files": [os.path.basename(f) for f in files],
               "ema_snapshot": os.path.basename(snap)}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="here: write a training subset of at most --max-mib")
    p.add_argument("--config", help="a run's config.json (its data_roots and set_weights)")
    p.add_argument("--data-roots", default=None)
    p.add_argument("--set-weights", default=None)
    p.add_argument("--out", default=DEFAULT_PACK)
    p.add_argument("--max-mib", type=float, default=40.0)
    p.add_argument("--side", type=int, default=PACK_SIDE)
    t = sub.add_parser("train", help="there: train for a wall budget, write EMA parts and ONNX to --out")
    t.add_argument("--pack", default=DEFAULT_PACK)
    t.add_argument("--out", required=True)
    t.add_argument("--seconds", type=float, default=480)
    t.add_argument("--run", default=None, help="run folder (default OUT/run; not brought back)")
    t.add_argument("--backbone", default="mobilenetv2", choices=("mobilenetv2", "hrnet18"))
    t.add_argument("--onnx", default=os.path.join(HERE, "edgeflow-mobilenetv2.onnx"),
                   help="start mobilenetv2 from this file ('' for the ImageNet init)")
    t.add_argument("--batch", type=int, default=None)
    t.add_argument("--crop", type=int, default=288)
    t.add_argument("--max-steps", type=int, default=None)
    t.add_argument("--precision", default="bf16")
    j = sub.add_parser("join", help="here: join NAME.partNN files into one snapshot")
    j.add_argument("--parts", required=True, help="the folder holding the parts")
    j.add_argument("--name", default=None, help="default: the only NAME.partNN group there")
    j.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.cmd == "pack":
        roots, weights = a.data_roots, a.set_weights
        if a.config:
            with open(a.config) as f:
                cfg = json.load(f)
            roots = roots if roots is not None else cfg.get("data_roots", "")
            weights = weights if weights is not None else cfg.get("set_weights", "")
        if not weights:
            ap.error("give --config or --set-weights")
        counts, used = pack(roots or "", weights, a.out, a.max_mib, a.side)
        print(f"packed {sum(counts.values())} objects ({used / (1 << 20):.1f} MiB) into {a.out}: "
              + ", ".join(f"{n} {c}" for n, c in counts.items()))
    elif a.cmd == "train":
        train(a.pack, a.out, a.seconds, a.run, a.backbone, a.onnx or None, a.batch, a.crop,
              max_steps=a.max_steps, precision=a.precision)
    else:
        name = a.name
        if name is None:
            names = {os.path.basename(p).rsplit(".part", 1)[0] for p in glob.glob(os.path.join(a.parts, "*.part*"))}
            if len(names) != 1:
                sys.exit(f"give --name: {sorted(names) or 'no parts'} in {a.parts}")
            name = names.pop()
        print(join_parts(a.parts, name, a.out))


if __name__ == "__main__":
    main()
