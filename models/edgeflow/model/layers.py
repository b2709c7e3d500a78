"""Small building blocks shared by the EdgeFlow backbones and heads."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBNReLU(nn.Sequential):
    """3x3 (or kxk) convolution, BatchNorm, ReLU."""

    def __init__(self, cin, cout, k=3, stride=1, dilation=1, groups=1):
        pad = dilation * (k - 1) // 2
        super().__init__(
            nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


class SepConvBNReLU(nn.Sequential):
    """Depthwise (optionally dilated) 3x3 + pointwise 1x1, BatchNorm, ReLU."""

    def __init__(self, cin, cout, dilation=1):
        super().__init__(
            nn.Conv2d(cin, cin, 3, 1, dilation, dilation=dilation, groups=cin, bias=False),
            nn.BatchNorm2d(cin),
            nn.ReLU(inplace=True),
            nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


def resize_to(x, ref):
    """Bilinear resize of x to the spatial size of ref (align_corners=False)."""
    return F.interpolate(x, size=ref.shape[-2:], mode="bilinear", align_corners=False)


def flow_warp(feat, flow):
    """Warp feat [B,C,H,W] by a pixel-unit flow [B,2,H,W] (dx, dy) with bilinear grid_sample.

    The base grid is built from arange so that it exports to ONNX with dynamic H and W.
    """
    h, w = feat.shape[-2], feat.shape[-1]
    ys = (torch.arange(h, dtype=feat.dtype, device=feat.device) + 0.5) * (2.0 / h) - 1.0
    xs = (torch.arange(w, dtype=feat.dtype, device=feat.device) + 0.5) * (2.0 / w) - 1.0
    gx = xs.view(1, 1, w).expand(1, h, w)
    gy = ys.view(1, h, 1).expand(1, h, w)
    fx = flow[:, 0] * (2.0 / w)
    fy = flow[:, 1] * (2.0 / h)
    grid = torch.stack((gx + fx, gy + fy), dim=-1)
    return F.grid_sample(feat, grid, mode="bilinear", padding_mode="border", align_corners=False)


class FlowAlignFusion(nn.Module):
    """Flow-alignment module: fuses interaction features into image features.

    The interaction features are projected to the image feature width, a 2-channel offset field
    is predicted from the concatenation of both, the projected interaction features are warped
    by it (grid_sample) and added to the image features. The offset predictor starts at zero
    (identity warp) so training begins from plain additive fusion. With `align=False` (the
    ablation's baseline) there is no offset field: the projected features are simply added.
    """

    def __init__(self, c_img, c_int, align=True):
        super().__init__()
        self.proj = nn.Sequential(nn.Conv2d(c_int, c_img, 1, bias=False), nn.BatchNorm2d(c_img))
        self.offset = None
        if align:
            self.offset = nn.Sequential(
                nn.Conv2d(2 * c_img, min(64, c_img), 1, bias=False),
                nn.BatchNorm2d(min(64, c_img)),
                nn.ReLU(inplace=True),
                nn.Conv2d(min(64, c_img), 2, 3, 1, 1),
            )
            nn.init.zeros_(self.offset[-1].weight)
            nn.init.zeros_(self.offset[-1].bias)
        # Start with a small contribution so the pretrained features are not swamped.
        nn.init.constant_(self.proj[1].weight, 0.1)

    def forward(self, feat, inter):
        if inter.shape[-2:] != feat.shape[-2:]:
            inter = resize_to(inter, feat)
        g = self.proj(inter)
        if self.offset is None:
            return feat + g
        flow = self.offset(torch.cat([feat, g], dim=1))
        return feat + flow_warp(g, flow)
