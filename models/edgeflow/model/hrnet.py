"""HRNetV2-W18 encoder with the EdgeFlow fusion points, and the OCR neck (OCR width 64).

Fusion points: the stem's first convolution output (stride 2, 64 ch), the stride-4 branch right
after the first transition (18 ch, before stage 2), and the aggregated stage-4 output (all
branches upsampled to stride 4 and concatenated, 270 ch).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import resize_to


def _bn(c):
    return nn.BatchNorm2d(c)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = _bn(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = _bn(planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        r = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + r)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = _bn(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = _bn(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = _bn(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        r = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + r)


def _make_layer(block, cin, planes, blocks, stride=1):
    down = None
    if stride != 1 or cin != planes * block.expansion:
        down = nn.Sequential(nn.Conv2d(cin, planes * block.expansion, 1, stride, bias=False), _bn(planes * block.expansion))
    layers = [block(cin, planes, stride, down)]
    for _ in range(1, blocks):
        layers.append(block(planes * block.expansion, planes))
    return nn.Sequential(*layers)


class HRModule(nn.Module):
    """Parallel branches of BasicBlocks followed by all-to-all multi-resolution fusion."""

    def __init__(self, channels, blocks=4):
        super().__init__()
        n = len(channels)
        self.branches = nn.ModuleList(_make_layer(BasicBlock, c, c, blocks) for c in channels)
        self.fuse = nn.ModuleList()
        for i in range(n):
            row = nn.ModuleList()
            for j in range(n):
                if j > i:
                    row.append(nn.Sequential(nn.Conv2d(channels[j], channels[i], 1, bias=False), _bn(channels[i])))
                elif j == i:
                    row.append(nn.Identity())
                else:
                    convs = []
                    for k in range(i - j):
                        last = k == i - j - 1
                        cout = channels[i] if last else channels[j]
                        convs += [nn.Conv2d(channels[j], cout, 3, 2, 1, bias=False), _bn(cout)]
                        if not last:
                            convs.append(nn.ReLU(inplace=True))
                    row.append(nn.Sequential(*convs))
            self.fuse.append(row)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, xs):
        xs = [b(x) for b, x in zip(self.branches, xs)]
        out = []
        for i, row in enumerate(self.fuse):
            y = xs[i]
            for j, f in enumerate(row):
                if j == i:
                    continue
                z = f(xs[j])
                if j > i:
                    z = resize_to(z, xs[i])
                y = y + z
            out.append(self.relu(y))
        return out


def _transition(cin_list, cout_list):
    layers = nn.ModuleList()
    for i, cout in enumerate(cout_list):
        if i < len(cin_list):
            if cin_list[i] != cout:
                layers.append(nn.Sequential(nn.Conv2d(cin_list[i], cout, 3, 1, 1, bias=False), _bn(cout), nn.ReLU(inplace=True)))
            else:
                layers.append(nn.Identity())
        else:
            layers.append(nn.Sequential(nn.Conv2d(cin_list[-1], cout, 3, 2, 1, bias=False), _bn(cout), nn.ReLU(inplace=True)))
    return layers


class HRNet18Encoder(nn.Module):
    """HRNetV2-W18 (stage modules 1/4/3, widths 18/36/72/144), randomly initialised (no
    ImageNet HRNet weights can be had here)."""

    widths = (18, 36, 72, 144)
    fuse_channels = (64, 18, 270)
    tap_channels = {2: 64, 4: 270}
    out_channels = 270

    def __init__(self):
        super().__init__()
        w = self.widths
        self.conv1 = nn.Sequential(nn.Conv2d(3, 64, 3, 2, 1, bias=False), _bn(64), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(64, 64, 3, 2, 1, bias=False), _bn(64), nn.ReLU(inplace=True))
        self.layer1 = _make_layer(Bottleneck, 64, 64, 4)
        self.transition1 = _transition([256], list(w[:2]))
        self.stage2 = nn.ModuleList([HRModule(list(w[:2]))])
        self.transition2 = _transition(list(w[:2]), list(w[:3]))
        self.stage3 = nn.ModuleList(HRModule(list(w[:3])) for _ in range(4))
        self.transition3 = _transition(list(w[:3]), list(w[:4]))
        self.stage4 = nn.ModuleList(HRModule(list(w[:4])) for _ in range(3))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    @staticmethod
    def _trans(layers, xs):
        out = []
        for i, t in enumerate(layers):
            src = xs[i] if i < len(xs) else xs[-1]
            out.append(t(src))
        return out

    def forward(self, x, fuse):
        s2 = fuse(0, self.conv1(x))
        x = self.layer1(self.conv2(s2))
        xs = self._trans(self.transition1, [x])
        xs[0] = fuse(1, xs[0])
        for m in self.stage2:
            xs = m(xs)
        xs = self._trans(self.transition2, xs)
        for m in self.stage3:
            xs = m(xs)
        xs = self._trans(self.transition3, xs)
        for m in self.stage4:
            xs = m(xs)
        agg = torch.cat([xs[0]] + [resize_to(t, xs[0]) for t in xs[1:]], dim=1)
        return {2: s2, 4: fuse(2, agg)}


class OCRNeck(nn.Module):
    """Object-contextual representations (OCR) head with one object class, as RITM's HRNet+OCR:
    soft object region from an auxiliary head, gathered region context, pixel-region attention."""

    def __init__(self, cin, ocr_width=64):
        super().__init__()
        mid, key = 2 * ocr_width, ocr_width
        self.conv = nn.Sequential(nn.Conv2d(cin, mid, 3, 1, 1, bias=False), _bn(mid), nn.ReLU(inplace=True))
        self.aux = nn.Sequential(nn.Conv2d(cin, cin, 1, bias=False), _bn(cin), nn.ReLU(inplace=True), nn.Conv2d(cin, 1, 1))

        def cbr(a, b):
            return [nn.Conv2d(a, b, 1, bias=False), _bn(b), nn.ReLU(inplace=True)]

        self.f_pixel = nn.Sequential(*cbr(mid, key), *cbr(key, key))
        self.f_object = nn.Sequential(*cbr(mid, key), *cbr(key, key))
        self.f_down = nn.Sequential(*cbr(mid, key))
        self.f_up = nn.Sequential(*cbr(key, mid))
        self.out = nn.Sequential(*cbr(2 * mid, mid))
        self.key = key
        self.out_channels = mid

    def forward(self, taps):
        x = taps[4]
        aux = self.aux(x)  # [B,1,H,W] soft object region logits
        feats = self.conv(x)
        b, c = feats.shape[0], feats.shape[1]
        probs = F.softmax(aux.flatten(2), dim=2)  # [B,1,HW]
        region = torch.matmul(probs, feats.flatten(2).transpose(1, 2))  # [B,1,C]
        region = region.transpose(1, 2).unsqueeze(-1)  # [B,C,1,1]
        q = self.f_pixel(feats).flatten(2).transpose(1, 2)  # [B,HW,key]
        k = self.f_object(region).flatten(2)  # [B,key,1]
        v = self.f_down(region).flatten(2).transpose(1, 2)  # [B,1,key]
        sim = F.softmax(torch.matmul(q, k) * (self.key ** -0.5), dim=-1)  # [B,HW,1]
        ctx = torch.matmul(sim, v).transpose(1, 2).reshape(b, self.key, feats.shape[2], feats.shape[3])
        ctx = self.f_up(ctx)
        return self.out(torch.cat([ctx, feats], dim=1))
