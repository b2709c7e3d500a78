import pytest
import torch

from edgeflow.model import build_model
from edgeflow.model.layers import flow_warp


def _inputs(b, h, w):
    g = torch.Generator().manual_seed(0)
    return torch.rand(b, 3, h, w, generator=g), (torch.rand(b, 2, h, w, generator=g) > 0.99).float(), torch.zeros(b, 1, h, w)


def test_flow_warp_zero_flow_is_identity_and_shift_moves():
    x = torch.rand(1, 2, 8, 10)
    assert torch.allclose(flow_warp(x, torch.zeros(1, 2, 8, 10)), x, atol=1e-6)
    f = torch.zeros(1, 2, 8, 10)
    f[:, 0] = 1.0  # sample one pixel to the right
    y = flow_warp(x, f)
    assert torch.allclose(y[..., :-1], x[..., 1:], atol=1e-5)


def test_mobilenetv2_shapes_and_finenet_starts_as_identity(init_path):
    net = build_model("mobilenetv2", init_path).eval()
    x, c, e = _inputs(1, 128, 160)
    with torch.no_grad():
        o = net(x, c, e)
    for k in ("mask_logits", "edge_logits", "coarse_logits"):
        assert o[k].shape == (1, 1, 128, 160)
    assert torch.allclose(o["mask_logits"], o["coarse_logits"])
    n = sum(p.numel() for p in net.parameters())
    assert 1.5e6 < n < 3e6


def test_hrnet18_forward_and_training_steps():
    torch.manual_seed(0)
    net = build_model("hrnet18")
    n = sum(p.numel() for p in net.parameters())
    assert 9.5e6 < n < 12e6
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, c, e = _inputs(2, 64, 96)
    gt = torch.zeros(2, 1, 64, 96)
    gt[:, :, 16:48, 24:72] = 1
    losses = []
    for _ in range(3):
        o = net(x, c, e)
        assert o["mask_logits"].shape == (2, 1, 64, 96)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(o["mask_logits"], gt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0]


def test_ablation_variants_drop_their_parts():
    from edgeflow.model.edgeflow import VARIANTS
    torch.manual_seed(0)
    nets = {v: build_model("mobilenetv2", variant=v) for v in VARIANTS}
    n = {v: sum(p.numel() for p in net.parameters()) for v, net in nets.items()}
    # same backbone, interaction branch and heads; the baseline has no offset fields
    assert n["edge_flow"] == n["full"] and n["baseline"] < n["full"]
    assert all(f.offset is None for f in nets["baseline"].fams)
    assert all(f.offset is not None for f in nets["full"].fams)
    x, c, _ = _inputs(1, 64, 96)
    e1 = torch.zeros(1, 1, 64, 96)
    e2 = (torch.rand(1, 1, 64, 96, generator=torch.Generator().manual_seed(3)) > 0.8).float()
    for v, net in nets.items():
        net.eval()
        with torch.no_grad():
            # a FineNet that is not the identity, so that skipping it shows
            torch.nn.init.normal_(net.finenet.out.weight, std=0.5)
            a, b = net(x, c, e1), net(x, c, e2)
        parts = VARIANTS[v]
        # the edge prior reaches the network only where the variant feeds it back
        assert torch.equal(a["coarse_logits"], b["coarse_logits"]) != parts["edge_prior"]
        # without FineNet the mask is CoarseNet's, even when the caller asks for the fine pass
        assert torch.equal(a["mask_logits"], a["coarse_logits"]) != parts["fine"]
    with pytest.raises(ValueError):
        build_model("mobilenetv2", variant="nope")


def test_variant_checkpoints_load_as_their_variant(tmp_path):
    from dataclasses import asdict

    from edgeflow.engine.trainer import TrainConfig
    from evaluate import load_checkpoint
    net = build_model("mobilenetv2", variant="baseline")
    path = tmp_path / "snap.pth"
    torch.save({"config": asdict(TrainConfig(variant="baseline")), "model": net.state_dict()}, path)
    loaded, _ = load_checkpoint(str(path))
    assert loaded.variant == "baseline" and all(f.offset is None for f in loaded.fams)
