"""The focus-crop predictor and the NoC loop, with a stand-in model whose answer is known."""
import numpy as np
import pytest
import torch

from edgeflow.inference.noc import eval_sample, evaluate, list_samples
from edgeflow.inference.protocol import Predictor


def disk_oracle(image, clicks, prev_edge):
    """Mask = positive click disks minus negative ones; edge = nothing."""
    logit = (clicks[:, :1] - clicks[:, 1:2]) * 20.0 - 10.0
    return logit, torch.full_like(logit, -10.0), logit


def test_predictor_maps_clicks_and_pastes_focus_crop():
    img = np.zeros((300, 500, 3), np.uint8)
    p = Predictor(disk_oracle, img)
    m1 = p.add_click(150, 100, True)
    assert m1.shape == (300, 500)
    assert m1[150, 100] and not m1[150, 300]
    # the disk is radius 5 at the model input (scale 400/500): about 6 px in the image
    assert m1[150, 104] and not m1[150, 110]
    m2 = p.add_click(150, 300, True)
    # the focus crop holds both clicks (box of mask + clicks, x1.4), so both disks are present
    assert m2[150, 300] and m2[150, 100]
    m3 = p.add_click(20, 480, False)
    assert not m3[20, 480]


def test_focus_crop_keeps_previous_values_outside():
    img = np.zeros((600, 600, 3), np.uint8)
    p = Predictor(disk_oracle, img, click2_no_upscale=False)
    p.add_click(50, 50, True)
    before = p.prob[0, 0, 50, 50].item()
    p.add_click(550, 550, False)  # crop around mask+clicks covers both: values recomputed
    p2 = Predictor(disk_oracle, img, click2_no_upscale=False)
    p2.add_click(300, 300, True)
    p2.prob[0, 0, 0:5, 0:5] = 0.4  # below 0.5: not in the box; far outside the next focus crop
    p2.add_click(310, 310, True)
    assert before > 0.5
    assert torch.allclose(p2.prob[0, 0, 0:5, 0:5], torch.full((5, 5), 0.4))


def test_noc_loop_on_grabcut_sample(eval_root):
    import os

    d = os.path.join(eval_root, "GrabCut")
    ious = eval_sample(disk_oracle, os.path.join(d, "images", "teddy.jpg"), os.path.join(d, "masks", "teddy.png"), max_clicks=4)
    assert len(ious) == 4 and all(0.0 <= v <= 1.0 for v in ious)
    assert ious[0] > 0  # the first click lands inside the object and its disk counts
    res = evaluate(disk_oracle, "GrabCut", limit=1, max_clicks=2)
    assert res["n"] == 1 and len(res["mIoU_per_click"]) == 2 and res["NoC@90"] == 2
    (stem, seq), = res["per_sample_ious"].items()
    assert len(seq) == 2 and res["per_sample_noc90"] == {stem: 2}
    assert [round(v, 4) for v in seq] == res["mIoU_per_click"]  # one image: its IoUs are the mean
    (_stem, ip, mp), = list_samples("GrabCut", limit=1)
    assert seq == eval_sample(disk_oracle, ip, mp, max_clicks=2)  # unrounded: no IoU moves across a threshold


def test_focus_from_delays_the_focus_crop():
    img = np.zeros((600, 600, 3), np.uint8)
    p = Predictor(disk_oracle, img, focus_from=3)
    p.add_click(300, 300, True)
    p.prob[0, 0, 0:5, 0:5] = 0.4
    p.add_click(310, 310, True)  # click 2: still the whole image, so the corner is recomputed
    assert torch.all(p.prob[0, 0, 0:5, 0:5] < 0.1)
    p.prob[0, 0, 0:5, 0:5] = 0.4
    p.add_click(320, 320, True)  # click 3: focus crop around the mask, the corner is kept
    assert torch.allclose(p.prob[0, 0, 0:5, 0:5], torch.full((5, 5), 0.4))


def test_threshold_option_sets_the_returned_mask_and_the_focus_box():
    def soft_oracle(image, clicks, prev_edge):
        # Logit 0 (p = 0.5 - tiny) everywhere except +10 on the positive disks: only a threshold
        # under 0.5 takes the whole image.
        logit = clicks[:, :1] * 10.0 - 1e-3
        return logit, torch.full_like(logit, -10.0), logit

    img = np.zeros((600, 600, 3), np.uint8)
    strict = Predictor(soft_oracle, img, click2_no_upscale=False)
    loose = Predictor(soft_oracle, img, click2_no_upscale=False, threshold=0.4)
    assert strict.add_click(300, 300, True).mean() < 0.01
    assert loose.add_click(300, 300, True).all()
    # Click 2: the focus box comes from the mask at the same threshold. The strict mask is a small
    # disk, so the far corner lies outside the crop and keeps its value; the loose mask is the whole
    # image, so the crop is too and the corner is recomputed.
    for p in (strict, loose):
        p.prob[0, 0, 0:5, 0:5] = 0.3
        p.add_click(310, 310, True)
    assert torch.allclose(strict.prob[0, 0, 0:5, 0:5], torch.full((5, 5), 0.3))
    assert torch.all(loose.prob[0, 0, 0:5, 0:5] > 0.45)


def test_click_2_keeps_the_whole_image_unless_the_crop_zooms_in_twice():
    img = np.zeros((400, 600, 3), np.uint8)

    def corner_after_click_2(clicks, **kw):
        p = Predictor(disk_oracle, img, click2_no_upscale=False, **kw)
        p.add_click(*clicks[0])
        p.prob[0, 0, 0:5, 0:5] = 0.3  # below 0.5: outside the mask, so only a whole-image pass rewrites it
        p.add_click(*clicks[1])
        return float(p.prob[0, 0, 0:5, 0:5].max())

    far = [(100, 100, True), (300, 500, True)]  # box 400 px wide x1.4 = 560 of 600: no 2x zoom
    near = [(200, 300, True), (205, 310, True)]  # min side 200: a 3x zoom
    assert corner_after_click_2(far) < 0.01  # whole image: recomputed (the oracle gives ~0 there)
    assert corner_after_click_2(near) == pytest.approx(0.3)  # focus crop: kept
    assert corner_after_click_2(far, first_focus_min_zoom=0) == pytest.approx(0.3)  # the old rule: crop


def test_focus_min_zoom_applies_the_rule_to_the_later_clicks():
    # The diagnostic knob (evaluate.py --focus-min-zoom): click 3 keeps the whole image unless its
    # crop zooms in enough; 0 (the contract) always crops from click 3 on.
    img = np.zeros((400, 600, 3), np.uint8)
    clicks = [(100, 100, True), (300, 500, True), (290, 490, True)]  # wide box: no 2x zoom

    def corner_after_click_3(**kw):
        p = Predictor(disk_oracle, img, click2_no_upscale=False, first_focus_min_zoom=0, **kw)
        p.add_click(*clicks[0])
        p.add_click(*clicks[1])
        p.prob[0, 0, 0:5, 0:5] = 0.3
        p.add_click(*clicks[2])
        return float(p.prob[0, 0, 0:5, 0:5].max())

    assert corner_after_click_3() == pytest.approx(0.3)  # the contract: click 3 on the crop
    assert corner_after_click_3(focus_min_zoom=2.0) < 0.01  # whole image: recomputed
    assert corner_after_click_3(focus_min_zoom=1.0) == pytest.approx(0.3)  # any crop zooms in >= 1x


def test_probability_bytes_match_the_editor_quantisation():
    from edgeflow.inference.protocol import probability_bytes
    p = np.array([0.0, 0.001, 0.5, np.nextafter(np.float32(0.5), np.float32(1)), 0.499, 0.502, 1.0], np.float32)
    q = probability_bytes(p)
    assert q.tolist() == [0, 0, 127, 128, 127, 128, 255]
    rng = np.random.default_rng(0)
    r = rng.random(10000).astype(np.float32)
    assert np.array_equal(probability_bytes(r) >= 128, r > 0.5)
    # p * 255 + 0.5 in float64 as in JavaScript: float32 arithmetic would round this one up to 156
    assert probability_bytes(np.array([0.6098039150238037], np.float32)).tolist() == [155]


def test_expected_iou_threshold_lowers_only_for_uncertain_maps():
    from edgeflow.inference.protocol import AUTO_MIN_BYTE, expected_iou_byte
    confident = np.zeros((100, 100), np.uint8)
    confident[20:60, 20:60] = 250
    confident[60:62, 20:60] = 100  # a soft rim stays out
    assert expected_iou_byte(confident) == 128
    # One click on a large object: a small confident core and a wide band at p = 0.35.
    uncertain = np.zeros((100, 100), np.uint8)
    uncertain[10:90, 10:90] = 89
    uncertain[45:55, 45:55] = 240
    k = expected_iou_byte(uncertain)
    assert AUTO_MIN_BYTE <= k <= 89  # the band is taken
    # Brute force over every allowed k: the chosen one maximises the expected IoU (ties: highest k).
    q = uncertain.astype(np.int64).ravel()
    def j(k):
        return q[q >= k].sum() / (255 * (q >= k).sum() + q[q < k].sum())
    best = max(range(AUTO_MIN_BYTE, 129), key=lambda k: (j(k), k))
    assert k == best
    assert expected_iou_byte(np.zeros((10, 10), np.uint8)) == 128  # empty map: the contract's 0.5


def test_auto_threshold_predictor_takes_the_uncertain_object_and_keeps_the_focus_box_at_half():
    def soft_oracle(image, clicks, prev_edge):
        # p about 0.35 on a 300x300 square around the click, 0.9 on the disk, ~0 elsewhere.
        logit = torch.full_like(clicks[:, :1], -8.0)
        logit[..., 100:300, 100:300] = -0.62
        logit = torch.where(clicks[:, :1] > 0, torch.full_like(logit, 2.2), logit)
        return logit, torch.full_like(logit, -10.0), logit

    img = np.zeros((400, 400, 3), np.uint8)
    fixed = Predictor(soft_oracle, img)
    auto = Predictor(soft_oracle, img, threshold="auto")
    assert fixed.add_click(200, 200, True).sum() < 200
    m = auto.add_click(200, 200, True)
    assert m[110:290, 110:290].all() and not m[:90].any() and auto.auto_byte < 128
    assert auto.thr == 0.5  # the focus box of the next click comes from p > 0.5, as in the editor



def test_later_threshold_sets_the_mask_after_the_automatic_click_but_not_the_focus_box():
    def soft_oracle(image, clicks, prev_edge):
        # p about 0.45 everywhere, 0.9 on the positive disks.
        logit = torch.where(clicks[:, :1] > 0, torch.full_like(clicks[:, :1], 2.2),
                            torch.full_like(clicks[:, :1], -0.2))
        return logit, torch.full_like(logit, -10.0), logit

    img = np.zeros((600, 600, 3), np.uint8)
    contract = Predictor(soft_oracle, img, click2_no_upscale=False, threshold="auto1")
    lower = Predictor(soft_oracle, img, click2_no_upscale=False, threshold="auto1", later_threshold=0.4)
    for p in (contract, lower):
        p.add_click(300, 300, True)
        p.prob[0, 0, 0:5, 0:5] = 0.3  # outside any crop around the disks: kept unless recomputed
    assert contract.add_click(310, 310, True).mean() < 0.01
    m = lower.add_click(310, 310, True)
    # 0.45 > 0.4: the mask is the whole image except the corner the crop did not recompute
    assert m.mean() > 0.9 and not m[0:5, 0:5].any()
    # both boxes came from p > 0.5 (the disks): the corner kept its value in both
    for p in (contract, lower):
        assert torch.allclose(p.prob[0, 0, 0:5, 0:5], torch.full((5, 5), 0.3))
    # a numeric threshold is one threshold for everything; later_threshold does not apply to it
    assert Predictor(soft_oracle, img, threshold=0.6, later_threshold=0.4).later_thr == 0.6


def test_box_from_mask_takes_the_focus_box_from_the_automatic_mask():
    def soft_oracle(image, clicks, prev_edge):
        # p about 0.35 on a 300x300 square of the 600x600 image, 0.9 on the disks, ~0 elsewhere.
        logit = torch.full_like(clicks[:, :1], -8.0)
        h, w = logit.shape[-2:]
        logit[..., h // 4:3 * h // 4, w // 4:3 * w // 4] = -0.62
        logit = torch.where(clicks[:, :1] > 0, torch.full_like(logit, 2.2), logit)
        return logit, torch.full_like(logit, -10.0), logit

    img = np.zeros((600, 600, 3), np.uint8)
    half = Predictor(soft_oracle, img, click2_no_upscale=False, threshold="auto1", first_focus_min_zoom=0)
    shown = Predictor(soft_oracle, img, click2_no_upscale=False, threshold="auto1", first_focus_min_zoom=0, box_from_mask=True)
    for p in (half, shown):
        first = p.add_click(300, 300, True)
        assert first[160:440, 160:440].all() and p.auto_byte < 128  # the square, automatically
        p.prob[0, 0, 152:156, 152:156] = 0.3  # inside the square, outside a box around the disk
        p.add_click(305, 305, True)
    # p > 0.5 is the disk: a 200 px crop around the clicks leaves the marked pixels as they were;
    # the shown mask is the square: its 1.4x box holds them and they are predicted again.
    assert torch.allclose(half.prob[0, 0, 152:156, 152:156], torch.full((4, 4), 0.3))
    assert not torch.allclose(shown.prob[0, 0, 152:156, 152:156], torch.full((4, 4), 0.3))

def ramp_oracle(image, clicks, prev_edge):
    """Position-dependent stand-in: the click disks, minus 1, plus a ramp along the padded width
    from -3 at column 0 to +3 at the last column, so that a view and its mirror disagree."""
    w = clicks.shape[-1]
    ramp = torch.linspace(-3.0, 3.0, w).view(1, 1, 1, w)
    logit = (clicks[:, :1] - clicks[:, 1:2]) * 20.0 - 1.0 + ramp
    return logit, -logit, logit


def test_mirror_averaging_cancels_what_depends_on_the_side():
    from edgeflow.inference.protocol import mirror_averaged

    image, clicks, edge = torch.rand(1, 3, 64, 96), torch.zeros(1, 2, 64, 96), torch.zeros(1, 1, 64, 96)
    clicks[0, 0, 30:35, 10:15] = 1
    mask, inv, _ = mirror_averaged(ramp_oracle)(image, clicks, edge)
    # the ramp is odd about the padded tensor's centre and cancels; the disk, mirrored there and
    # back, stays where it was
    assert torch.allclose(mask[0, 0, 0, 40:56], torch.full((16,), -1.0), atol=1e-5)
    assert mask[0, 0, 32, 12] == pytest.approx(19.0, abs=1e-5)
    assert torch.equal(inv, -mask)  # every output is averaged, the edge too
    # a mirror-symmetric model is unchanged
    m1 = disk_oracle(image, clicks, edge)[0]
    assert torch.allclose(mirror_averaged(disk_oracle)(image, clicks, edge)[0], m1)


def test_predictor_mirror_changes_the_mask_only_where_the_model_depends_on_the_side():
    img = np.zeros((200, 300, 3), np.uint8)
    plain = Predictor(ramp_oracle, img).add_click(100, 150, True)
    mirrored = Predictor(ramp_oracle, img, mirror=True).add_click(100, 150, True)
    # without averaging the ramp outweighs the -1 over the right third of the padded input, and
    # the mask covers it; averaged, only the click's disk is left
    assert plain[:, 250:].all() and not plain[:, :100].any()
    assert mirrored[100, 150] and mirrored.sum() < 200


def test_max_upscale_limits_only_the_focus_crop():
    # A 200 x 200 focus crop is resized to S = 400 (2x) unless max_upscale limits it; the whole
    # image of click 1 keeps S whatever the limit.
    img = np.zeros((400, 600, 3), np.uint8)
    shapes = []

    def recording(image, clicks, prev_edge):
        shapes.append(tuple(image.shape[-2:]))
        return disk_oracle(image, clicks, prev_edge)

    for kw in ({}, {"max_upscale": 1.0}, {"max_upscale": 1.4}, {"max_upscale": 3.0}):
        shapes.clear()
        p = Predictor(recording, img, click2_no_upscale=False, **kw)
        p.add_click(200, 300, True)
        m = p.add_click(205, 310, True)  # min side 200: a 3x zoom, so the crop is used
        assert m[205, 310] and m[200, 300]
        assert shapes[0] == (288, 416)  # whole image: 267 x 400 padded
        shapes_of_crop = shapes[1]
        if kw.get("max_upscale", 3.0) >= 2.0:
            assert shapes_of_crop == (416, 416)  # 400 padded
        elif kw["max_upscale"] == 1.0:
            assert shapes_of_crop == (224, 224)  # 200 padded
        else:
            assert shapes_of_crop == (288, 288)  # round(1.4 * 200) = 280 padded


def test_click_2_crops_only_when_the_crop_needs_no_upsampling():
    # The contract since session 8: click 2 of a new object uses its crop only if the crop zooms
    # in 2x AND is at least S = 400 px on its longer side (a crop of a large photo, shrunk); a
    # small crop (blown up) waits for click 3, which gets the 2x rule; click 4 on always crops.
    def corner_after(img, clicks, **kw):
        p = Predictor(disk_oracle, img, **kw)
        out = []
        for c in clicks:
            p.prob[0, 0, 0:5, 0:5] = 0.3  # below 0.5: only a whole-image pass rewrites it
            p.add_click(*c)
            out.append(float(p.prob[0, 0, 0:5, 0:5].max()) < 0.01)  # True: the whole image
        return out

    small = np.zeros((400, 600, 3), np.uint8)
    near = [(200, 300, True), (205, 310, True), (208, 305, True), (202, 302, True)]  # 200 px crop, 3x
    assert corner_after(small, near) == [True, True, False, False]  # click 2 whole, click 3 crops
    assert corner_after(small, near, click2_no_upscale=False) == [True, False, False, False]
    large = np.zeros((1600, 2400, 3), np.uint8)
    near_l = [(800, 1200, True), (820, 1240, True), (830, 1220, True)]  # about 200 px of mask x1.4 ...
    # ... but the crop's minimum side (200) and the clicks give a crop under 400 px: still upsampled
    assert corner_after(large, near_l) == [True, True, False]
    wide_l = [(800, 1000, True), (900, 1500, True), (850, 1200, True)]  # crop 700 px: 3.4x zoom, shrunk
    assert corner_after(large, wide_l) == [True, False, False]
