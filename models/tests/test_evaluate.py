import pytest
import torch

from edgeflow.model import build_model
from evaluate import ABLATIONS, as_protocol_model


def _net():
    torch.manual_seed(0)
    net = build_model("mobilenetv2").eval()
    # FineNet's output layer starts at zero (mask == coarse); give it weights so the ablation shows.
    with torch.no_grad():
        for p in net.finenet.out.parameters():
            p.normal_(0, 0.5)
    return net


def _inputs():
    g = torch.Generator().manual_seed(1)
    image = torch.rand(1, 3, 64, 96, generator=g)
    clicks = torch.zeros(1, 2, 64, 96)
    clicks[0, 0, 28:33, 40:45] = 1
    edge = (torch.rand(1, 1, 64, 96, generator=g) > 0.8).float()
    return image, clicks, edge


@torch.no_grad()
def test_inference_ablations_switch_off_finenet_and_the_edge_prior():
    net = _net()
    image, clicks, edge = _inputs()
    full = net(image, clicks, edge)
    mask, _, coarse = as_protocol_model(net)(image, clicks, edge)
    assert torch.equal(mask, full["mask_logits"]) and not torch.equal(mask, coarse)

    mask_nf, _, coarse_nf = as_protocol_model(net, "no-finenet")(image, clicks, edge)
    assert torch.equal(mask_nf, coarse_nf) and torch.equal(coarse_nf, full["coarse_logits"])

    no_edge = as_protocol_model(net, "no-edge")
    zero = net(image, clicks, torch.zeros_like(edge))
    assert torch.equal(no_edge(image, clicks, edge)[0], zero["mask_logits"])
    assert not torch.equal(zero["coarse_logits"], full["coarse_logits"])  # the edge input matters

    both = as_protocol_model(net, "no-finenet-no-edge")(image, clicks, edge)
    assert torch.equal(both[0], zero["coarse_logits"])


def test_unknown_ablation_is_refused():
    assert "none" in ABLATIONS
    with pytest.raises(ValueError):
        as_protocol_model(_net(), "no-clicks")


def test_regression_share_counts_clicks_that_make_the_mask_worse():
    from edgeflow.inference.noc import regression_share

    ious = [[0.5, 0.47, 0.8], [0.5, 0.49, 0.3], [0.9, 0.95], [0.92]]
    assert regression_share(ious, 2) == (1 / 3, 1, 3)
    assert regression_share(ious, 3) == (0.5, 1, 2)
    assert regression_share([], 2) == (0.0, 0, 0)


def test_upscaled_pairs_keep_the_mask_values(tmp_path):
    import numpy as np
    from PIL import Image

    from edgeflow.inference.noc import load_pair

    img = np.zeros((10, 16, 3), np.uint8)
    img[2:6, 3:9] = 200
    m = np.zeros((10, 16), np.uint8)
    m[2:6, 3:9] = 255
    m[6, 3:9] = 128
    Image.fromarray(img).save(tmp_path / "a.png")
    Image.fromarray(m).save(tmp_path / "a_m.png")
    a, ma = load_pair(str(tmp_path / "a.png"), str(tmp_path / "a_m.png"))
    assert a.shape == (10, 16, 3) and np.array_equal(ma, m)
    b, mb = load_pair(str(tmp_path / "a.png"), str(tmp_path / "a_m.png"), upscale=2.5)
    assert b.shape == (25, 40, 3) and mb.shape == (25, 40)
    assert set(np.unique(mb)) == {0, 128, 255}  # nearest: no new values in the ground truth
    assert abs((mb == 255).sum() / (ma == 255).sum() - 6.25) < 0.5
