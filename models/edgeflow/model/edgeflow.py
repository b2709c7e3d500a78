"""EdgeFlow: CoarseNet (backbone + interaction branch + flow-aligned early-late fusion + decoder +
edge head) and FineNet (three atrous conv blocks at input resolution)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import ConvBNReLU, SepConvBNReLU, FlowAlignFusion, resize_to


class InteractionBranch(nn.Module):
    """Encodes the click disks and the previous edge map (3 channels at input resolution)
    into features at strides 2, 4, 8, 16 and 32 (computed only up to the deepest one needed)."""

    widths = {2: 16, 4: 32, 8: 48, 16: 64, 32: 96}

    def __init__(self, max_stride):
        super().__init__()
        self.max_stride = max_stride
        self.s2 = nn.Sequential(ConvBNReLU(3, 16, stride=2), ConvBNReLU(16, 16))
        blocks = []
        s, c = 2, 16
        while s < max_stride:
            s *= 2
            blocks.append(ConvBNReLU(c, self.widths[s], stride=2))
            c = self.widths[s]
        self.down = nn.ModuleList(blocks)

    def forward(self, maps):
        x = self.s2(maps)
        out = {2: x}
        s = 2
        for blk in self.down:
            x = blk(x)
            s *= 2
            out[s] = x
        return out


class FPNDecoder(nn.Module):
    """Top-down decoder from strides 32/16/8/4 to a stride-4 feature of `width` channels."""

    def __init__(self, tap_channels, width=64):
        super().__init__()
        self.lat = nn.ModuleDict({str(s): ConvBNReLU(tap_channels[s], width, k=1) for s in (4, 8, 16, 32)})
        self.smooth = nn.ModuleDict({str(s): SepConvBNReLU(width, width) for s in (4, 8, 16)})
        self.out_channels = width

    def forward(self, taps):
        x = self.lat["32"](taps[32])
        for s in (16, 8, 4):
            lat = self.lat[str(s)](taps[s])
            x = self.smooth[str(s)](lat + resize_to(x, lat))
        return x


class Heads(nn.Module):
    """Coarse mask head and edge head at stride 2, from the decoder's stride-4 feature and the
    backbone's stride-2 tap; both upsampled bilinearly to input resolution."""

    def __init__(self, c4, c2, width=32):
        super().__init__()
        self.reduce = ConvBNReLU(c4, width, k=1)
        self.fuse = SepConvBNReLU(width + c2, width)
        self.coarse = nn.Conv2d(width, 1, 1)
        self.edge = nn.Sequential(ConvBNReLU(width, 16), nn.Conv2d(16, 1, 1))

    def forward(self, d4, t2, out_ref):
        x = self.fuse(torch.cat([resize_to(self.reduce(d4), t2), t2], dim=1))
        coarse = resize_to(self.coarse(x), out_ref)
        edge = resize_to(self.edge(x), out_ref)
        return coarse, edge


class FineNet(nn.Module):
    """Three atrous conv blocks at input resolution on (image, clicks, coarse prob, edge prob);
    predicts a residual on the coarse logits (zero-initialised: starts as the identity)."""

    def __init__(self, width=16):
        super().__init__()
        self.b1 = ConvBNReLU(7, width)
        # Dense (not depthwise) dilated convs: depthwise dilated backward is very slow on CPU.
        self.b2 = ConvBNReLU(width, width, dilation=2)
        self.b3 = ConvBNReLU(width, width, dilation=4)
        self.out = nn.Conv2d(width, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x_norm, clicks, coarse_logits, edge_logits):
        inp = torch.cat([x_norm, clicks, torch.sigmoid(coarse_logits), torch.sigmoid(edge_logits)], dim=1)
        return coarse_logits + self.out(self.b3(self.b2(self.b1(inp))))


# The paper's ablation, trained (not switched off at inference): which parts a variant has.
# "baseline": clicks fused by plain addition at the same three points, no edge prior fed back
# (the edge head is still trained, as an auxiliary task), no FineNet; "edge_flow": + the edge prior
# and the flow-alignment modules (edge-guided flow); "full": + FineNet, the shipped network.
VARIANTS = {
    "full": {"flow": True, "edge_prior": True, "fine": True},
    "edge_flow": {"flow": True, "edge_prior": True, "fine": False},
    "baseline": {"flow": False, "edge_prior": False, "fine": False},
}


class EdgeFlow(nn.Module):
    """The full network. forward(image [0,1], clicks {0,1}x2, prev_edge {0,1}) -> dict of logits.
    `variant` (VARIANTS) builds the ablation's reduced networks."""

    def __init__(self, backbone="mobilenetv2", init_path=None, variant="full"):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
        self.variant = variant
        parts = VARIANTS[variant]
        self.edge_prior, self.has_fine = parts["edge_prior"], parts["fine"]
        self.backbone_name = backbone
        if backbone == "mobilenetv2":
            from .mobilenet import MobileNetV2Encoder

            self.encoder = MobileNetV2Encoder(init_path)
            self.fuse_strides = (2, 4, 32)
            self.neck = FPNDecoder(self.encoder.tap_channels, 64)
        elif backbone == "hrnet18":
            from .hrnet import HRNet18Encoder, OCRNeck

            self.encoder = HRNet18Encoder()
            self.fuse_strides = (2, 4, 4)
            self.neck = OCRNeck(self.encoder.out_channels, ocr_width=64)
        else:
            raise ValueError(f"unknown backbone {backbone!r}")
        self.interaction = InteractionBranch(max(self.fuse_strides))
        self.fams = nn.ModuleList(
            FlowAlignFusion(c, InteractionBranch.widths[s], align=parts["flow"])
            for c, s in zip(self.encoder.fuse_channels, self.fuse_strides)
        )
        self.heads = Heads(self.neck.out_channels, self.encoder.tap_channels[2])
        # Variants without FineNet keep an (unused, never trained) module so that the trainer's
        # parameter groups stay the same; they train stage 1 only.
        self.finenet = FineNet()

    def coarse_parameters(self):
        fine = set(id(p) for p in self.finenet.parameters())
        return [p for p in self.parameters() if id(p) not in fine]

    def encoder_parameters(self):
        return list(self.encoder.parameters())

    def forward(self, image, clicks, prev_edge, run_fine=True):
        x = image * 2.0 - 1.0
        if not self.edge_prior:
            prev_edge = torch.zeros_like(prev_edge)
        run_fine = run_fine and self.has_fine
        inter = self.interaction(torch.cat([clicks, prev_edge], dim=1))

        def fuse(i, feat):
            return self.fams[i](feat, inter[self.fuse_strides[i]])

        taps = self.encoder(x, fuse)
        d4 = self.neck(taps)
        coarse, edge = self.heads(d4, taps[2], image)
        out = {"coarse_logits": coarse, "edge_logits": edge}
        if run_fine:
            out["mask_logits"] = self.finenet(x, clicks, coarse, edge)
        else:
            out["mask_logits"] = coarse
        return out


class OnnxWrapper(nn.Module):
    """Positional-output wrapper for export: (mask_logits, edge_logits, coarse_logits)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image, clicks, prev_edge):
        o = self.net(image, clicks, prev_edge, run_fine=True)
        return o["mask_logits"], o["edge_logits"], o["coarse_logits"]


def build_model(backbone="mobilenetv2", init_path=None, variant="full"):
    return EdgeFlow(backbone, init_path, variant)
