"""The evaluation's resizes (edgeflow/inference/resize.py) against the goldens that PyTorch 1.13's
F.interpolate made (test/fixtures/out/inference/), bit for bit: the TypeScript predictor is held
to the same files, so both sides compute identical inputs and maps whatever torch is installed."""
import json
import os

import numpy as np
import torch

from edgeflow.inference import protocol
from edgeflow.inference.resize import resize_antialias, resize_bilinear

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "out", "inference")


def _load(name):
    with open(os.path.join(GOLDEN, name)) as f:
        return json.load(f)


def test_bit_exact_with_the_goldens():
    g = _load("resize-exact.json")
    assert g["torch"].startswith("1.13")
    h, w = g["height"], g["width"]
    rgb = np.array(g["rgb"], np.uint8).reshape(h, w, 3)
    plane = np.array(g["plane"], np.uint32).view(np.float32).reshape(h, w)
    top, left, ch, cw = g["box"]
    img = rgb.transpose(2, 0, 1).astype(np.float32) / np.float32(255.0)
    for case in g["cases"]:
        oh, ow, kind = case["height"], case["width"], case["kind"]
        if kind == "image-crop":
            got = resize_antialias(img[:, top:top + ch, left:left + cw], oh, ow)
        elif kind == "map-whole":
            got = resize_bilinear(plane, oh, ow, "contiguous")
        elif kind == "map-rows":
            got = resize_bilinear(plane[top:top + ch], oh, ow, "contiguous")
        else:
            got = resize_bilinear(plane[top:top + ch, left:left + cw], oh, ow, "strided")
        bits = got.astype(np.float32).view(np.uint32).ravel()
        want = np.array(case["bits"], np.uint32)
        assert bits.shape == want.shape and int((bits != want).sum()) == 0, (kind, oh, ow)


def test_matches_the_small_goldens_and_the_protocol_uses_it():
    g = _load("resize.json")
    src = np.array(g["input"], np.float32).reshape(g["height"], g["width"])
    for case in g["cases"]:
        oh, ow = case["height"], case["width"]
        got = resize_antialias(src[None], oh, ow)[0] if case["antialias"] else resize_bilinear(src, oh, ow)
        assert np.allclose(got.ravel(), case["data"], atol=6e-8), (oh, ow, case["antialias"])
    t = torch.from_numpy(src)[None, None]
    # the protocol's entry points: tensors in and out, the layout read from the view
    assert torch.equal(protocol.resize_map(t, (9, 11))[0, 0], torch.from_numpy(resize_bilinear(src, 9, 11)))
    crop = t[:, :, 2:10, 3:12]
    assert not crop.is_contiguous()
    assert torch.equal(protocol.resize_map(crop, (5, 7))[0, 0],
                       torch.from_numpy(resize_bilinear(src[2:10, 3:12], 5, 7, "strided")))
    img = torch.from_numpy(np.stack([src, src * 0.5, src * 0.25]))[None]
    out = protocol.resize_image(img, (9, 11))
    assert out.shape == (1, 3, 9, 11) and torch.equal(out[0], torch.from_numpy(resize_antialias(img[0].numpy(), 9, 11)))
    # close to torch's own (any version): the same filter, rounded differently at most in the last bits
    ref = torch.nn.functional.interpolate(img, size=(9, 11), mode="bilinear", align_corners=False, antialias=True)
    assert float((ref - out).abs().max()) < 1e-5
