"""Generates the sample images in this folder procedurally (no external data).

Run: python3 samples/make_samples.py   (needs numpy and Pillow)
The output is deterministic (fixed seeds). The images and this script are CC0 1.0 (public domain
dedication): see LICENSE.md beside them.
"""
import math
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))


def noise(rng, h, w, scale):
    base = rng.normal(0, 1, (h // scale + 2, w // scale + 2))
    img = Image.fromarray(((base - base.min()) / (np.ptp(base) + 1e-9) * 255).astype(np.uint8))
    return np.asarray(img.resize((w, h), Image.BICUBIC), dtype=np.float32) / 255.0


def street(seed, w, h):
    """A road with a pavement, a few cars (rounded boxes with windows) and round trees."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, h)[:, None]
    sky = np.stack([120 + 80 * (1 - y), 160 + 60 * (1 - y), 220 + 20 * (1 - y)], -1) * np.ones((1, w, 1))
    img = sky.copy()
    horizon = int(h * 0.45)
    ground = np.array([95, 95, 100], np.float32)
    n = noise(rng, h, w, 8)[..., None]
    img[horizon:] = ground + 25 * (n[horizon:] - 0.5)
    pav = int(h * 0.62)
    img[horizon:pav] = np.array([150, 145, 135]) + 20 * (n[horizon:pav] - 0.5)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    # Lane markings.
    for x in range(0, w, 80):
        d.rectangle([x, int(h * 0.8), x + 40, int(h * 0.8) + 6], fill=(230, 230, 220))
    # Trees behind the pavement.
    for _ in range(3):
        cx = int(rng.uniform(0.1, 0.9) * w)
        r = int(rng.uniform(0.05, 0.09) * w)
        d.rectangle([cx - r // 6, horizon - r, cx + r // 6, pav - 10], fill=(90, 60, 40))
        d.ellipse([cx - r, horizon - 2 * r - r // 2, cx + r, horizon - r // 2], fill=(40 + int(rng.integers(0, 40)), 120, 50))
    # Cars on the road.
    colors = [(200, 40, 40), (40, 80, 200), (240, 200, 40), (30, 30, 30), (230, 230, 230)]
    for i in range(int(rng.integers(2, 4))):
        cw = int(rng.uniform(0.18, 0.26) * w)
        ch = int(cw * 0.42)
        x0 = int(rng.uniform(0.02, 0.98) * w - cw / 2)
        y0 = int(rng.uniform(0.66, 0.8) * h - ch / 2)
        col = colors[int(rng.integers(0, len(colors)))]
        d.rounded_rectangle([x0, y0 + ch // 3, x0 + cw, y0 + ch], radius=ch // 6, fill=col)
        d.rounded_rectangle([x0 + cw // 5, y0, x0 + cw * 4 // 5, y0 + ch // 2], radius=ch // 5, fill=col)
        d.rectangle([x0 + cw // 4, y0 + ch // 10, x0 + cw * 3 // 4, y0 + ch // 2 - 4], fill=(170, 200, 220))
        for wx in (x0 + cw // 5, x0 + cw * 4 // 5):
            d.ellipse([wx - ch // 5, y0 + ch - ch // 5, wx + ch // 5, y0 + ch + ch // 5], fill=(20, 20, 20))
    return im.filter(ImageFilter.GaussianBlur(0.6))


def cells(seed, w, h):
    """A microscopy-like field: bright blobs on a dark noisy background, some touching."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 20 + 15 * noise(rng, h, w, 16)
    for _ in range(14):
        cx, cy = rng.uniform(0.08, 0.92) * w, rng.uniform(0.08, 0.92) * h
        rx, ry = rng.uniform(18, 40), rng.uniform(18, 40)
        ang = rng.uniform(0, math.pi)
        c, s = math.cos(ang), math.sin(ang)
        u = ((xx - cx) * c + (yy - cy) * s) / rx
        v = (-(xx - cx) * s + (yy - cy) * c) / ry
        dist = u * u + v * v
        img += 170 * np.clip(1.2 - dist, 0, 1) ** 0.5
        img += 60 * np.exp(-dist * 12)  # nucleus
    img = np.round(img / 4) * 4  # coarse levels keep the files small
    g = np.clip(img, 0, 255).astype(np.uint8)
    rgb = np.stack([g * 0.55, g, g * 0.7], -1).astype(np.uint8)
    return Image.fromarray(rgb)


def main():
    street(1, 960, 640).save(os.path.join(HERE, "street-01.png"), optimize=True)
    street(2, 960, 640).convert("RGB").save(os.path.join(HERE, "street-02.jpg"), quality=88)
    street(3, 800, 600).save(os.path.join(HERE, "street-03.webp"), quality=85)
    cells(4, 512, 384).save(os.path.join(HERE, "cells-01.tif"), compression="tiff_deflate")
    cells(5, 512, 384).save(os.path.join(HERE, "cells-02.jpg"), quality=85)


if __name__ == "__main__":
    main()
