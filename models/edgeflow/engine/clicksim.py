"""Iterative click simulation for training (RITM style): encode clicks, add error clicks."""
import numpy as np
import torch
from scipy.ndimage import distance_transform_edt

from ..data.clicks import disk_maps


def encode_batch(clicks, h, w):
    """clicks: int tensor [B,N,3] (row, col, pos; padding rows -1) -> float [B,2,h,w]."""
    arr = clicks.numpy()
    out = np.zeros((arr.shape[0], 2, h, w), np.float32)
    for b in range(arr.shape[0]):
        rows = [(r, c, p == 1) for r, c, p in arr[b] if r >= 0]
        out[b] = disk_maps(rows, h, w)
    return torch.from_numpy(out)


def add_error_clicks(clicks, gt, prob):
    """Add one click per sample at the largest error region (the NoC clicker's rule: the error
    pixel farthest from its region's boundary). clicks [B,N,3] is modified in place."""
    gtn = gt[:, 0].numpy() > 0.5
    pred = prob[:, 0].numpy() > 0.5
    arr = clicks.numpy()
    for b in range(arr.shape[0]):
        free = np.nonzero(arr[b, :, 0] < 0)[0]
        if len(free) == 0:
            continue
        fn = gtn[b] & ~pred[b]
        fp = ~gtn[b] & pred[b]
        dfn = distance_transform_edt(np.pad(fn, 1))[1:-1, 1:-1]
        dfp = distance_transform_edt(np.pad(fp, 1))[1:-1, 1:-1]
        mfn, mfp = dfn.max(), dfp.max()
        if max(mfn, mfp) <= 0:
            continue
        pos = mfn >= mfp
        d = dfn if pos else dfp
        k = int(np.argmax(d))
        arr[b, free[0]] = (k // d.shape[1], k % d.shape[1], int(pos))
    return clicks
