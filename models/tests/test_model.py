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
