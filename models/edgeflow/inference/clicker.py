"""RITM's NoC clicker and the IoU with the ignore band (value 128) excluded."""
import numpy as np
from scipy.ndimage import distance_transform_edt


def _edt_padded(m):
    return distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1]


def next_click(gt_obj, ignore, pred, clicked):
    """Next click (row, col, is_positive) for boolean gt_obj/ignore/pred/clicked maps [H,W].

    fn = gt & !pred, fp = !gt & pred (ignore excluded); EDT of each on the map padded by one
    pixel of zeros; already-clicked pixels get distance 0; the larger maximum wins (ties:
    positive); the first pixel in row-major order holding that maximum.
    """
    valid = ~ignore
    fn = gt_obj & ~pred & valid
    fp = ~gt_obj & pred & valid
    dfn = _edt_padded(fn)
    dfp = _edt_padded(fp)
    dfn[clicked] = 0
    dfp[clicked] = 0
    mfn, mfp = dfn.max(), dfp.max()
    positive = mfn >= mfp
    d = dfn if positive else dfp
    k = int(np.argmax(d))
    return k // d.shape[1], k % d.shape[1], bool(positive)


def iou(gt_obj, ignore, pred):
    valid = ~ignore
    inter = (gt_obj & pred & valid).sum()
    union = ((gt_obj | pred) & valid).sum()
    return float(inter) / float(union) if union > 0 else 1.0
