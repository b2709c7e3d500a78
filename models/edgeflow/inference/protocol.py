"""The inference protocol of models/README.md, in PyTorch: resize, pad, focus crop, click mapping.

The TypeScript predictor implements the same arithmetic; keep the two in step.
"""
import math

import numpy as np
import torch

from .resize import resize_antialias, resize_bilinear

from ..data.clicks import disk_maps

TARGET_SIDE = 400
FOCUS_EXPAND = 1.4
FOCUS_MIN_SIDE = 200
FIRST_FOCUS_MIN_ZOOM = 2.0


def round_half_up(v):
    """Math.round semantics (JS), used for every rounding in the protocol."""
    return int(math.floor(v + 0.5))


def resized_size(h, w, side=TARGET_SIDE):
    """Size so that the longer side is `side`, aspect kept, sides rounded half-up."""
    s = side / max(h, w)
    return max(1, round_half_up(h * s)), max(1, round_half_up(w * s))


def crop_side(h, w, side=TARGET_SIDE, max_upscale=None):
    """The model-input side of a focus crop of h x w pixels: `side`, but not more than
    round(max_upscale * max(h, w)) when max_upscale is given (None: always `side`)."""
    if max_upscale is None:
        return side
    return min(side, max(1, round_half_up(max_upscale * max(h, w))))


def pad32(n):
    return ((n + 31) // 32) * 32


def resize_image(img, size):
    """img [1,C,h,w] float -> size, antialiased bilinear (the contract's image resize), computed
    as the TypeScript predictor does (resize.py: torch 1.13's rounding, whatever torch runs)."""
    if tuple(img.shape[-2:]) == tuple(size):
        return img
    return torch.from_numpy(resize_antialias(img[0].detach().cpu().numpy(), size[0], size[1]))[None]


def resize_map(m, size):
    """Probability/edge maps [1,1,h,w]: plain bilinear, align_corners=False, no antialias; a view
    narrower than its map (a crop) rounds as torch 1.13's generic kernel did (resize.py)."""
    if tuple(m.shape[-2:]) == tuple(size):
        return m
    layout = "contiguous" if m.is_contiguous() else "strided"
    return torch.from_numpy(resize_bilinear(m[0, 0].detach().cpu().numpy(), size[0], size[1], layout))[None, None]


def focus_box(prev_mask, clicks, img_h, img_w, expand=FOCUS_EXPAND):
    """Focus crop box (top, left, height, width) from the previous full-res mask (bool [H,W])
    and all clicks so far [(row, col, pos)] in integer image pixels."""
    rows = [c[0] for c in clicks]
    cols = [c[1] for c in clicks]
    if prev_mask is not None and prev_mask.any():
        ys = np.nonzero(prev_mask.any(axis=1))[0]
        xs = np.nonzero(prev_mask.any(axis=0))[0]
        rows += [int(ys[0]), int(ys[-1])]
        cols += [int(xs[0]), int(xs[-1])]
    r0, r1 = min(rows), max(rows)
    c0, c1 = min(cols), max(cols)
    out = []
    for lo, hi, size in ((r0, r1, img_h), (c0, c1, img_w)):
        extent = hi - lo + 1
        centre = (lo + hi + 1) / 2.0
        side = max(round_half_up(extent * expand), min(FOCUS_MIN_SIDE, size))
        side = min(side, size)
        start = round_half_up(centre - side / 2.0)
        start = min(max(start, 0), size - side)
        out.append((start, side))
    (top, h), (left, w) = out
    return top, left, h, w


def map_click(row, col, top, left, crop_h, crop_w, in_h, in_w):
    """Image pixel (row, col) -> model-input pixel: the pixel centre through the resize, floor.
    Returns None when the click lies outside the crop."""
    if not (top <= row < top + crop_h and left <= col < left + crop_w):
        return None
    r = int(math.floor((row + 0.5 - top) * in_h / crop_h))
    c = int(math.floor((col + 0.5 - left) * in_w / crop_w))
    return min(max(r, 0), in_h - 1), min(max(c, 0), in_w - 1)


def probability_bytes(prob):
    """The editor's 8-bit probabilities: round(p * 255), kept >= 128 exactly when p > 0.5. The
    float32 value times 255 plus 0.5 is computed in float64, as the worker's JavaScript does."""
    p = np.asarray(prob, np.float32)
    v = np.floor(p.astype(np.float64) * 255 + 0.5).astype(np.int64)
    v = np.where(p > 0.5, np.maximum(v, 128), np.minimum(v, 127))
    return v.astype(np.uint8)


AUTO_MIN_BYTE = 13  # the lowest automatic threshold: byte 13 (p about 0.05)


def expected_iou_byte(q):
    """The automatic threshold of a probability map given as bytes (`probability_bytes`): the
    k in [AUTO_MIN_BYTE, 128] whose mask (byte >= k) has the largest expected IoU against a target
    drawn from the probabilities themselves, E|M & T| / E|M | T| = sum_{b>=k} b / (255 n_{b>=k} +
    sum_{b<k} b). An uncertain map (one click on a large object: 0.2-0.5 over most of it) gets a
    lower threshold; a confident one keeps k = 128, i.e. p > 0.5. Integer sums and one division
    each, ties to the higher k, so that the TypeScript twin (autoThresholdByte) agrees exactly."""
    q = np.asarray(q, np.uint8).ravel()
    count = np.bincount(q, minlength=256).astype(np.int64)
    mass = count * np.arange(256, dtype=np.int64)
    total = int(mass.sum())
    above_n = int(count[AUTO_MIN_BYTE:].sum())
    above_s = int(mass[AUTO_MIN_BYTE:].sum())
    best_k, best_j = 128, -1.0
    for k in range(AUTO_MIN_BYTE, 129):
        d = 255 * above_n + (total - above_s)
        j = above_s / d if d > 0 else 0.0
        if j >= best_j:  # ties (the same mask when no byte lies between) go to the higher k
            best_k, best_j = k, j
        above_n -= int(count[k])
        above_s -= int(mass[k])
    return best_k


# Threshold modes besides a number: "auto1" is the contract (the automatic threshold on click 1,
# then 0.5); "auto" (every click), "auto2" (clicks 1-2), "autopos" (while every click is positive)
# and "autofix" (click 1's value kept for the object) are diagnostics.
THRESHOLD_MODES = ("auto1", "auto", "auto2", "autopos", "autofix")


def mirror_averaged(model):
    """The contract's mirror averaging: the model on its padded inputs and on their horizontal
    mirrors (each whole padded tensor reversed along W, so the padding moves to the left), the
    mirror's outputs reversed back, the logits averaged. A model is not exactly mirror symmetric;
    averaging the two views cancels part of its error (GrabCut NoC@90 6.06 -> 5.68 at step 6600)."""

    def averaged(image, clicks, prev_edge):
        a = model(image, clicks, prev_edge)
        b = model(image.flip(-1), clicks.flip(-1), prev_edge.flip(-1))
        return tuple((x + y.flip(-1)) / 2 for x, y in zip(a, b))

    return averaged


class Predictor:
    """Runs a model under the protocol for one image. `model(image, clicks, prev_edge)` must
    return (mask_logits, edge_logits, coarse_logits) as the ONNX graph does."""

    def __init__(self, model, image_u8, side=TARGET_SIDE, focus=True, focus_from=2, focus_expand=FOCUS_EXPAND,
                 threshold=0.5, first_focus_min_zoom=FIRST_FOCUS_MIN_ZOOM, mirror=False, focus_min_zoom=0.0,
                 later_threshold=0.5, box_from_mask=False, max_upscale=None, click2_no_upscale=True):
        # mirror: the contract's mirror averaging (evaluate.py turns it on; off = one model run).
        self.model = mirror_averaged(model) if mirror else model
        # The first focused click keeps the whole image unless its focus crop zooms in at least
        # this much (longer image side / longer crop side); 0 = always crop (the contract before).
        self.first_focus_min_zoom = first_focus_min_zoom
        # The contract since session 8: click 2 of a new object crops only if its crop also needs
        # no upsampling (longer side >= `side`); otherwise click 3 gets the same zoom rule, as the
        # first focused click. False: click 2 crops whenever it zooms in enough (the contract before).
        self.click2_no_upscale = click2_no_upscale
        # The same rule for the later focused clicks (0 = always crop).
        self.focus_min_zoom = focus_min_zoom
        # A number (diagnostic: every click and the focus box) or one of THRESHOLD_MODES; under a
        # mode the focus box keeps 0.5, as the editor's worker does.
        self.threshold = threshold
        self.thr = 0.5 if isinstance(threshold, str) else threshold
        # Under a mode: the mask threshold of the clicks the mode does not threshold automatically
        # (the editor's threshold slider; the contract: 0.5). The focus box keeps 0.5.
        self.later_thr = later_threshold if isinstance(threshold, str) else threshold
        # The focus box from the previous click's returned mask (the automatic threshold after
        # click 1) instead of p > 0.5.
        self.box_from_mask = box_from_mask
        self.last_mask = None
        # A focus crop is resized to `side` but upsampled at most this much (None: no limit).
        self.max_upscale = max_upscale
        self.auto_byte = 128
        self.side = side
        self.focus = focus
        self.focus_from = focus_from  # first click (1-based) that is predicted on the focus crop
        self.focus_expand = focus_expand
        self.img = torch.from_numpy(np.ascontiguousarray(image_u8.transpose(2, 0, 1))).float().div(255.0)[None]
        self.h, self.w = image_u8.shape[:2]
        self.prob = torch.zeros(1, 1, self.h, self.w)
        self.edge = torch.zeros(1, 1, self.h, self.w)
        self.clicks = []

    @torch.no_grad()
    def add_click(self, row, col, positive):
        self.clicks.append((int(row), int(col), bool(positive)))
        if len(self.clicks) < max(2, self.focus_from) or not self.focus:
            top, left, ch, cw = 0, 0, self.h, self.w
        else:
            prev = self.last_mask if self.box_from_mask else (self.prob[0, 0] > self.thr).numpy()
            top, left, ch, cw = focus_box(prev, self.clicks, self.h, self.w,
                                          self.focus_expand)
            n, start = len(self.clicks), max(2, self.focus_from)
            first = n == start or (self.click2_no_upscale and start == 2 and n == 3)
            min_zoom = self.first_focus_min_zoom if first else self.focus_min_zoom
            upscaled = self.click2_no_upscale and start == 2 and n == 2 and max(ch, cw) < self.side
            if upscaled or max(self.h, self.w) < min_zoom * max(ch, cw):
                top, left, ch, cw = 0, 0, self.h, self.w
        whole = (top, left, ch, cw) == (0, 0, self.h, self.w)
        ih, iw = resized_size(ch, cw, self.side if whole else crop_side(ch, cw, self.side, self.max_upscale))
        ph, pw = pad32(ih), pad32(iw)
        crop = self.img[:, :, top:top + ch, left:left + cw]
        image = torch.zeros(1, 3, ph, pw)
        image[:, :, :ih, :iw] = resize_image(crop, (ih, iw))
        mapped = []
        for r, c, p in self.clicks:
            m = map_click(r, c, top, left, ch, cw, ih, iw)
            if m is not None:
                mapped.append((m[0], m[1], p))
        clicks = torch.zeros(1, 2, ph, pw)
        clicks[0, :, :ih, :iw] = torch.from_numpy(disk_maps(mapped, ih, iw))
        prev_edge = torch.zeros(1, 1, ph, pw)
        if len(self.clicks) > 1:
            e = resize_map(self.edge[:, :, top:top + ch, left:left + cw], (ih, iw))
            prev_edge[:, :, :ih, :iw] = (e > 0.5).float()
        mask_logits, edge_logits, _ = self.model(image, clicks, prev_edge)
        prob = resize_map(torch.sigmoid(mask_logits[:, :, :ih, :iw]), (ch, cw))
        edge = resize_map(torch.sigmoid(edge_logits[:, :, :ih, :iw]), (ch, cw))
        self.prob[:, :, top:top + ch, left:left + cw] = prob
        self.edge[:, :, top:top + ch, left:left + cw] = edge
        self.last_mask = self.mask()
        return self.last_mask

    def mask(self):
        """The current mask: probabilities above the threshold, or for "auto" the bytes at or
        above the automatic threshold of this prediction."""
        p = self.prob[0, 0].numpy()
        t, n = self.threshold, len(self.clicks)
        fresh = (t == "auto" or (t in ("auto1", "autofix") and n == 1) or (t == "auto2" and n <= 2)
                 or (t == "autopos" and all(c[2] for c in self.clicks)))
        if not fresh and t != "autofix":
            return p > self.later_thr
        q = probability_bytes(p)
        if fresh:
            self.auto_byte = expected_iou_byte(q)
        return q >= self.auto_byte  # autofix after click 1: click 1's value
