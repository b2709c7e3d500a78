"""Rebuilding a trainable network from an ONNX export (BatchNorm folded by the exporter), and
seeding a training run from it."""
import os

import pytest
import torch

from edgeflow.engine import trainer as tr
from edgeflow.model import build_model
from edgeflow.model.onnx_import import conv_bn_pairs, import_onnx, onnx_convs, recalibrate_bn
from edgeflow.inference.ort_node import ort_node_available
from export_onnx import example_inputs, export
from test_train_smoke import _tiny_sampler


def _trained_like_net(seed=0):
    torch.manual_seed(seed)
    net = build_model("mobilenetv2")
    with torch.no_grad():
        net.finenet.out.weight.normal_(0, 0.1)
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(-1.5, 1.5)  # negative scales too
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.2, 3.0)
    return net.eval()


def _outputs(net, ins):
    with torch.no_grad():
        o = net(*ins)
    return [o[k] for k in ("mask_logits", "edge_logits", "coarse_logits")]


def _maxdiff(a, b):
    return max(float((x - y).abs().max()) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    src = _trained_like_net()
    path = str(tmp_path_factory.mktemp("onnx") / "src.onnx")
    export(src, path, h=64, w=96)
    return src, path


def test_the_exporter_folds_batchnorm(exported):
    _src, path = exported
    import onnx

    ops = {n.op_type for n in onnx.load(path).graph.node}
    assert "BatchNormalization" not in ops
    assert len(onnx_convs(path)) == sum(isinstance(m, torch.nn.Conv2d) for m in build_model("mobilenetv2").modules())


def test_import_recovers_the_eval_function(exported):
    src, path = exported
    net = build_model("mobilenetv2")
    ins = example_inputs(96, 128, seed=3)
    assert _maxdiff(_outputs(src, ins), _outputs(net.eval(), ins)) > 0.1  # a different network before
    pairs = import_onnx(net, path, export, example_inputs(64, 96))
    assert len(pairs) == sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    assert _maxdiff(_outputs(src, ins), _outputs(net.eval(), ins)) < 1e-4


def test_recalibrated_batchnorm_keeps_eval_and_matches_train_mode(exported):
    _src, path = exported
    net = build_model("mobilenetv2")
    pairs = import_onnx(net, path, export, example_inputs(64, 96))
    calib = tuple(torch.cat(t) for t in zip(*[example_inputs(64, 96, seed=s) for s in range(4)]))
    probe = example_inputs(80, 80, seed=9)
    before = _outputs(net.eval(), probe)
    # as loaded (BatchNorm as the identity), training mode normalises with batch statistics the
    # folded weights were never meant for
    gap_before = _maxdiff(_outputs(net.eval(), calib), _outputs(net.train(), calib))
    assert recalibrate_bn(net, pairs, [calib]) == 1
    assert _maxdiff(before, _outputs(net.eval(), probe)) < 1e-4  # the eval function is unchanged
    # every convolution before a BatchNorm now gives unit-variance outputs on the calibration data
    # (read before the training-mode forward below updates the running statistics)
    rv = torch.cat([bn.running_var for bn in pairs.values()])
    assert bool((rv <= 1 + 1e-4).all()) and float((rv > 1 - 1e-4).float().mean()) > 0.5  # the rest: constant (dead) channels
    # on the calibration batch itself, batch statistics are the measured ones: train mode = eval mode
    gap_after = _maxdiff(_outputs(net.eval(), calib), _outputs(net.train(), calib))
    assert gap_after < 1e-2 < gap_before, (gap_after, gap_before)


def test_pairs_need_a_convolution_before_each_batchnorm():
    class Bad(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = torch.nn.BatchNorm2d(3)

        def forward(self, x):
            return self.bn(x * 2)

    with pytest.raises(ValueError, match="does not follow a convolution"):
        conv_bn_pairs(Bad(), (torch.zeros(1, 3, 4, 4),))


def test_warmup_ramps_the_learning_rate_from_the_stage_start():
    cfg = tr.TrainConfig(stage1_steps=100, total_steps=300, warmup_steps=10)
    flat = tr.TrainConfig(stage1_steps=100, total_steps=300)
    assert tr.lr_for(cfg, 100)[2] == pytest.approx(tr.lr_for(flat, 100)[2] * 0.1)
    assert tr.lr_for(cfg, 104)[1] == pytest.approx(tr.lr_for(flat, 104)[1] * 0.5)
    assert tr.lr_for(cfg, 109) == tr.lr_for(flat, 109)
    assert tr.lr_for(cfg, 5)[0] == pytest.approx(tr.lr_for(flat, 5)[0] * 0.6)
    assert tr.lr_for(flat, 100)[2] == cfg.lr  # no warm-up by default: the recipe so far


def test_seed_run_resumes_from_the_onnx_weights(exported, train_root, tmp_path, monkeypatch):
    from seed_run import seed

    _src, path = exported
    index = _tiny_sampler(train_root).index
    monkeypatch.setattr(tr, "index_objects", lambda root=None: index)
    run = str(tmp_path / "run")
    over = dict(batch=2, crop=64, max_sim_iters=1, threads=1, workers=0, ckpt_every_s=1e9, warmup_steps=2)
    t = seed(path, run, step=500, samples=1000, overrides=over, calib_batches=2, log_to_stdout=False)
    assert (t.cfg.stage1_steps, t.cfg.total_steps) == (500, 1300)
    with pytest.raises(FileExistsError):
        seed(path, run, step=500, overrides=over, log_to_stdout=False)
    from evaluate import load_checkpoint

    ins = example_inputs(96, 128, seed=4)
    snap, _ = load_checkpoint(os.path.join(run, "snapshots", "ema_step000500.pth"))
    assert _maxdiff(_outputs(_src, ins), _outputs(snap, ins)) < 1e-4
    t2 = tr.Trainer(tr.TrainConfig(), run, log_to_stdout=False)  # the stored config wins
    assert (t2.step, t2.samples, t2.cfg.crop, t2.cfg.warmup_steps) == (500, 1000, 64, 2)
    hist = t2.run(max_steps=2, validate=False)
    assert len(hist) == 2 and all(h == h for h in hist) and t2.step == 502
    log = open(os.path.join(run, "train.log")).read()
    assert "seeded at step 500" in log
    if ort_node_available():
        assert "parity with the file" in log


def test_seed_run_refuses_a_file_of_another_network(exported, train_root, tmp_path, monkeypatch):
    import onnx
    from onnx import numpy_helper
    from seed_run import seed

    if not ort_node_available():
        pytest.skip("node or node_modules/onnxruntime-node absent (run npm ci): no parity check")
    _src, path = exported
    m = onnx.load(path)
    t = m.graph.initializer[0]  # a named conv weight (the FAM's offset layer)
    a = numpy_helper.to_array(t).copy()
    a += 0.5
    t.CopyFrom(numpy_helper.from_array(a, t.name))
    bad = str(tmp_path / "bad.onnx")
    onnx.save(m, bad)
    # as if the import had gone wrong: the network is rebuilt from the good file's weights while the
    # parity check runs the altered file, whose function it does not reproduce
    import edgeflow.model.onnx_import as oi

    monkeypatch.setattr(oi, "onnx_convs", lambda p, _orig=oi.onnx_convs: _orig(path if p == bad else p))
    index = _tiny_sampler(train_root).index
    monkeypatch.setattr(tr, "index_objects", lambda root=None: index)
    with pytest.raises(ValueError, match="differs from"):
        seed(bad, str(tmp_path / "run"), step=10, overrides=dict(batch=2, crop=64, workers=0), calib_batches=1,
             log_to_stdout=False)


def test_branch_starts_a_new_run_from_a_snapshot_with_its_recipe(train_root, tmp_path, monkeypatch):
    from seed_run import branch

    index = _tiny_sampler(train_root).index
    monkeypatch.setattr(tr, "index_objects", lambda root=None: index)
    src_run, run = str(tmp_path / "src"), str(tmp_path / "branch")
    cfg = tr.TrainConfig(batch=2, crop=64, max_sim_iters=1, threads=1, workers=0, ckpt_every_s=1e9,
                         stage1_steps=1, total_steps=3, paste_prob=0.0, far_neg_prob=0.2, snapshot_every=1)
    tr.Trainer(cfg, src_run, log_to_stdout=False).run(validate=False)
    snap_path = os.path.join(src_run, "snapshots", "ema_step000002.pth")
    snap = torch.load(snap_path, map_location="cpu", weights_only=False)
    assert snap["train_seconds"] > 0  # snapshots carry the training time since session 12

    t = branch(snap_path, run, overrides={"paste_prob": "0.3"}, log_to_stdout=False)
    assert (t.step, t.samples, t.cfg.stage1_steps, t.cfg.total_steps) == (2, 4, 2, 802)
    assert (t.cfg.crop, t.cfg.far_neg_prob, t.cfg.paste_prob) == (64, 0.2, 0.3)  # the recipe, one knob changed
    assert t.train_seconds == snap["train_seconds"]
    for k, v in snap["model"].items():
        assert torch.equal(t.model.state_dict()[k], v) and torch.equal(t.ema.state_dict()[k], v)
    assert not t.opt.state  # a fresh optimiser
    with pytest.raises(FileExistsError):
        branch(snap_path, run, log_to_stdout=False)
    t2 = tr.Trainer(tr.TrainConfig(), run, log_to_stdout=False)  # resumes like any run
    assert t2.run(max_steps=1, validate=False) and t2.step == 3
    assert "branched at step 2" in open(os.path.join(run, "train.log")).read()
