import torch

from edgeflow.engine.losses import balanced_bce, bce, normalized_focal_loss


def _target():
    g = torch.Generator().manual_seed(0)
    return (torch.rand(2, 1, 24, 24, generator=g) > 0.7).float()


def test_nfl_prefers_correct_predictions():
    t = _target()
    good = normalized_focal_loss((t * 2 - 1) * 4, t)
    bad = normalized_focal_loss(-(t * 2 - 1) * 4, t)
    neutral = normalized_focal_loss(torch.zeros_like(t), t)
    assert good < neutral < bad
    # at p = 0.5 every pixel has focal weight 0.25, normalised to 1: alpha 0.5 * log 2
    assert abs(float(neutral) - 0.5 * 0.693147) < 1e-4


def test_nfl_focuses_on_hard_pixels():
    t = _target()
    logits = ((t * 2 - 1) * 3).requires_grad_(True)
    with torch.no_grad():
        logits[0, 0, 0, 0] = -3.0 if t[0, 0, 0, 0] > 0 else 3.0  # one wrong pixel
    normalized_focal_loss(logits, t).backward()
    g = logits.grad.abs()
    assert g[0, 0, 0, 0] > 10 * g[0, 0, 5:, 5:].max()


def test_nfl_ignores_zero_weight_pixels():
    t = _target()
    w = torch.ones_like(t)
    w[:, :, :12] = 0
    logits = torch.randn(t.shape)
    a = normalized_focal_loss(logits, t, weight=w)
    logits2 = logits.clone()
    logits2[:, :, :12] = 100.0
    assert torch.allclose(a, normalized_focal_loss(logits2, t, weight=w))


def test_balanced_bce_balances_classes():
    t = torch.zeros(1, 1, 10, 10)
    t[0, 0, 0, :5] = 1  # 5 % positives
    miss_pos = balanced_bce(torch.where(t > 0, -2.0, -2.0), t)  # all predicted negative
    miss_neg = balanced_bce(torch.where(t > 0, 2.0, 2.0), t)  # all predicted positive
    # unbalanced BCE would make missing the rare positives nearly free; balanced does not
    assert 0.5 < float(miss_pos / miss_neg) < 2.0
    assert float(bce(torch.full_like(t, -2.0), t)) < float(bce(torch.full_like(t, 2.0), t)) / 5


def test_mask_bce_weight_adds_plain_bce_on_the_final_mask():
    from edgeflow.engine.trainer import compute_losses
    t = _target()
    g = torch.Generator().manual_seed(1)
    out = {k: torch.randn(2, 1, 24, 24, generator=g) for k in ("mask_logits", "coarse_logits", "edge_logits")}
    for stage2, key in ((False, "coarse_logits"), (True, "mask_logits")):
        base, parts = compute_losses(out, t, stage2)
        assert "bce" not in parts
        more, parts2 = compute_losses(out, t, stage2, mask_bce_weight=0.5)
        assert abs(float(parts2["bce"]) - float(bce(out[key], t))) < 1e-6
        assert abs(float(more) - float(base) - 0.5 * float(parts2["bce"])) < 1e-5


def test_valid_map_removes_the_band_from_the_mask_losses_only():
    from edgeflow.engine.trainer import compute_losses
    t = _target()
    g = torch.Generator().manual_seed(2)
    out = {k: torch.randn(2, 1, 24, 24, generator=g) for k in ("mask_logits", "coarse_logits", "edge_logits")}
    valid = torch.ones_like(t)
    valid[:, :, 8:16] = 0  # an ignored band of rows
    for stage2 in (False, True):
        # all-ones weights are the unweighted losses
        a, pa = compute_losses(out, t, stage2, 0.5)
        b, pb = compute_losses(out, t, stage2, 0.5, torch.ones_like(t))
        assert abs(float(a) - float(b)) < 1e-5
        # logits inside the band no longer matter to the mask losses, and still do to the edge loss
        base, p0 = compute_losses(out, t, stage2, 0.5, valid)
        moved = {k: v.clone() for k, v in out.items()}
        for v in moved.values():
            v[:, :, 8:16] += 5.0
        _, p1 = compute_losses(moved, t, stage2, 0.5, valid)
        for k in ("mask", "bce") + (("aux",) if stage2 else ()):
            assert abs(float(p0[k]) - float(p1[k])) < 1e-6, k
        assert abs(float(p0["edge"]) - float(p1["edge"])) > 1e-3
        # outside the band they do
        moved["mask_logits"][:, :, :8] += 5.0
        moved["coarse_logits"][:, :, :8] += 5.0
        _, p2 = compute_losses(moved, t, stage2, 0.5, valid)
        assert abs(float(p0["mask"]) - float(p2["mask"])) > 1e-3
