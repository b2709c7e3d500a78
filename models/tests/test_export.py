"""ONNX export: contract names, opset, dynamic H/W, and parity with PyTorch via onnxruntime-node."""
import os

import onnx
import pytest
import torch

from edgeflow.inference.ort_node import OrtNodeModel, ort_node_available
from edgeflow.model import build_model
from export_onnx import INPUT_NAMES, OUTPUT_NAMES, example_inputs, export, parity

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = os.path.join(MODELS, "edgeflow-mobilenetv2.onnx")

needs_ort = pytest.mark.skipif(not ort_node_available(),
                               reason="node or node_modules/onnxruntime-node absent (run npm ci)")


def _trained_like_net():
    torch.manual_seed(0)
    net = build_model("mobilenetv2")
    # non-trivial FineNet and BN statistics, as after training
    with torch.no_grad():
        net.finenet.out.weight.normal_(0, 0.1)
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return net.eval()


def _check_contract(path):
    m = onnx.load(path)
    assert [i.name for i in m.graph.input] == INPUT_NAMES
    assert [o.name for o in m.graph.output] == OUTPUT_NAMES
    assert max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")) == 17
    for vi in list(m.graph.input) + list(m.graph.output):
        dims = vi.type.tensor_type.shape.dim
        assert len(dims) == 4 and dims[0].dim_value == 1
        assert dims[2].dim_param and dims[3].dim_param  # dynamic H, W
    assert [d.dim_value for d in m.graph.input[1].type.tensor_type.shape.dim][1] == 2


@needs_ort
def test_export_parity(tmp_path):
    net = _trained_like_net()
    path = str(tmp_path / "m.onnx")
    export(net, path, h=128, w=160)
    _check_contract(path)
    d = parity(net, path, sizes=((128, 160), (96, 224)))
    assert d <= 1e-4, d


@needs_ort
def test_shipped_model_runs_at_contract_sizes():
    if not os.path.exists(SHIPPED):
        pytest.skip("models/edgeflow-mobilenetv2.onnx not present")
    _check_contract(SHIPPED)
    assert os.path.getsize(SHIPPED) < 45e6
    ort = OrtNodeModel(SHIPPED)
    try:
        for h, w in ((128, 128), (288, 416)):
            outs = ort(*example_inputs(h, w))
            for o in outs:
                assert o.shape == (1, 1, h, w) and torch.isfinite(o).all()
    finally:
        ort.close()
