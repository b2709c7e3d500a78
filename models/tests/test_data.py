import json
import os

import numpy as np
import pytest
import torch
from PIL import Image
from scipy.ndimage import distance_transform_edt

from edgeflow.data.datasets import ObjectRef, ObjectSampler, index_objects, parse_weights
from edgeflow.data.pipeline import (MAX_CLICKS, POLYGON_SETS, DataRecipe, augment, boundary_valid, make_batch,
                                    sample_initial_clicks)


def test_index_covers_every_object_and_no_eval_data(train_root):
    ix = index_objects(train_root)
    assert len(ix["coco_mval"]) == 800
    assert len(ix["coco128_seg"]) == 480
    assert len(ix["coco_mini"]) == 387
    assert len(ix["ccp"]) == 1003 + 4124
    assert sum(o.group == "part" for o in ix["ccp"]) == 4124
    for objs in ix.values():
        for o in objs[:50]:
            assert "/eval/" not in o.image and "/train/" in o.image
            assert os.path.exists(o.image) and os.path.exists(o.mask)
    # coco_mval has no objects.jsonl: one object per mask, its image found whatever the extension
    assert ix["coco_mval"][0].mask.endswith(".png") and ix["coco_mval"][0].image.endswith(".jpg")


def _write_set(root, name, stems, jsonl=True, ext=".jpg"):
    d = root / name
    (d / "images").mkdir(parents=True)
    (d / "masks").mkdir()
    recs = []
    for s in stems:
        Image.new("RGB", (8, 6)).save(d / "images" / (s + ext))
        m = np.zeros((6, 8), np.uint8)
        m[2:4, 2:5] = 255
        if jsonl:
            Image.fromarray(m).save(d / "masks" / f"{s}_0.png")
            recs.append(json.dumps({"stem": s, "k": 0}))
        else:
            Image.fromarray(m).save(d / "masks" / f"{s}.png")
    if jsonl:
        (d / "objects.jsonl").write_text("\n".join(recs) + "\n")
    return d


def test_index_finds_any_set_in_the_standard_layout(tmp_path):
    """New data needs no code change: any folder with images/ and masks/ under a root is a set."""
    a, b = tmp_path / "a", tmp_path / "b"
    _write_set(a, "alpha", ["x", "y"])
    _write_set(a, "beta", ["p"], jsonl=False, ext=".png")
    _write_set(b, "gamma", ["q", "r", "s"])
    _write_set(b, "duts_val", ["v"])  # validation only: never indexed
    (a / "notes").mkdir()  # not a set: ignored
    ix = index_objects([str(a), str(b)])
    assert sorted(ix) == ["alpha", "beta", "gamma"]
    assert [len(ix[k]) for k in ("alpha", "beta", "gamma")] == [2, 1, 3]
    assert ix["beta"][0].image.endswith("p.png") and ix["alpha"][1].mask.endswith("y_0.png")
    assert index_objects(f"{a}{os.pathsep}{b}").keys() == ix.keys()  # a config's data_roots string
    assert list(index_objects([str(a)], sets=("beta",))) == ["beta"]
    with pytest.raises(ValueError, match="validation only"):
        index_objects([str(b)], sets=("duts_val",))
    with pytest.raises(FileNotFoundError):
        index_objects([str(tmp_path / "missing")])
    _write_set(b, "alpha", ["z"])
    with pytest.raises(ValueError, match="two roots"):
        index_objects([str(a), str(b)])
    ev = tmp_path / "eval"
    _write_set(ev, "GrabCut", ["g"])
    with pytest.raises(ValueError, match="never trained on"):
        index_objects([str(ev)])


def test_set_weights_come_from_the_config(tmp_path):
    _write_set(tmp_path, "big", [f"b{i}" for i in range(30)])
    _write_set(tmp_path, "small", ["s0", "s1"])
    _write_set(tmp_path, "extra", ["e0"])
    ix = index_objects([str(tmp_path)])
    s = ObjectSampler(ix, "big=0.25,small=0.75")
    rng = np.random.default_rng(0)
    draws = [s.sample(rng).dataset for _ in range(4000)]
    assert abs(draws.count("small") / 4000 - 0.75) < 0.03  # per set, not per object
    assert "extra" not in draws and s.unweighted == ["extra"]
    assert any("not drawn" in line and "extra" in line for line in s.describe())
    assert s.describe()[0].startswith("big: 30 objects, 25.0 %")
    with pytest.raises(ValueError):
        ObjectSampler(ix, "big=-1")
    with pytest.raises(ValueError, match="positive weight"):
        ObjectSampler(ix, "nothing=1")
    assert parse_weights(" a=1, b=0.5 ,") == {"a": 1.0, "b": 0.5}


def test_batch_shapes_values_and_determinism(train_root):
    s = ObjectSampler(index_objects(train_root))
    a = make_batch(s, seed=3, step=11, batch=3, recipe=DataRecipe(crop=96))
    b = make_batch(s, seed=3, step=11, batch=3, recipe=DataRecipe(crop=96))
    c = make_batch(s, seed=3, step=12, batch=3, recipe=DataRecipe(crop=96))
    assert a["image"].shape == (3, 3, 96, 96) and a["gt"].shape == (3, 1, 96, 96)
    assert a["clicks"].shape == (3, MAX_CLICKS, 3)
    assert a["image"].min() >= 0 and a["image"].max() <= 1
    assert set(torch.unique(a["gt"]).tolist()) <= {0.0, 1.0}
    assert (a["gt"].flatten(1).sum(1) >= 64).all()  # every sample keeps its object
    assert torch.equal(a["valid"], torch.ones_like(a["gt"]))  # no band by default
    for k in a:
        assert torch.equal(a[k], b[k])  # same (seed, step) -> same batch: exact resume
    assert not torch.equal(a["image"], c["image"])
    # initial clicks: positives inside the object, negatives outside
    for i in range(3):
        gt = a["gt"][i, 0].numpy() > 0.5
        rows = [r for r in a["clicks"][i].tolist() if r[0] >= 0]
        assert rows and rows[0][2] == 1
        for r, cc, p in rows:
            assert gt[r, cc] == bool(p)


def test_initial_clicks_respect_the_object():
    rng = np.random.default_rng(0)
    mask = np.zeros((80, 80), bool)
    mask[20:60, 30:50] = True
    dt_out = distance_transform_edt(~mask)
    for _ in range(20):
        cl = sample_initial_clicks(mask, rng)
        assert cl[0][2] and 1 <= len(cl) <= 8
        for r, c, p in cl:
            if p:
                assert mask[r, c]
            else:
                assert not mask[r, c] and 3 <= dt_out[r, c] <= 40


def _toy_index():
    objs = [ObjectRef(f"/train/p{i}.jpg", f"/train/p{i}.png", "ccp", "person") for i in range(3)]
    objs += [ObjectRef(f"/train/g{i}.jpg", f"/train/g{i}.png", "ccp", "part") for i in range(5)]
    return {"ccp": objs}


def test_part_weight_scales_and_drops_garments():
    rng = np.random.default_rng(0)
    groups = lambda s: [s.sample(rng).group for _ in range(4000)]  # noqa: E731
    even = groups(ObjectSampler(_toy_index()))
    assert abs(even.count("part") / 4000 - 0.5) < 0.04
    quarter = groups(ObjectSampler(_toy_index(), part_weight=1 / 3))
    assert abs(quarter.count("part") / 4000 - 0.25) < 0.04
    none = ObjectSampler(_toy_index(), part_weight=0)
    assert len(none) == 3 and set(groups(none)) == {"person"}
    try:
        ObjectSampler(_toy_index(), part_weight=-1)
    except ValueError:
        pass
    else:
        raise AssertionError("negative part_weight accepted")


def test_part_weight_one_keeps_the_original_draws():
    """Runs trained before part_weight existed must resume on the same data."""
    a, b = ObjectSampler(_toy_index()), ObjectSampler(_toy_index(), part_weight=1.0)
    ra, rb = np.random.default_rng(5), np.random.default_rng(5)
    assert [a.sample(ra).image for _ in range(50)] == [b.sample(rb).image for _ in range(50)]


def test_far_negative_clicks():
    mask = np.zeros((200, 200), bool)
    mask[80:120, 80:120] = True
    d_out = distance_transform_edt(~mask)
    for seed in range(40):
        base = sample_initial_clicks(mask, np.random.default_rng(seed))
        assert base == sample_initial_clicks(mask, np.random.default_rng(seed), 0.0)  # 0 draws nothing more
        cl = sample_initial_clicks(mask, np.random.default_rng(seed), far_neg_prob=1.0)
        assert cl[:len(base)] == base and len(cl) == len(base) + 1
        r, c, pos = cl[-1]
        assert not pos and d_out[r, c] > 40
    # no pixel farther than 40 px: nothing is added
    big = np.ones((60, 60), bool)
    big[0, 0] = False
    with_far = sample_initial_clicks(big, np.random.default_rng(0), 1.0)
    assert len(with_far) == len(sample_initial_clicks(big, np.random.default_rng(0)))


def test_batch_passes_far_negative_clicks_on(train_root):
    s = ObjectSampler(index_objects(train_root))
    a = make_batch(s, seed=3, step=11, batch=4, recipe=DataRecipe(crop=160))
    b = make_batch(s, seed=3, step=11, batch=4, recipe=DataRecipe(crop=160, far_neg_prob=1.0))
    assert torch.equal(a["image"][0], b["image"][0])  # the same first sample (its draws come first)
    for i in range(4):
        rb = [r for r in b["clicks"][i].tolist() if r[0] >= 0]
        d_out = distance_transform_edt(~(b["gt"][i, 0].numpy() > 0.5))
        if (d_out > 40).any():
            r, c, p = rb[-1]
            assert p == 0 and d_out[r, c] > 40


def _object_files(tmp_path, box, width=None):
    """A 640x480 image with a textured object at (100, 200), `box` px tall and `width` (default:
    `box`) px wide, and its mask."""
    width = width or box
    rng = np.random.default_rng(0)
    img = (rng.random((480, 640, 3)) * 255).astype(np.uint8)
    mask = np.zeros((480, 640), np.uint8)
    mask[100:100 + box, 200:200 + width] = 255
    Image.fromarray(img).save(tmp_path / f"img{box}x{width}.png")
    Image.fromarray(mask).save(tmp_path / f"mask{box}x{width}.png")
    return ObjectRef(str(tmp_path / f"img{box}x{width}.png"), str(tmp_path / f"mask{box}x{width}.png"), "toy", "obj")


def _extent(m):
    ys, xs = np.nonzero(m)
    return max(np.ptp(ys), np.ptp(xs)) + 1


def test_zoom_cap_limits_how_far_a_small_object_is_blown_up(tmp_path):
    small = _object_files(tmp_path, 40)
    base, wide = [], []
    for seed in range(60):
        a = augment(small, np.random.default_rng(seed), DataRecipe(crop=288))
        b = augment(small, np.random.default_rng(seed), DataRecipe(crop=288, zoom_max_upscale=8.0))
        base.append(_extent(a[1]))
        wide.append(_extent(b[1]))
    # default cap: at most 3 x the whole image's scale at S (400 / 640), so 40 px -> at most 75 px
    assert max(base) <= 40 * 3.0 * 400 / 640 + 2
    # a larger cap blows the zoom-ins up as far as the focus crop does (object ~1/2 of the crop)
    assert max(wide) > 120 and sum(w > b for w, b in zip(wide, base)) >= 10
    # the cap changes only the zoom-ins' scale, not the other draws
    assert sum(w == b for w, b in zip(wide, base)) >= 20


def test_zoom_cap_does_not_touch_large_objects(tmp_path):
    large = _object_files(tmp_path, 300)
    for seed in range(20):
        a = augment(large, np.random.default_rng(seed), DataRecipe(crop=288))
        b = augment(large, np.random.default_rng(seed), DataRecipe(crop=288, zoom_max_upscale=8.0))
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_rectangular_crop_batches(train_root):
    s = ObjectSampler(index_objects(train_root))
    recipe = DataRecipe(crop=64, crop_w=96, paste_prob=0.5)
    assert recipe.crop_hw == (64, 96) and DataRecipe(crop=64).crop_hw == (64, 64)
    a = make_batch(s, seed=4, step=7, batch=4, recipe=recipe)
    b = make_batch(s, seed=4, step=7, batch=4, recipe=recipe)
    assert a["image"].shape == (4, 3, 64, 96) and a["gt"].shape == (4, 1, 64, 96) and a["valid"].shape == (4, 1, 64, 96)
    for k in a:
        assert torch.equal(a[k], b[k])
    assert (a["gt"].flatten(1).sum(1) >= 64).all()
    for i in range(4):
        gt = a["gt"][i, 0].numpy() > 0.5
        for r, c, p in (row for row in a["clicks"][i].tolist() if row[0] >= 0):
            assert gt[r, c] == bool(p)  # clicks in the crop's own coordinates, on the right side


def test_zoom_fits_the_object_to_each_side_of_a_rectangular_crop(tmp_path):
    wide = _object_files(tmp_path, 40, width=160)
    sq, rect = DataRecipe(crop=160, zoom_max_upscale=8.0), DataRecipe(crop=160, crop_w=320, zoom_max_upscale=8.0)
    widths_sq, widths_rect = [], []
    for seed in range(40):
        a = augment(wide, np.random.default_rng(seed), sq)
        b = augment(wide, np.random.default_rng(seed), rect)
        assert a[0].shape == (160, 160, 3) and b[0].shape == (160, 320, 3) and b[1].shape == (160, 320)
        # the same draws; a zoom-in scales the wide box to the wide crop's width, not its height
        assert b[2] >= a[2] - 1e-9 and b[2] <= 2 * a[2] + 1e-9
        widths_sq.append(np.ptp(np.nonzero(a[1])[1]) + 1)
        widths_rect.append(np.ptp(np.nonzero(b[1])[1]) + 1)
    assert max(widths_rect) > 160 >= max(widths_sq)  # only the wide crop holds the zoomed object whole
    assert sum(r > q for r, q in zip(widths_rect, widths_sq)) >= 10


def test_recipe_of_the_training_config():
    from edgeflow.engine.trainer import TrainConfig
    # the defaults are the original recipe on both sides
    assert DataRecipe.of(TrainConfig()) == DataRecipe()
    cfg = TrainConfig(crop=288, paste_prob=0.2, far_neg_prob=0.15, zoom_max_upscale=6.0)
    assert DataRecipe.of(cfg) == DataRecipe(288, 0.2, 0.15, 6.0)
    assert DataRecipe.of(TrainConfig(crop=320, crop_w=480)).crop_hw == (320, 480)


def test_boundary_band_is_symmetric_and_at_least_one_pixel():
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    v = boundary_valid(mask, 0.3)  # under a pixel: still the pixel each side of the boundary
    assert v[9, 20] == 0 and v[10, 20] == 0 and v[8, 20] == 1 and v[11, 20] == 1
    v = boundary_valid(mask, 3.0)
    assert (v[20, 7:13] == 0).all() and (v[20, 27:33] == 0).all()  # 3 px inside and out, both sides
    assert v[20, 6] == 1 and v[20, 13] == 1 and v[20, 20] == 1 and v[0, 0] == 1
    assert v.dtype == np.float32 and set(np.unique(v)) == {0.0, 1.0}


def test_boundary_band_only_for_polygon_sets_and_the_stream_is_unchanged(train_root):
    ix = index_objects(train_root)
    assert set(POLYGON_SETS) <= set(ix) and "ccp" not in POLYGON_SETS
    persons = {"ccp": [o for o in ix["ccp"] if o.group == "obj"][:40]}
    coco = {k: ix[k][:40] for k in POLYGON_SETS}
    for index, banded in ((coco, True), (persons, False)):
        s = ObjectSampler(index)
        for step in range(3):
            a = make_batch(s, seed=5, step=step, batch=4, recipe=DataRecipe(crop=128))
            b = make_batch(s, seed=5, step=step, batch=4, recipe=DataRecipe(crop=128, boundary_ignore_px=3.0))
            for k in ("image", "gt", "clicks"):
                assert torch.equal(a[k], b[k])  # the band draws nothing: same samples, same clicks
            for i in range(4):
                gt = b["gt"][i, 0].numpy() > 0.5
                v = b["valid"][i, 0].numpy()
                if not banded:  # ccp is labelled per pixel: every pixel counts
                    assert v.min() == 1.0
                    continue
                d_in, d_out = distance_transform_edt(gt), distance_transform_edt(~gt)
                assert (v[(gt & (d_in <= 1)) | (~gt & (d_out <= 1))] == 0).all()  # the boundary pixels
                assert (v[(gt & (d_in > 40)) | (~gt & (d_out > 40))] == 1).all()  # far from it
                assert 0 < (v == 0).mean() < 0.5
