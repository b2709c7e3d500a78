import numpy as np

from edgeflow.inference.clicker import iou, next_click
from edgeflow.inference.noc import noc_of


def test_first_click_is_innermost_object_pixel():
    gt = np.zeros((40, 60), bool)
    gt[10:31, 5:26] = True  # 21 x 21 square, centre (20, 15)
    r, c, pos = next_click(gt, np.zeros_like(gt), np.zeros_like(gt), np.zeros_like(gt))
    assert (r, c, pos) == (20, 15, True)


def test_object_touching_border_is_padded_with_background():
    gt = np.zeros((20, 20), bool)
    gt[:, :10] = True
    r, c, pos = next_click(gt, np.zeros_like(gt), np.zeros_like(gt), np.zeros_like(gt))
    assert pos and c in (4, 5)  # the border counts as boundary


def test_false_positive_region_gives_negative_click():
    gt = np.zeros((40, 40), bool)
    gt[5:15, 5:15] = True
    pred = gt.copy()
    pred[20:38, 20:38] = True  # large false positive
    r, c, pos = next_click(gt, np.zeros_like(gt), pred, np.zeros_like(gt))
    assert not pos and 20 <= r < 38 and 20 <= c < 38


def test_ignore_band_and_clicked_pixels_are_excluded():
    gt = np.zeros((30, 30), bool)
    gt[5:25, 5:25] = True
    ignore = np.zeros_like(gt)
    ignore[5:25, 5:25] = True
    ignore[14:17, 14:17] = False
    pred = np.zeros_like(gt)
    assert iou(gt, ignore, pred) == 0.0
    assert iou(gt, ignore, gt & ~ignore) == 1.0
    clicked = np.zeros_like(gt)
    r, c, _ = next_click(gt, ignore, pred, clicked)
    assert (r, c) == (15, 15)
    clicked[15, 15] = True
    r2, c2, _ = next_click(gt, ignore, pred, clicked)
    assert (r2, c2) != (15, 15)


def test_noc():
    assert noc_of([0.5, 0.86, 0.91], 0.85) == 2
    assert noc_of([0.5, 0.86, 0.91], 0.90) == 3
    assert noc_of([0.5, 0.86, 0.91], 0.95) == 20
