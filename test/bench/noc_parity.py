"""Click-by-click parity of the editor's predictor (npm run bench:noc) with the Python protocol.

Runs models/edgeflow/inference (protocol.Predictor + the RITM clicker, ONNX through
onnxruntime-node, as `models/evaluate.py --onnx` does) on the samples of a bench:noc JSON and
prints, per sample, the first click where the IoUs differ, then NoC@85/90/95 of both sides.

    npm run bench:noc -- --dataset ../shared/datasets/eval/GrabCut --limit 10 --json out/noc-ts.json
    /usr/bin/python3 test/bench/noc_parity.py out/noc-ts.json [--dataset GrabCut] [--out py.json]
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "models"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from edgeflow.inference.clicker import iou, next_click  # noqa: E402
from edgeflow.inference.noc import eval_root, list_samples, noc_of  # noqa: E402
from edgeflow.inference.ort_node import OrtNodeModel  # noqa: E402
from edgeflow.inference.protocol import Predictor  # noqa: E402


def per_click(model, img_path, mask_path, max_clicks, side, focus):
    img = np.asarray(Image.open(img_path).convert("RGB"))
    gt = np.asarray(Image.open(mask_path).convert("L"))
    gt_obj, ignore = gt == 255, gt == 128
    pred = np.zeros(gt.shape, bool)
    clicked = np.zeros(gt.shape, bool)
    p = Predictor(model, img, side=side, focus=focus)
    ious, clicks = [], []
    for _ in range(max_clicks):
        r, c, pos = next_click(gt_obj, ignore, pred, clicked)
        clicked[r, c] = True
        pred = p.add_click(r, c, pos)
        ious.append(iou(gt_obj, ignore, pred))
        clicks.append([int(c), int(r), bool(pos)])
    return ious, clicks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ts_json", help="a bench:noc --json file")
    ap.add_argument("--dataset", help="eval set name under ../shared/datasets/eval (default: the JSON's)")
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "edgeflow-mobilenetv2.onnx"))
    ap.add_argument("--out", help="write the Python per-click IoUs here")
    a = ap.parse_args()
    if not os.path.isdir(eval_root()):
        print(f"noc_parity skipped: {eval_root()} not found")
        return
    torch.set_num_threads(1)
    ts = json.load(open(a.ts_json))
    s = ts["summary"]
    dataset = a.dataset or s["dataset"]
    if s.get("targetSize", 400) != 400 or not s.get("focusCrop", True):
        print("note: the Python side runs with the same target size and focus setting as the JSON")
    model = OrtNodeModel(a.model)
    samples = {stem: (ip, mp) for stem, ip, mp in list_samples(dataset)}
    py, same = {}, 0
    for t in ts["samples"]:
        ip, mp = samples[t["name"]]
        ious, clicks = per_click(model, ip, mp, s["maxClicks"], s.get("targetSize", 400), s.get("focusCrop", True))
        py[t["name"]] = {"ious": ious, "clicks": clicks}
        diff = [k for k, (x, y) in enumerate(zip(ious, t["ious"])) if x != y]
        if diff:
            k = diff[0]
            print(f"{t['name']}: first difference at click {k + 1} (IoU {ious[k]:.5f} Python, {t['ious'][k]:.5f} TS), "
                  f"max |dIoU| {max(abs(x - y) for x, y in zip(ious, t['ious'])):.5f}", flush=True)
        else:
            same += 1
    n = len(py)
    print(f"{same} of {n} samples identical at every click")
    for th in (0.85, 0.90, 0.95):
        a_ = np.mean([noc_of(v["ious"], th, s["maxClicks"]) for v in py.values()])
        b_ = np.mean([noc_of(t["ious"], th, s["maxClicks"]) for t in ts["samples"]])
        print(f"NoC@{int(th * 100)}: Python {a_:.2f}  TS {b_:.2f}  difference {b_ - a_:+.2f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(py, f)


if __name__ == "__main__":
    main()
