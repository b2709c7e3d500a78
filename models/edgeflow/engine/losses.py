"""Losses: normalized focal loss (mask), class-balanced BCE (edge), plain BCE (auxiliary)."""
import torch
import torch.nn.functional as F


def normalized_focal_loss(logits, target, gamma=2.0, alpha=0.5, eps=1e-8, weight=None):
    """Normalized focal loss (RITM/EdgeFlow): focal weights (1-p_t)^gamma rescaled per sample so
    they sum to the number of valid pixels; the rescale factor is not back-propagated.

    logits, target: [B,1,H,W]; weight: optional 0/1 validity map. Returns the batch mean.
    """
    if weight is None:
        weight = torch.ones_like(target)
    p = torch.sigmoid(logits)
    pos = target > 0.5
    a = torch.where(pos, alpha * weight, (1 - alpha) * weight)
    pt = torch.where(weight > 0, 1.0 - (target - p).abs(), torch.ones_like(p))
    beta = (1.0 - pt) ** gamma
    sw = weight.sum(dim=(-2, -1), keepdim=True)
    mult = (sw / (beta.sum(dim=(-2, -1), keepdim=True) + eps)).detach()
    beta = beta * mult
    # log(pt) computed stably from logits: log sigmoid(+-x)
    log_pt = torch.where(pos, F.logsigmoid(logits), F.logsigmoid(-logits))
    loss = -a * beta * log_pt * weight
    loss = loss.sum(dim=(-2, -1)) / (sw.squeeze(-1).squeeze(-1) + eps)
    return loss.mean()


def balanced_bce(logits, target, eps=1e-6):
    """Class-balanced BCE (HED style): positives weighted by the negative fraction and vice
    versa, per sample; scaled by 2 so a balanced map gives plain BCE."""
    n = target[0].numel()
    pos_frac = target.sum(dim=(1, 2, 3), keepdim=True) / n
    w = torch.where(target > 0.5, 1.0 - pos_frac, pos_frac)
    loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return 2.0 * (w * loss).mean()


def bce(logits, target, weight=None):
    """Plain BCE, the mean over the pixels, or over the pixels where the 0/1 `weight` is 1."""
    if weight is None:
        return F.binary_cross_entropy_with_logits(logits, target)
    loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return (loss * weight).sum() / weight.sum().clamp_min(1.0)
