"""Export an EdgeFlow checkpoint to ONNX (opset 17, dynamic H/W, names per models/README.md) and
check parity against PyTorch through onnxruntime-node.

    /usr/bin/python3 models/export_onnx.py --ckpt models/runs/mnv2/last.pth --out models/edgeflow-mobilenetv2.onnx
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import inspect  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402

from edgeflow.model import OnnxWrapper  # noqa: E402

INPUT_NAMES = ["image", "clicks", "prev_edge"]
OUTPUT_NAMES = ["mask_logits", "edge_logits", "coarse_logits"]


def export(net, out_path, h=320, w=416, opset=17):
    net = net.eval()
    wrapper = OnnxWrapper(net).eval()
    args = example_inputs(h, w, seed=0)
    dyn = {n: {2: "height", 3: "width"} for n in INPUT_NAMES + OUTPUT_NAMES}
    # The TorchScript exporter (PyTorch 2.x defaults to the dynamo one, which needs onnxscript and
    # lays the graph out differently; onnx_import.py reads the Conv nodes in this exporter's order).
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(wrapper, args, out_path, opset_version=opset, input_names=INPUT_NAMES,
                          output_names=OUTPUT_NAMES, dynamic_axes=dyn, do_constant_folding=True, **legacy)
    import onnx

    model = onnx.load(out_path)
    # The exporter leaves the outputs' N and C symbolic; the contract fixes them to 1.
    for vi in model.graph.output:
        dims = vi.type.tensor_type.shape.dim
        for k in (0, 1):
            dims[k].ClearField("dim_param")
            dims[k].dim_value = 1
    model.doc_string = "EdgeFlow interactive segmentation (CoarseNet + FineNet); contract: models/README.md"
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    return out_path


def example_inputs(h, w, seed=0):
    """A realistic input: a smooth random image, a few click disks, a sparse edge map."""
    from edgeflow.data.clicks import disk_maps

    g = np.random.default_rng(seed)
    img = torch.nn.functional.interpolate(torch.from_numpy(g.random((1, 3, h // 8, w // 8), np.float32)),
                                          size=(h, w), mode="bilinear", align_corners=False)
    clicks = [(int(g.integers(h)), int(g.integers(w)), bool(k < 2)) for k in range(4)]
    maps = torch.from_numpy(disk_maps(clicks, h, w))[None]
    edge = torch.from_numpy((g.random((1, 1, h, w)) > 0.97).astype(np.float32))
    return img, maps, edge


def parity(net, onnx_path, sizes=((320, 416), (128, 256), (480, 352))):
    """Max |torch - onnxruntime-node| over the three outputs for a few input sizes."""
    from edgeflow.inference.ort_node import OrtNodeModel

    ort = OrtNodeModel(onnx_path)
    worst = 0.0
    try:
        for k, (h, w) in enumerate(sizes):
            ins = example_inputs(h, w, seed=k + 1)
            with torch.no_grad():
                ref = OnnxWrapper(net.eval())(*ins)
            got = ort(*ins)
            for name, a, b in zip(OUTPUT_NAMES, ref, got):
                assert tuple(a.shape) == tuple(b.shape), (name, a.shape, b.shape)
                worst = max(worst, float((a - b).abs().max()))
    finally:
        ort.close()
    return worst


def main():
    from evaluate import load_checkpoint

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--raw", action="store_true", help="export the raw (non-EMA) weights")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "edgeflow-mobilenetv2.onnx"))
    ap.add_argument("--no-parity", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(2)
    net, state = load_checkpoint(a.ckpt, use_ema=not a.raw)
    export(net, a.out)
    print(f"exported {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) from step {state.get('step')}")
    if not a.no_parity:
        d = parity(net, a.out)
        print(f"parity max |delta| = {d:.3g}")
        if d > 1e-4:
            sys.exit("parity check failed (> 1e-4)")


if __name__ == "__main__":
    main()
