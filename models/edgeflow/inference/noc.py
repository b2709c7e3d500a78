"""NoC evaluation on GrabCut / Berkeley with the protocol of models/README.md."""
import os
import time

import numpy as np
from PIL import Image

from .clicker import iou, next_click
from .protocol import Predictor

THRESHOLDS = (0.85, 0.90, 0.95)


def eval_root():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "..", "shared", "datasets", "eval"))


def list_samples(dataset, root=None, limit=None):
    d = os.path.join(root or eval_root(), dataset)
    masks = sorted(os.listdir(os.path.join(d, "masks")))
    imgs = {os.path.splitext(f)[0]: f for f in os.listdir(os.path.join(d, "images"))}
    out = []
    for m in masks:
        stem = m[:-4]
        out.append((stem, os.path.join(d, "images", imgs[stem]), os.path.join(d, "masks", m)))
    return out[:limit] if limit else out


def eval_sample(model, img_path, mask_path, max_clicks=20, stop_iou=None, side=400, focus=True, focus_opts=None):
    """Returns the IoU after each click (length max_clicks unless stopped early)."""
    img = np.asarray(Image.open(img_path).convert("RGB"))
    gt = np.asarray(Image.open(mask_path).convert("L"))
    gt_obj = gt == 255
    ignore = gt == 128
    pred = np.zeros(gt.shape, bool)
    clicked = np.zeros(gt.shape, bool)
    p = Predictor(model, img, side=side, focus=focus, **(focus_opts or {}))
    ious = []
    for _ in range(max_clicks):
        r, c, pos = next_click(gt_obj, ignore, pred, clicked)
        clicked[r, c] = True
        pred = p.add_click(r, c, pos)
        ious.append(iou(gt_obj, ignore, pred))
        if stop_iou is not None and ious[-1] >= stop_iou:
            break
    return ious


def noc_of(ious, t, max_clicks=20):
    for i, v in enumerate(ious):
        if v >= t:
            return i + 1
    return max_clicks


def evaluate(model, dataset, limit=None, max_clicks=20, stop_iou=None, side=400, focus=True, log=None,
             focus_opts=None):
    samples = list_samples(dataset, limit=limit)
    per = {}
    t0 = time.time()
    for stem, ip, mp in samples:
        per[stem] = eval_sample(model, ip, mp, max_clicks, stop_iou, side, focus, focus_opts)
        if log:
            log(f"{dataset} {stem}: NoC90 {noc_of(per[stem], 0.9, max_clicks)} IoU@1 {per[stem][0]:.3f}")
    res = {"dataset": dataset, "n": len(samples), "seconds": round(time.time() - t0, 1)}
    for t in THRESHOLDS:
        if stop_iou is not None and t > stop_iou:
            continue
        res[f"NoC@{int(t * 100)}"] = float(np.mean([noc_of(v, t, max_clicks) for v in per.values()]))
        res[f">=20@{int(t * 100)}"] = int(sum(1 for v in per.values() if max(v) < t))
    if stop_iou is None:
        arr = np.array([v for v in per.values()])
        res["mIoU_per_click"] = [round(float(x), 4) for x in arr.mean(axis=0)]
    res["per_sample_noc90"] = {k: noc_of(v, 0.9, max_clicks) for k, v in per.items()}
    # The IoU after each click, per image, unrounded (rounding could move an IoU across a
    # threshold): compare_evals.py pairs two evaluations image by image.
    res["per_sample_ious"] = {k: [float(x) for x in v] for k, v in per.items()}
    return res
