"""The nsfwjs -> MobileNetV2 (torchvision layout) conversion, offline: dequantisation and the Keras name mapping."""
import json

import numpy as np
import torch
import make_mobilenet_init as mk
from edgeflow.model.mobilenet import mobilenet_v2_features


def _keras_shapes():
    """Keras MobileNetV2 (alpha 1) weight names and shapes, derived from torchvision's layout."""
    ref = mobilenet_v2_features().state_dict()
    shapes = {}

    def conv(name, key, dw=False):
        o, i, kh, kw = ref[key + ".weight"].shape
        shapes[name + ("/depthwise_kernel" if dw else "/kernel")] = [kh, kw, o, 1] if dw else [kh, kw, i, o]

    def bn(name, key):
        for s in ("gamma", "beta", "moving_mean", "moving_variance"):
            shapes[f"{name}/{s}"] = [ref[key + ".weight"].shape[0]]

    conv("Conv1", "0.0"), bn("bn_Conv1", "0.1")
    conv("expanded_conv_depthwise", "1.conv.0.0", True), bn("expanded_conv_depthwise_BN", "1.conv.0.1")
    conv("expanded_conv_project", "1.conv.1"), bn("expanded_conv_project_BN", "1.conv.2")
    for i in range(2, 18):
        b = f"block_{i - 1}"
        conv(b + "_expand", f"{i}.conv.0.0"), bn(b + "_expand_BN", f"{i}.conv.0.1")
        conv(b + "_depthwise", f"{i}.conv.1.0", True), bn(b + "_depthwise_BN", f"{i}.conv.1.1")
        conv(b + "_project", f"{i}.conv.2"), bn(b + "_project_BN", f"{i}.conv.3")
    conv("Conv_1", "18.0"), bn("Conv_1_bn", "18.1")
    return shapes


def test_mapping_loads_strictly_and_transposes():
    rng = np.random.default_rng(0)
    kw = {k: rng.standard_normal(s).astype(np.float32) for k, s in _keras_shapes().items()}
    sd = mk.as_module_state_dict(mk.keras_to_torchvision(kw))
    assert len(sd) == 312
    # Keras [kh,kw,in,out] -> torch [out,in,kh,kw]
    assert torch.equal(sd["0.0.weight"][5, 2, 1, 0], torch.tensor(kw["Conv1/kernel"][1, 0, 2, 5]))
    # depthwise [kh,kw,c,1] -> [c,1,kh,kw]
    k = kw["block_3_depthwise/depthwise_kernel"]
    assert torch.equal(sd["4.conv.1.0.weight"][7, 0, 2, 1], torch.tensor(k[2, 1, 7, 0]))
    assert torch.equal(sd["18.1.running_var"], torch.from_numpy(kw["Conv_1_bn/moving_variance"]))


def test_dequantisation_matches_tfjs(tmp_path, monkeypatch):
    manifest = [{"paths": ["x"], "weights": [
        {"name": "a", "shape": [2, 2], "dtype": "float32", "quantization": {"min": -1.0, "scale": 0.5, "dtype": "uint8"}},
        {"name": "b", "shape": [3], "dtype": "float32"},
    ]}]
    data = bytes([0, 1, 2, 255]) + np.array([1.5, -2.0, 3.25], np.float32).tobytes()

    def fake_run(cmd, check):
        _, _, _, _, man, bin_ = cmd
        open(man, "w").write(json.dumps(manifest))
        open(bin_, "wb").write(data)

    monkeypatch.setattr(mk.subprocess, "run", fake_run)
    w = mk.decode_weights("unused", str(tmp_path))
    assert np.array_equal(w["a"], np.array([[-1.0, -0.5], [0.0, 126.5]], np.float32))
    assert np.array_equal(w["b"], np.array([1.5, -2.0, 3.25], np.float32))
