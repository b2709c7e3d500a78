"""Smoke run of the real training loop on a handful of images: the loss falls, resume is exact."""
import json
import os

import pytest
import torch

from edgeflow.data.datasets import ObjectRef, ObjectSampler, index_objects
from edgeflow.engine import trainer as tr


def _tiny_sampler(train_root, n=4):
    ix = index_objects(train_root, sets=("coco128_seg",))
    objs = [o for o in ix["coco128_seg"] if o.image.endswith(("000000000009.jpg", "000000000025.jpg"))][:n]
    return ObjectSampler({"coco128_seg": objs})


def _cfg(**kw):
    base = dict(batch=4, crop=80, lr=2e-3, encoder_lr_mult=1.0, stage1_steps=20, total_steps=36,
                max_sim_iters=1, paste_prob=0.0, threads=1, workers=0, ckpt_every_s=1e9,
                snapshot_every=10 ** 6, min_lr_frac=0.5)
    base.update(kw)
    return tr.TrainConfig(**base)


class _FixedStream(tr.BatchStream):
    """Cycles through two fixed batches so that the loss curve shows learning, not sampling noise."""

    def __getitem__(self, step):
        return super().__getitem__(step % 2)


def test_smoke_loss_falls(train_root, init_path, tmp_path, monkeypatch):
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    monkeypatch.setattr(tr, "BatchStream", _FixedStream)
    t = tr.Trainer(_cfg(init_path=init_path, max_sim_iters=0), str(tmp_path), log_to_stdout=False)
    hist = t.run(validate=False)
    assert len(hist) == 36 and all(h == h for h in hist)
    first = sum(hist[:4]) / 4
    last_stage1 = sum(hist[16:20]) / 4
    assert last_stage1 < 0.7 * first, (first, last_stage1)
    # stage 2 trains FineNet: its output layer moved away from the zero init
    assert t.model.finenet.out.weight.abs().sum() > 0
    log = open(os.path.join(tmp_path, "train.log")).read()
    assert "stage 2" in log and "samples/s" in log
    assert json.loads(open(os.path.join(tmp_path, "metrics.jsonl")).readline())["step"] == 20


def test_resume_is_exact(train_root, tmp_path, monkeypatch):
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    cfg = _cfg(total_steps=6, stage1_steps=3, crop=64, batch=2)
    a = tr.Trainer(cfg, str(tmp_path / "a"), log_to_stdout=False)
    a.run(validate=False)
    b = tr.Trainer(cfg, str(tmp_path / "b"), log_to_stdout=False)
    b.run(max_steps=4, validate=False)  # crosses the stage boundary, then "dies"
    b2 = tr.Trainer(cfg, str(tmp_path / "b"), log_to_stdout=False)
    assert b2.step == 4
    b2.run(validate=False)
    assert b2.step == 6
    sa, sb = a.model.state_dict(), b2.model.state_dict()
    for k in sa:
        assert torch.allclose(sa[k].float(), sb[k].float(), atol=1e-6), k
    ea, eb = a.ema.state_dict(), b2.ema.state_dict()
    for k in ea:
        assert torch.allclose(ea[k].float(), eb[k].float(), atol=1e-6), k


def test_first_click_prob_trains_the_first_click_state(monkeypatch):
    """With first_click_prob 1 every batch keeps only its first (positive) click and no simulated
    clicks or edge prior; with 0 the sampled clicks and simulation are untouched."""
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, img, clicks, prev_edge, run_fine=False):
            seen.append((clicks.clone(), prev_edge.clone()))
            z = torch.zeros_like(img[:, :1])
            return {"mask_logits": z, "edge_logits": z, "coarse_logits": z}

    img = torch.rand(2, 3, 40, 40)
    gt = torch.zeros(2, 1, 40, 40)
    gt[:, :, 10:30, 10:30] = 1
    clicks = -torch.ones(2, 24, 3, dtype=torch.int64)
    clicks[:, 0] = torch.tensor([20, 20, 1])
    clicks[:, 1] = torch.tensor([22, 22, 1])
    clicks[:, 2] = torch.tensor([2, 2, 0])
    batch = {"image": img, "gt": gt, "clicks": clicks}
    for step in range(6):
        seen.clear()
        tr.simulate_and_forward(Spy(), batch, step, _cfg(max_sim_iters=3, first_click_prob=1.0), False)
        assert len(seen) == 1  # no simulated clicks
        maps, prev_edge = seen[0]
        assert prev_edge.abs().sum() == 0
        assert maps[:, 0].sum() > 0 and maps[:, 1].sum() == 0  # one positive disk, no negatives
        assert (maps[:, 0, 22, 26] == 0).all()  # the second click's disk is gone
    counts = set()
    for step in range(12):
        seen.clear()
        tr.simulate_and_forward(Spy(), batch, step, _cfg(max_sim_iters=3), False)
        counts.add(len(seen))
        assert seen[0][0][:, 1].sum() > 0 and (seen[0][0][:, 0, 22, 26] == 1).all()  # clicks kept
    assert len(counts) > 1  # simulation depth still varies


def test_recipe_may_change_on_resume_and_is_logged(train_root, tmp_path, monkeypatch):
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    cfg = _cfg(total_steps=2, stage1_steps=1, crop=64, batch=2)
    tr.Trainer(cfg, str(tmp_path), log_to_stdout=False).run(validate=False)
    t = tr.Trainer(cfg, str(tmp_path), log_to_stdout=False,
                   overrides={"part_weight": 0.5, "first_click_prob": 0.25, "mask_bce_weight": 1.0,
                              "far_neg_prob": 0.3, "coarse_lr_mult_stage2": 0.3, "zoom_max_upscale": 6.0,
                              "lr": 1e-3, "paste_prob": 0.3, "boundary_ignore_px": 2.0,
                              "total_steps": 3})
    assert (t.cfg.part_weight, t.cfg.first_click_prob, t.cfg.mask_bce_weight, t.cfg.far_neg_prob) == (0.5, 0.25, 1.0, 0.3)
    assert t.cfg.zoom_max_upscale == 6.0 and tr.DataRecipe.of(t.cfg).paste_prob == 0.3
    # stage 2's CoarseNet learning rate follows the changed multiplier and peak rate
    assert t.cfg.lr == 1e-3 and tr.lr_for(t.cfg, 1)[1] == pytest.approx(1e-3 * 0.3)
    log = open(os.path.join(tmp_path, "train.log")).read()
    assert "mask_bce_weight: 0.0 -> 1.0" in log and "part_weight: 1.0 -> 0.5" in log
    assert "zoom_max_upscale: 3.0 -> 6.0" in log and "lr: 0.002 -> 0.001" in log
    assert "paste_prob: 0.0 -> 0.3" in log and "boundary_ignore_px: 0.0 -> 2.0" in log
    assert tr.DataRecipe.of(t.cfg).boundary_ignore_px == 2.0
    hist = t.run(validate=False)  # trains on with the band (its batches carry it, the losses take it)
    assert t.step == 3 and len(hist) == 1 and hist[0] == hist[0]
    try:
        tr.Trainer(cfg, str(tmp_path), log_to_stdout=False, overrides={"crop": 96})
    except ValueError:
        pass
    else:
        raise AssertionError("crop changed on resume")


def test_a_knob_newer_than_the_run_resumes_at_its_default(train_root, tmp_path, monkeypatch):
    """A checkpoint written before a recipe knob existed has no value for it: it trained with the
    default, which is what the change is logged from."""
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    cfg = _cfg(total_steps=2, stage1_steps=1, crop=64, batch=2)
    tr.Trainer(cfg, str(tmp_path), log_to_stdout=False).run(validate=False)
    path = os.path.join(tmp_path, "last.pth")
    state = torch.load(path, map_location="cpu", weights_only=False)
    del state["config"]["zoom_max_upscale"]
    torch.save(state, path)
    assert tr.Trainer(cfg, str(tmp_path), log_to_stdout=False).cfg.zoom_max_upscale == 3.0
    t = tr.Trainer(cfg, str(tmp_path), log_to_stdout=False, overrides={"zoom_max_upscale": 6.0})
    assert t.cfg.zoom_max_upscale == 6.0
    assert "zoom_max_upscale: 3.0 -> 6.0" in open(os.path.join(tmp_path, "train.log")).read()


def test_ablation_variant_trains_coarsenet_only(train_root, tmp_path, monkeypatch):
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    with pytest.raises(ValueError):  # no FineNet, so no stage 2
        tr.Trainer(_cfg(variant="baseline", stage1_steps=1, total_steps=3, crop=64, batch=2),
                   str(tmp_path / "a"), log_to_stdout=False)
    t = tr.Trainer(_cfg(variant="baseline", stage1_steps=3, total_steps=3, crop=64, batch=2, max_sim_iters=2),
                   str(tmp_path / "b"), log_to_stdout=False)
    fine0 = [p.clone() for p in t.model.finenet.parameters()]
    hist = t.run(validate=False)
    assert len(hist) == 3 and all(h == h for h in hist)
    assert t.model.variant == "baseline" and all(f.offset is None for f in t.model.fams)
    assert all(torch.equal(a, b) for a, b in zip(fine0, t.model.finenet.parameters()))  # never trained
    # it resumes as the same variant
    t2 = tr.Trainer(t.cfg, str(tmp_path / "b"), log_to_stdout=False)
    assert t2.model.variant == "baseline" and t2.step == 3


def test_full_in_one_stage_trains_finenet_from_step_0_on_the_stage_1_schedule(train_root, tmp_path, monkeypatch):
    """The ablation's `full` without the paper's two stages (`--stage1-steps 0 --coarse-lr-mult-stage2
    1.0`): CoarseNet gets exactly `edge_flow`'s stage-1 rates, and FineNet trains from the first step."""
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    one = _cfg(stage1_steps=0, total_steps=3, coarse_lr_mult_stage2=1.0, encoder_lr_mult=0.2, crop=64, batch=2)
    ef = _cfg(variant="edge_flow", stage1_steps=3, total_steps=3, encoder_lr_mult=0.2)
    for step in range(3):
        enc, coarse, fine = tr.lr_for(one, step)
        assert (enc, coarse) == tr.lr_for(ef, step)[:2] and fine == coarse > 0 and enc < coarse
    assert tr.lr_for(ef, 0)[2] == 0.0
    t = tr.Trainer(one, str(tmp_path), log_to_stdout=False)
    assert t.model.finenet.out.weight.abs().sum() == 0  # the zero-initialised residual
    hist = t.run(validate=False)
    assert len(hist) == 3 and all(h == h for h in hist)
    assert t.model.finenet.out.weight.abs().sum() > 0
    log = open(os.path.join(tmp_path, "train.log")).read()
    assert "stage 2" in log and "stage 1" not in log and " aux " in log


def test_rectangular_crops_train_both_stages_and_keep_their_shape_on_resume(train_root, tmp_path, monkeypatch):
    """The paper's crops are 320x480, not square: the whole loop (click simulation, both stages,
    the edge and FineNet losses) runs on a wide crop, and the crop cannot change on resume."""
    sampler = _tiny_sampler(train_root)
    monkeypatch.setattr(tr, "index_objects", lambda root=None: sampler.index)
    seen = []
    real = tr.BatchStream.__getitem__
    monkeypatch.setattr(tr.BatchStream, "__getitem__", lambda self, i: seen.append(real(self, i)) or seen[-1])
    cfg = _cfg(total_steps=4, stage1_steps=2, crop=64, crop_w=96, batch=2)
    t = tr.Trainer(cfg, str(tmp_path), log_to_stdout=False)
    hist = t.run(validate=False)
    assert t.step == 4 and len(hist) == 4 and all(h == h for h in hist)
    assert seen and all(b["image"].shape == (2, 3, 64, 96) for b in seen)
    assert tr.Trainer(cfg, str(tmp_path), log_to_stdout=False).cfg.crop_w == 96  # stored with the run
    with pytest.raises(ValueError, match="crop_w cannot change"):
        tr.Trainer(cfg, str(tmp_path), log_to_stdout=False, overrides={"crop_w": 0})
