"""Training samples: load an object, augment (scale 0.75-1.4 or zoom-in on the object, flip,
crop, colour jitter, occasional paste onto another image's background), sample initial clicks.

Every random choice is drawn from numpy.random.default_rng([seed, step]) so a batch depends only
on (seed, step): resuming at a step reproduces the exact data stream.
"""
import os
from collections import OrderedDict
from dataclasses import dataclass, fields

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import distance_transform_edt

MAX_CLICKS = 24
TARGET_SIDE = 400  # longer side of the model input at inference (contract S)


# Decoded images and masks stay in memory (per process: the DataLoader worker's), least recently
# used first out past the budget: each file is decoded once per run instead of once per draw.
# Images are kept at their own size (the training sets' are at most about 830 px, and a zoom-in
# samples them above it). Budget in MiB: $EDGEFLOW_IMAGE_CACHE_MB (default 6144; 0 turns it off).
_cache = OrderedDict()
_cache_bytes = 0


def _cache_budget():
    return int(os.environ.get("EDGEFLOW_IMAGE_CACHE_MB", "6144")) << 20


def _cached(key, load, nbytes):
    global _cache_bytes
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    value = load()
    budget = _cache_budget()
    size = nbytes(value)
    if size <= budget:
        _cache[key] = value
        _cache_bytes += size
        while _cache_bytes > budget:
            _, old = _cache.popitem(last=False)
            _cache_bytes -= nbytes(old)
    return value


def clear_image_cache():
    global _cache_bytes
    _cache.clear()
    _cache_bytes = 0


def image_cache_stats():
    return {"entries": len(_cache), "bytes": _cache_bytes}


def _decode_rgb(path):
    with Image.open(path) as im:
        return im.convert("RGB")


def _decode_mask(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("L")) > 127


def load_rgb(path):
    """The image as an RGB PIL image (decoded once, then from the cache; never modify it)."""
    return _cached(("rgb", path), lambda: _decode_rgb(path), lambda im: im.size[0] * im.size[1] * 3)


def load_mask(path):
    """The mask as a read-only bool array (decoded once, then from the cache)."""
    def load():
        m = _decode_mask(path)
        m.flags.writeable = False
        return m
    return _cached(("mask", path), load, lambda m: m.nbytes)


def _resize_pair(img, mask, scale):
    w, h = img.size
    nw, nh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    img = img.resize((nw, nh), Image.BILINEAR)
    m = Image.fromarray(mask.astype(np.uint8) * 255).resize((nw, nh), Image.BILINEAR)
    return np.asarray(img, np.float32) / 255.0, np.asarray(m) > 127


def _crop_containing(arr_img, mask, crop_hw, center, rng, jitter):
    """Crop crop_hw = (height, width) (zero-padded at bottom/right when smaller) containing
    `center` with a random placement (jitter=1: anywhere the centre stays inside; smaller: nearer
    the middle)."""
    ch, cw = crop_hw
    h, w = mask.shape
    ph, pw = max(h, ch), max(w, cw)
    if ph != h or pw != w:
        img2 = np.zeros((ph, pw, 3), np.float32)
        img2[:h, :w] = arr_img
        m2 = np.zeros((ph, pw), bool)
        m2[:h, :w] = mask
        arr_img, mask = img2, m2
    cy, cx = center
    out = []
    for c, size, crop in ((cy, ph, ch), (cx, pw, cw)):
        lo = max(0, c - crop + 1)
        hi = min(size - crop, c)
        mid = min(max(c - crop // 2, lo), hi)
        off = mid + int(round((rng.random() * 2 - 1) * jitter * (crop // 2)))
        out.append(int(min(max(off, lo), hi)))
    t, l = out
    return arr_img[t:t + ch, l:l + cw], mask[t:t + ch, l:l + cw]


def _colour_jitter(img, rng):
    b = rng.uniform(0.75, 1.25)
    c = rng.uniform(0.75, 1.25)
    s = rng.uniform(0.7, 1.3)
    img = img * b
    mean = img.mean()
    img = (img - mean) * c + mean
    gray = img @ np.array([0.299, 0.587, 0.114], np.float32)
    img = gray[..., None] + (img - gray[..., None]) * s
    return np.clip(img, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class DataRecipe:
    """The knobs of the data stream (the training config's fields of the same names)."""
    crop: int = 320  # height of the training crop (and its width when crop_w is 0)
    paste_prob: float = 0.1  # share of samples pasted onto another image's background
    far_neg_prob: float = 0.0  # share of samples with one more negative click > 40 px away
    zoom_max_upscale: float = 3.0  # the zoom-in's scale cap, in units of the whole image's scale at S
    boundary_ignore_px: float = 0.0  # polygon-drawn masks: no mask loss this close to the boundary (source px)
    crop_w: int = 0  # width of the training crop; 0: square. The paper's 320x480: crop 320, crop_w 480

    @classmethod
    def of(cls, cfg):
        """The recipe of a config object that has (at least) these fields."""
        return cls(**{f.name: getattr(cfg, f.name) for f in fields(cls)})

    @property
    def crop_hw(self):
        """(height, width) of the training crop."""
        return self.crop, self.crop_w or self.crop


def augment(obj, rng, recipe=DataRecipe(), bg_obj=None):
    """Return (image [H,W,3] float in [0,1], mask [H,W] bool, scale from the source image to the
    crop), where (H, W) is `recipe.crop_hw`, or None if the object does not survive the crop. A
    zoom-in scales the image at most `recipe.zoom_max_upscale` times as much as inference scales
    the whole image (longer side to S): the focus crop of a small object in a small image is blown
    up further than that, and a larger cap trains on such blurred views."""
    ch, cw = recipe.crop_hw
    short = min(ch, cw)
    img = load_rgb(obj.image)
    mask = load_mask(obj.mask)
    if mask.shape != (img.size[1], img.size[0]) or not mask.any():
        return None
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    zoom = rng.random() < 0.4
    if zoom:
        # Zoom-in on the object, as the focus crop does from the second click on.
        bh = (ys.max() - ys.min() + 1) * rng.uniform(1.2, 2.2)
        bw = (xs.max() - xs.min() + 1) * rng.uniform(1.2, 2.2)
        # Fit the box to the crop: each side against its own crop side (a square crop: bh, bw as is).
        scale = short * rng.uniform(0.8, 1.15) / max(bh * (short / ch), bw * (short / cw), 40.0)
        scale = min(scale, recipe.zoom_max_upscale * TARGET_SIDE / max(h, w))
    else:
        scale = TARGET_SIDE / max(h, w) * rng.uniform(0.75, 1.4)
    arr, m = _resize_pair(img, mask, scale)
    if not m.any():
        return None
    if zoom:
        yy, xx = np.nonzero(m)
        center = (int((yy.min() + yy.max()) // 2), int((xx.min() + xx.max()) // 2))
        jitter = 0.25
    else:
        yy, xx = np.nonzero(m)
        k = rng.integers(len(yy))
        center = (int(yy[k]), int(xx[k]))
        jitter = 1.0
    arr, m = _crop_containing(arr, m, (ch, cw), center, rng, jitter)
    if m.sum() < 64:
        return None
    if bg_obj is not None:
        bg = load_rgb(bg_obj.image)
        bw_, bh_ = bg.size
        s = max(ch / bh_, cw / bw_) * rng.uniform(1.0, 1.5)  # covers the crop
        bg = bg.resize((max(cw, int(round(bw_ * s))), max(ch, int(round(bh_ * s)))), Image.BILINEAR)
        t = rng.integers(bg.size[1] - ch + 1)
        l = rng.integers(bg.size[0] - cw + 1)
        bga = np.asarray(bg, np.float32)[t:t + ch, l:l + cw] / 255.0
        arr = np.where(m[..., None], arr, bga)
    if rng.random() < 0.5:
        arr = arr[:, ::-1]
        m = m[:, ::-1]
    arr = _colour_jitter(np.ascontiguousarray(arr), rng)
    return arr, np.ascontiguousarray(m), scale


# Sets whose masks are rasterised polygons: their boundary is only as exact as the polygon, a few
# pixels off in places (coco_mval and coco128_seg are COCO annotations; ccp is labelled per pixel).
POLYGON_SETS = ("coco_mval", "coco128_seg")


def boundary_valid(mask, width):
    """0/1 float map: 0 within `width` px of the mask's boundary on either side (at least the one
    pixel each side of it), 1 elsewhere. The mask loss ignores the band, as the benchmarks' IoU
    ignores GrabCut's unknown band."""
    w = max(1.0, float(width))
    near_in = mask & (distance_transform_edt(mask) <= w)
    near_out = ~mask & (distance_transform_edt(~mask) <= w)
    return (~(near_in | near_out)).astype(np.float32)


def sample_initial_clicks(mask, rng, far_neg_prob=0.0):
    """Initial clicks for a training sample: 1-4 positives inside (the first at the innermost
    point half of the time, else drawn proportionally to the distance from the boundary) and 0-3
    negatives in a band 3-40 px outside the object; with probability `far_neg_prob` one more
    negative anywhere farther than 40 px (users also click far out on the background).
    Returns [(row, col, is_positive)]."""
    dt_in = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    clicks = []
    if rng.random() < 0.5:
        k = int(np.argmax(dt_in))
        clicks.append((k // mask.shape[1], k % mask.shape[1], True))
    else:
        clicks.append(_draw(dt_in, rng, True))
    n_pos = rng.choice(4, p=[0.55, 0.25, 0.12, 0.08])
    inner = dt_in * (dt_in >= 3)
    for _ in range(n_pos):
        if inner.any():
            clicks.append(_draw(inner, rng, True))
    n_neg = rng.choice(4, p=[0.45, 0.3, 0.15, 0.1])
    dt_out = None
    if n_neg:
        dt_out = distance_transform_edt(~mask)
        band = (dt_out >= 3) & (dt_out <= 40)
        if not band.any():
            band = dt_out >= 1
        for _ in range(n_neg):
            if band.any():
                clicks.append(_draw(band.astype(np.float64), rng, False))
    if far_neg_prob and rng.random() < far_neg_prob:  # no draw at 0: runs without it resume exactly
        far = (distance_transform_edt(~mask) if dt_out is None else dt_out) > 40
        if far.any():
            clicks.append(_draw(far.astype(np.float64), rng, False))
    return clicks


def _draw(weights, rng, pos):
    w = weights.ravel().astype(np.float64)
    k = int(rng.choice(w.size, p=w / w.sum()))
    return (k // weights.shape[1], k % weights.shape[1], pos)


def make_batch(sampler, seed, step, batch=8, recipe=DataRecipe()):
    """Batch for training step `step`: dict of tensors image [B,3,H,W], gt [B,1,H,W], valid
    [B,1,H,W] ((H, W) = `recipe.crop_hw`; the mask loss's 0/1 pixel weights: 0 in the boundary band
    of polygon-drawn masks when `recipe.boundary_ignore_px` > 0, else all 1) and clicks
    [B,MAX_CLICKS,3] int64 rows (row, col, is_positive), padding rows = -1."""
    rng = np.random.default_rng([seed, step])
    ch, cw = recipe.crop_hw
    imgs = np.zeros((batch, 3, ch, cw), np.float32)
    gts = np.zeros((batch, 1, ch, cw), np.float32)
    valid = np.ones((batch, 1, ch, cw), np.float32)
    clicks = -np.ones((batch, MAX_CLICKS, 3), np.int64)
    for b in range(batch):
        for _ in range(20):
            obj = sampler.sample(rng)
            bg = sampler.sample(rng) if rng.random() < recipe.paste_prob else None
            out = augment(obj, rng, recipe, bg)
            if out is not None:
                break
        arr, m, scale = out
        imgs[b] = arr.transpose(2, 0, 1)
        gts[b, 0] = m
        if recipe.boundary_ignore_px > 0 and obj.dataset in POLYGON_SETS:  # no draws: the stream stays
            valid[b, 0] = boundary_valid(m, recipe.boundary_ignore_px * scale)
        cl = sample_initial_clicks(m, rng, recipe.far_neg_prob)
        for i, (r, c, p) in enumerate(cl[:MAX_CLICKS]):
            clicks[b, i] = (r, c, int(p))
    return {"image": torch.from_numpy(imgs), "gt": torch.from_numpy(gts), "valid": torch.from_numpy(valid),
            "clicks": torch.from_numpy(clicks)}


class BatchStream(torch.utils.data.Dataset):
    """Dataset whose item i is the whole batch of training step i (for a DataLoader worker)."""

    def __init__(self, sampler, seed, batch, recipe=DataRecipe()):
        self.sampler, self.seed, self.batch, self.recipe = sampler, seed, batch, recipe

    def __len__(self):
        return 10 ** 9

    def __getitem__(self, step):
        return make_batch(self.sampler, self.seed, step, self.batch, self.recipe)
