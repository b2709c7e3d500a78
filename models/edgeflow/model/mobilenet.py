"""MobileNetV2 encoder with the three EdgeFlow fusion points.

The network is defined here rather than taken from torchvision: the PyTorch 2.13 CPU build that
trains in bfloat16 has no torchvision that loads with it. `mobilenet_v2_features()` builds the
same modules in the same order as torchvision's `mobilenet_v2().features`, so state-dict keys
(`0.0.weight`, `1.conv.0.0.weight`, ..., `18.1.running_var`) and the random initialisation
stream are the same as before (tests/test_model.py holds both).
"""
import torch
import torch.nn as nn

# (expansion t, output channels c, repeats n, first stride s): MobileNetV2 width 1.0
INVERTED_RESIDUAL_SETTING = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                             (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
LAST_CHANNEL = 1280


class ConvBNReLU6(nn.Sequential):
    """Conv (no bias) + BatchNorm + ReLU6, keys `0.weight`, `1.*` (torchvision Conv2dNormActivation)."""

    def __init__(self, cin, cout, k=3, stride=1, groups=1):
        super().__init__(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = int(round(cin * expand))
        self.use_res_connect = stride == 1 and cin == cout
        layers = []
        if expand != 1:
            layers.append(ConvBNReLU6(cin, hidden, k=1))
        layers += [ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.out_channels = cout

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


def mobilenet_v2_features():
    """The 19 feature modules of MobileNetV2 (width 1.0), initialised as torchvision does: modules
    are created in torchvision's order (the default init of each consumes the RNG as there), with
    the classifier's Linear, then re-initialised (kaiming-normal fan-out convs, BN 1/0, Linear
    N(0, 0.01)), so that a seeded run draws the same random numbers as with torchvision."""
    feats = [ConvBNReLU6(3, 32, stride=2)]
    cin = 32
    for t, c, n, s in INVERTED_RESIDUAL_SETTING:
        for i in range(n):
            feats.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
            cin = c
    feats.append(ConvBNReLU6(cin, LAST_CHANNEL, k=1))
    features = nn.Sequential(*feats)
    classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(LAST_CHANNEL, 1000))
    for m in list(features.modules()) + list(classifier.modules()):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
    return features


class MobileNetV2Encoder(nn.Module):
    """MobileNetV2 `features[0..17]` (Keras-converted ImageNet init, BN eps 1e-3).

    Input is the image scaled to [-1, 1]. Fusion points: after `features[0]` (stride 2, 32 ch,
    the stem), after `features[3]` (stride 4, 24 ch, the end of the first stage) and after
    `features[17]` (stride 32, 320 ch, the deepest level). Taps at strides 2/4/8/16/32.
    """

    fuse_channels = (32, 24, 320)
    tap_channels = {2: 16, 4: 24, 8: 32, 16: 96, 32: 320}

    def __init__(self, init_path=None):
        super().__init__()
        feats = mobilenet_v2_features()
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
