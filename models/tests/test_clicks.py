import numpy as np
import torch

from edgeflow.data.clicks import disk_maps, edge_of_mask_np, edge_of_mask_torch
from edgeflow.inference.protocol import focus_box, map_click, pad32, resized_size


def test_disk_has_radius_5():
    m = disk_maps([(20, 30, True)], 50, 60)
    assert m.shape == (2, 50, 60)
    assert m[1].sum() == 0
    # integer points with i^2 + j^2 <= 25
    assert m[0].sum() == 81
    assert m[0, 15, 30] == 1 and m[0, 14, 30] == 0
    assert m[0, 20, 35] == 1 and m[0, 20, 36] == 0
    assert m[0, 24, 33] == 1  # 4^2 + 3^2 = 25
    assert m[0, 24, 34] == 0  # 16 + 16 > 25


def test_negative_channel_and_border_clipping():
    m = disk_maps([(0, 0, False), (9, 9, True)], 10, 10)
    assert m[1, 0, 0] == 1 and m[1].sum() == sum(1 for i in range(6) for j in range(6) if i * i + j * j <= 25)
    assert m[0, 9, 9] == 1 and m[0, 4, 9] == 1 and m[0, 3, 9] == 0


def test_edge_is_two_pixel_band_across_boundary():
    mask = np.zeros((12, 12), bool)
    mask[3:9, 3:9] = True
    e = edge_of_mask_np(mask)
    # one pixel inside and one outside the boundary
    assert e[3, 5] and e[2, 5] and not e[4, 5] and not e[1, 5]
    assert e[8, 5] and e[9, 5] and not e[7, 5]
    assert not e[5, 5]
    assert e.sum() == 8 * 8 - 4 * 4


def test_edge_replicate_border_and_torch_agrees():
    mask = np.zeros((10, 10), bool)
    mask[:, :4] = True  # touches the image border: no edge along the border
    e = edge_of_mask_np(mask)
    assert not e[:, 0].any() and e[:, 3].all() and e[:, 4].all() and e.sum() == 20
    rng = np.random.default_rng(0)
    rnd = rng.random((2, 1, 31, 17)) > 0.6
    t = edge_of_mask_torch(torch.from_numpy(rnd.astype(np.float32))).numpy() > 0.5
    for b in range(2):
        assert (t[b, 0] == edge_of_mask_np(rnd[b, 0])).all()


def test_resize_and_click_mapping():
    assert resized_size(321, 481) == (267, 400)
    assert resized_size(400, 400) == (400, 400)
    assert pad32(267) == 288 and pad32(400) == 416 and pad32(128) == 128
    # pixel centre through the resize, then floor
    assert map_click(0, 0, 0, 0, 321, 481, 267, 400) == (0, 0)
    assert map_click(320, 480, 0, 0, 321, 481, 267, 400) == (266, 399)
    assert map_click(160, 240, 0, 0, 321, 481, 267, 400) == (int((160.5) * 267 / 321), int(240.5 * 400 / 481))
    assert map_click(5, 5, 10, 0, 100, 100, 100, 100) is None


def test_focus_box_expands_clamps_and_has_min_side():
    mask = np.zeros((300, 500), bool)
    mask[100:150, 200:260] = True  # 50 x 60
    top, left, h, w = focus_box(mask, [(120, 230, True)], 300, 500)
    assert (h, w) == (200, 200)  # min side 200
    assert 0 <= top <= 100 and top + h >= 150 and 0 <= left <= 200 and left + w >= 260
    mask[:] = False
    mask[0:250, 0:10] = True
    top, left, h, w = focus_box(mask, [(5, 5, True)], 300, 500)
    assert h == 300 and top == 0  # 1.4 * 250 clamped to the image
    assert w == 200 and left == 0
