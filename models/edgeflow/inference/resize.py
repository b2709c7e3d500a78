"""The contract's bilinear resizes, computed the way the TypeScript predictor computes them
(src/shared/inference/resize.ts), in numpy: the same float32 taps, the same order of float32
roundings, so that the Python evaluation and the editor feed the model identical inputs and paste
back identical maps whatever PyTorch version is installed.

Both implement PyTorch 1.13's CPU `F.interpolate(mode='bilinear', align_corners=False,
antialias=...)` bit for bit (the goldens in test/fixtures/out/inference/ were made with it).
PyTorch 2.13's kernels round differently in the last bits (up to 8e-7 on a probability map), so
the evaluation no longer calls `F.interpolate`: NoC is chaotic, one pixel flipped at the 0.5
threshold changes the next click. tests/test_resize.py holds this module to the goldens.

float32 arithmetic is emulated in float64: a product of two float32 values is exact in float64,
and rounding the float64 result of `a*b + c` to float32 is what the TypeScript side does
(`Math.fround(a * b + c)`), so both round the same way.
"""
import math

import numpy as np


def _f(x):
    """Round to float32, kept as float64."""
    return np.asarray(x, np.float64).astype(np.float32).astype(np.float64)


def _f1(x):
    return float(np.float32(x))


def resample_weights(in_size, out_size, antialias):
    """(start [out], count [out], weights [out, stride] float64 holding float32 values)."""
    if in_size <= 0 or out_size <= 0:
        raise ValueError(f"sizes must be positive, got {in_size} -> {out_size}")
    scale = _f1(in_size / out_size)
    start = np.zeros(out_size, np.int64)
    count = np.zeros(out_size, np.int64)
    if antialias:
        support = scale if scale >= 1 else 1.0
        invscale = _f1(1 / scale) if scale >= 1 else 1.0
        stride = math.ceil(support) * 2 + 1
        weights = np.zeros((out_size, stride), np.float64)
        for i in range(out_size):
            center = _f1(scale * (i + 0.5))
            xmin = max(math.trunc(_f1(center - support) + 0.5), 0)
            xsize = min(math.trunc(_f1(center + support) + 0.5), in_size) - xmin
            total = 0.0
            for j in range(xsize):
                x = abs(_f1((_f1(j + xmin - center) + 0.5) * invscale))
                v = _f1(1 - x) if x < 1 else 0.0
                weights[i, j] = v
                total = _f1(total + v)
            if total != 0:
                for j in range(xsize):
                    weights[i, j] = _f1(weights[i, j] / total)
            start[i], count[i] = xmin, xsize
        return start, count, weights
    weights = np.zeros((out_size, 2), np.float64)
    for i in range(out_size):
        i0, l1 = i, 0.0
        if in_size != out_size:
            src = scale * (i + 0.5) - 0.5
            if src < 0:
                src = 0.0
            i0 = math.trunc(src)
            l1 = _f1(src - i0)
        start[i] = i0
        count[i] = 2 if i0 < in_size - 1 else 1
        weights[i, 0] = _f1(1 - l1)
        weights[i, 1] = l1
    return start, count, weights


def _aa_pass(src, start, count, weights):
    """Antialiased pass along the last axis of src [..., n] (float64 of float32 values)."""
    out = np.empty(src.shape[:-1] + (len(start),), np.float64)
    for i in range(len(start)):
        s, n = start[i], count[i]
        acc = _f(src[..., s] * weights[i, 0])
        for j in range(1, n):
            acc = _f(src[..., s + j] * weights[i, j] + acc)
        out[..., i] = acc
    return out


def _aa_vertical(src, start, count, weights):
    """Antialiased pass along axis -2 (rows), in the TypeScript order (one row of taps at a time)."""
    out = np.empty(src.shape[:-2] + (len(start), src.shape[-1]), np.float64)
    for o in range(len(start)):
        s, n = start[o], count[o]
        acc = _f(src[..., s, :] * weights[o, 0])
        for j in range(1, n):
            acc = _f(src[..., s + j, :] * weights[o, j] + acc)
        out[..., o, :] = acc
    return out


def resize_antialias(planes, out_h, out_w):
    """planes [C, h, w] float32 -> [C, out_h, out_w] float32: horizontal pass, then vertical."""
    src = np.asarray(planes, np.float32).astype(np.float64)
    c, h, w = src.shape
    sx, cx, wx = resample_weights(w, out_w, True)
    sy, cy, wy = resample_weights(h, out_h, True)
    tmp = _aa_pass(src, sx, cx, wx)
    return _aa_vertical(tmp, sy, cy, wy).astype(np.float32)


def resize_bilinear(plane, out_h, out_w, layout="contiguous"):
    """plane [h, w] float32 -> [out_h, out_w] float32, plain bilinear. `layout` is how torch 1.13
    read the map: "contiguous" (whole rows: its channels-last kernel, a float64 sum of four
    products) or "strided" (a crop narrower than the map: a float32 lerp along x, then y)."""
    src = np.asarray(plane, np.float32).astype(np.float64)
    h, w = src.shape
    sx, cx, wx = resample_weights(w, out_w, False)
    sy, cy, wy = resample_weights(h, out_h, False)
    x0 = sx
    x1 = sx + (cx == 2)
    l0, l1 = wx[:, 0], wx[:, 1]
    y0 = sy
    y1 = sy + (cy == 2)
    h0, h1 = wy[:, 0][:, None], wy[:, 1][:, None]
    p00, p01 = src[y0][:, x0], src[y0][:, x1]
    p10, p11 = src[y1][:, x0], src[y1][:, x1]
    if layout == "contiguous":
        out = p00 * _f(h0 * l0) + p01 * _f(h0 * l1) + p10 * _f(h1 * l0) + p11 * _f(h1 * l1)
    elif layout == "strided":
        t0 = _f(p00 * l0 + _f(p01 * l1))
        t1 = _f(p10 * l0 + _f(p11 * l1))
        out = t0 * h0 + _f(t1 * h1)
    else:
        raise ValueError(f"layout {layout!r}")
    return out.astype(np.float32)
