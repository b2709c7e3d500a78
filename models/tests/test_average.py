"""Snapshot averaging: the mean of the float tensors, integer buffers from the last snapshot, and a
file that evaluate.py loads like any snapshot."""
import copy

import pytest
import torch

from average_snapshots import average_snapshots, average_state_dicts
from edgeflow.model import build_model
from evaluate import load_checkpoint


def _snapshot(seed, step, tracked):
    torch.manual_seed(seed)
    net = build_model("mobilenetv2")
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 1)
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(tracked)
    return {"config": {"backbone": "mobilenetv2"}, "step": step, "samples": step * 8,
            "model": net.state_dict()}


def test_average_of_floats_is_the_mean_and_integer_buffers_come_from_the_last():
    a = {"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}
    b = {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(7)}
    c = {"w": torch.tensor([2.0, 1.0]), "n": torch.tensor(9)}
    out = average_state_dicts([a, b, c])
    assert torch.allclose(out["w"], torch.tensor([2.0, 3.0]))
    assert out["w"].dtype == torch.float32
    assert out["n"].item() == 9 and out["n"].dtype == c["n"].dtype
    # the inputs are left as they were
    assert a["w"].tolist() == [1.0, 2.0]


def test_mismatched_state_dicts_are_refused():
    with pytest.raises(ValueError, match="different keys"):
        average_state_dicts([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}])
    with pytest.raises(ValueError, match="shapes differ"):
        average_state_dicts([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    with pytest.raises(ValueError, match="no state dicts"):
        average_state_dicts([])


def test_averaged_snapshot_loads_and_sits_between_its_inputs(tmp_path):
    paths = []
    for i, (seed, step) in enumerate([(1, 100), (2, 200)]):
        p = tmp_path / f"ema_{i}.pth"
        torch.save(_snapshot(seed, step, tracked=step), p)
        paths.append(str(p))
    snap = average_snapshots(paths)
    assert snap["step"] == 200 and [s["step"] for s in snap["averaged_from"]] == [100, 200]
    out = tmp_path / "avg.pth"
    torch.save(snap, out)
    net, state = load_checkpoint(str(out))
    sd = net.state_dict()
    first, second = (torch.load(p, weights_only=False)["model"] for p in paths)
    for k, v in sd.items():
        if v.is_floating_point():
            assert torch.allclose(v, (first[k] + second[k]) / 2, atol=1e-6), k
        else:
            assert torch.equal(v, second[k]), k
    assert not torch.equal(sd["finenet.out.weight"], second["finenet.out.weight"])


def _bns(net):
    return [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def test_bn_update_re_estimates_the_statistics_on_training_batches(train_root):
    from average_snapshots import update_bn
    from edgeflow.engine.trainer import TrainConfig, config_batches, simulate_clicks
    from test_train_smoke import _tiny_sampler

    sampler = _tiny_sampler(train_root)
    cfg = TrainConfig(batch=4, crop=128, max_sim_iters=1, paste_prob=0.0)
    torch.manual_seed(0)
    net = build_model("mobilenetv2")
    with torch.no_grad():
        for m in _bns(net):  # statistics that belong to some other network
            m.running_mean.fill_(3.0)
            m.running_var.fill_(40.0)
    stale = copy.deepcopy(net).eval()
    update_bn(net, cfg, 1, first_step=5, sampler=sampler)
    assert not net.training
    for m in _bns(net):
        assert m.momentum == 0.1 and m.num_batches_tracked.item() == 1
        assert torch.isfinite(m.running_var).all() and not torch.equal(m.running_mean, torch.full_like(m.running_mean, 3.0))
    # On its one batch, eval mode with the new statistics computes what training mode computes
    # (up to the unbiased variance), which the stale statistics are far from.
    batch = config_batches(cfg, sampler)[5]
    maps, prev_edge, _ = simulate_clicks(stale, batch, 5, cfg, True)
    with torch.no_grad():
        train_out = torch.sigmoid(copy.deepcopy(net).train()(batch["image"], maps, prev_edge)["mask_logits"])
        eval_out = torch.sigmoid(net(batch["image"], maps, prev_edge)["mask_logits"])
        stale_out = torch.sigmoid(stale(batch["image"], maps, prev_edge)["mask_logits"])
    new_gap = (eval_out - train_out).abs().mean().item()
    stale_gap = (stale_out - train_out).abs().mean().item()
    assert new_gap < 0.02 and stale_gap > 5 * new_gap
