"""MobileNetV2 encoder with the three EdgeFlow fusion points."""
import torch
import torch.nn as nn
import torchvision


class MobileNetV2Encoder(nn.Module):
    """torchvision MobileNetV2 `features[0..17]` (Keras-converted ImageNet init, BN eps 1e-3).

    Input is the image scaled to [-1, 1]. Fusion points: after `features[0]` (stride 2, 32 ch,
    the stem), after `features[3]` (stride 4, 24 ch, the end of the first stage) and after
    `features[17]` (stride 32, 320 ch, the deepest level). Taps at strides 2/4/8/16/32.
    """

    fuse_channels = (32, 24, 320)
    tap_channels = {2: 16, 4: 24, 8: 32, 16: 96, 32: 320}

    def __init__(self, init_path=None):
        super().__init__()
        feats = torchvision.models.mobilenet_v2().features
        for m in feats.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eps = 1e-3
        if init_path is not None:
            sd = torch.load(init_path, map_location="cpu")
            feats.load_state_dict(sd)
        self.features = nn.Sequential(*list(feats.children())[:18])

    def forward(self, x, fuse):
        f = self.features
        x = fuse(0, f[0](x))
        t2 = f[1](x)
        x = f[3](f[2](t2))
        t4 = fuse(1, x)
        x = t4
        for i in range(4, 7):
            x = f[i](x)
        t8 = x
        for i in range(7, 14):
            x = f[i](x)
        t16 = x
        for i in range(14, 18):
            x = f[i](x)
        t32 = fuse(2, x)
        return {2: t2, 4: t4, 8: t8, 16: t16, 32: t32}
