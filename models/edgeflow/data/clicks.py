"""Click encoding (disks of radius 5) and the edge definition of the contract."""
import numpy as np
import torch
import torch.nn.functional as F

CLICK_RADIUS = 5


def disk_maps(clicks, height, width, radius=CLICK_RADIUS):
    """Encode clicks as a [2,H,W] float32 array: channel 0 positive disks, channel 1 negative.

    clicks: iterable of (row, col, is_positive) with integer model-input coordinates. A pixel
    (i,j) is marked when (i-row)^2 + (j-col)^2 <= radius^2.
    """
    maps = np.zeros((2, height, width), np.float32)
    r2 = radius * radius
    for row, col, pos in clicks:
        row, col = int(row), int(col)
        r0, r1 = max(0, row - radius), min(height, row + radius + 1)
        c0, c1 = max(0, col - radius), min(width, col + radius + 1)
        if r0 >= r1 or c0 >= c1:
            continue
        ii = np.arange(r0, r1)[:, None] - row
        jj = np.arange(c0, c1)[None, :] - col
        disk = (ii * ii + jj * jj) <= r2
        ch = maps[0 if pos else 1, r0:r1, c0:c1]
        ch[disk] = 1.0
    return maps


def edge_of_mask_np(mask):
    """Contract edge: 3x3 max-filter != 3x3 min-filter, replicate borders. mask: bool/0-1 [H,W]."""
    m = np.pad(mask.astype(bool), 1, mode="edge")
    h, w = mask.shape
    mx = np.zeros((h, w), bool)
    mn = np.ones((h, w), bool)
    for di in range(3):
        for dj in range(3):
            win = m[di:di + h, dj:dj + w]
            mx |= win
            mn &= win
    return mx != mn


def edge_of_mask_torch(mask):
    """Same as edge_of_mask_np for a float tensor [B,1,H,W] of 0/1; returns float 0/1."""
    p = F.pad(mask, (1, 1, 1, 1), mode="replicate")
    mx = F.max_pool2d(p, 3, 1)
    mn = -F.max_pool2d(-p, 3, 1)
    return (mx != mn).to(mask.dtype)
