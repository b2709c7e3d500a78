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


def fetched_root():
    """Where fetched data sets are converted (DUTS: duts_tr, duts_te, duts_val): $EDGEFLOW_FETCHED,
    else `edgeflow-data/` beside the repository (outside its tracked files)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("EDGEFLOW_FETCHED") or os.path.normpath(
        os.path.join(here, "..", "..", "..", "..", "edgeflow-data"))


def dataset_dir(dataset, root=None):
    """The folder of an evaluation set: a path, a name under `root` (default eval/), or a fetched
    validation set (duts_val) under fetched_root()."""
    if os.path.isdir(os.path.join(dataset, "masks")):
        return dataset
    for base in ([root] if root else [eval_root(), fetched_root()]):
        d = os.path.join(base, dataset)
        if os.path.isdir(os.path.join(d, "masks")):
            return d
    raise FileNotFoundError(f"evaluation set {dataset!r} not found (looked in {root or eval_root()} "
                            f"and {fetched_root()})")


def list_samples(dataset, root=None, limit=None):
    """(name, image path, mask path) of every object of a set: masks/X.png of images/X.*, or
    masks/X_K.png (the training layout) of images/X.*."""
    d = dataset_dir(dataset, root)
    masks = sorted(os.listdir(os.path.join(d, "masks")))
    imgs = {os.path.splitext(f)[0]: f for f in os.listdir(os.path.join(d, "images"))}
    out = []
    for m in masks:
        stem = m[:-4]
        img = imgs.get(stem) or imgs.get(stem.rsplit("_", 1)[0])
        if img is None:
            raise FileNotFoundError(f"{d}: no image for mask {m}")
        out.append((stem, os.path.join(d, "images", img), os.path.join(d, "masks", m)))
    return out[:limit] if limit else out


def load_pair(img_path, mask_path, upscale=1.0):
    """The image (RGB uint8) and its mask (uint8: 0, 128 ignore, 255), both enlarged `upscale`
    times when it is above 1 (bicubic image, nearest mask): the benchmarks' images are at most
    640 px, and a photo-sized view of them checks the protocol on large images."""
    im = Image.open(img_path).convert("RGB")
    m = Image.open(mask_path).convert("L")
    if upscale != 1.0:
        size = (max(1, round(im.width * upscale)), max(1, round(im.height * upscale)))
        im = im.resize(size, Image.BICUBIC)
        m = m.resize(size, Image.NEAREST)
    return np.asarray(im), np.asarray(m)


def eval_sample(model, img_path, mask_path, max_clicks=20, stop_iou=None, side=400, focus=True, focus_opts=None,
                upscale=1.0):
    """Returns the IoU after each click (length max_clicks unless stopped early)."""
    img, gt = load_pair(img_path, mask_path, upscale)
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


def regression_share(per_sample_ious, k, drop=0.02):
    """(share, count, n): the objects whose click k (1-based, k >= 2) lowers the IoU of click k-1
    by more than `drop`, among those that got a click k."""
    if k < 2:
        raise ValueError("k >= 2")
    eligible = [v for v in per_sample_ious if len(v) >= k]
    count = sum(1 for v in eligible if v[k - 2] - v[k - 1] > drop)
    return (count / len(eligible) if eligible else 0.0), count, len(eligible)


def noc_of(ious, t, max_clicks=20):
    for i, v in enumerate(ious):
        if v >= t:
            return i + 1
    return max_clicks


def evaluate(model, dataset, limit=None, max_clicks=20, stop_iou=None, side=400, focus=True, log=None,
             focus_opts=None, upscale=1.0):
    samples = list_samples(dataset, limit=limit)
    per = {}
    t0 = time.time()
    for stem, ip, mp in samples:
        per[stem] = eval_sample(model, ip, mp, max_clicks, stop_iou, side, focus, focus_opts, upscale)
        if log:
            log(f"{dataset} {stem}: NoC90 {noc_of(per[stem], 0.9, max_clicks)} IoU@1 {per[stem][0]:.3f}")
    res = {"dataset": dataset, "n": len(samples), "seconds": round(time.time() - t0, 1)}
    if upscale != 1.0:
        res["upscale"] = upscale
    for t in THRESHOLDS:
        if stop_iou is not None and t > stop_iou:
            continue
        res[f"NoC@{int(t * 100)}"] = float(np.mean([noc_of(v, t, max_clicks) for v in per.values()]))
        res[f">=20@{int(t * 100)}"] = int(sum(1 for v in per.values() if max(v) < t))
    if stop_iou is None:
        arr = np.array([v for v in per.values()])
        res["mIoU_per_click"] = [round(float(x), 4) for x in arr.mean(axis=0)]
    for k in (2, 3):
        share, count, n = regression_share(list(per.values()), k)
        res[f"click{k}_drop_share"] = round(share, 4)  # click k lowers IoU by > 0.02 (target < 5 %)
        res[f"click{k}_drop_count"] = [count, n]
    res["per_sample_noc90"] = {k: noc_of(v, 0.9, max_clicks) for k, v in per.items()}
    # The IoU after each click, per image, unrounded (rounding could move an IoU across a
    # threshold): compare_evals.py pairs two evaluations image by image.
    res["per_sample_ious"] = {k: [float(x) for x in v] for k, v in per.items()}
    return res
