"""NoC evaluation (GrabCut, Berkeley) of a checkpoint or an ONNX file, with the protocol of
models/README.md. Writes JSON.

    /usr/bin/python3 models/evaluate.py --ckpt models/runs/mnv2/last.pth --out res.json
    /usr/bin/python3 models/evaluate.py --onnx models/edgeflow-mobilenetv2.onnx   (through onnxruntime-node)
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from edgeflow.inference.noc import eval_root, evaluate  # noqa: E402
from edgeflow.inference.protocol import FIRST_FOCUS_MIN_ZOOM, THRESHOLD_MODES  # noqa: E402
from edgeflow.model import build_model  # noqa: E402


def checkpoint_weights(state, use_ema=True):
    """The state dict a trainer checkpoint or snapshot stands for: the EMA when there is one."""
    return state["ema"] if (use_ema and "ema" in state) else state["model"]


def load_checkpoint(path, use_ema=True):
    """Build the network from a trainer checkpoint (last.pth) or an EMA snapshot."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    net = build_model(state["config"]["backbone"], variant=state["config"].get("variant", "full"))
    net.load_state_dict(checkpoint_weights(state, use_ema))
    net.eval()
    return net, state


ABLATIONS = ("none", "no-finenet", "no-edge", "no-finenet-no-edge")


def as_protocol_model(net, ablate="none"):
    """The network as the protocol's model(image, clicks, prev_edge). `ablate` switches parts off
    at inference (the trained weights stay the same): no-finenet returns CoarseNet's mask, no-edge
    feeds an all-zero previous edge at every click (the edge-guided flow sees no edge prior)."""
    if ablate not in ABLATIONS:
        raise ValueError(f"unknown ablation {ablate!r}")
    run_fine = "no-finenet" not in ablate
    zero_edge = "no-edge" in ablate

    def model(image, clicks, prev_edge):
        if zero_edge:
            prev_edge = torch.zeros_like(prev_edge)
        o = net(image, clicks, prev_edge, run_fine=run_fine)
        return o["mask_logits"], o["edge_logits"], o["coarse_logits"]

    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", help="trainer checkpoint or EMA snapshot")
    ap.add_argument("--onnx", help="ONNX file, run through onnxruntime-node")
    ap.add_argument("--raw", action="store_true", help="use the raw (non-EMA) weights of a checkpoint")
    ap.add_argument("--datasets", default="GrabCut,Berkeley")
    ap.add_argument("--limit", type=int, default=None, help="first N samples per dataset")
    ap.add_argument("--max-clicks", type=int, default=20)
    ap.add_argument("--side", type=int, default=400)
    ap.add_argument("--upscale", type=float, default=1.0,
                    help="enlarge every image (bicubic) and mask (nearest) this much: the protocol on photo-sized images")
    ap.add_argument("--no-focus", action="store_true", help="ablation: always the whole image")
    ap.add_argument("--focus-from", type=int, default=2, help="ablation: first click predicted on the focus crop")
    ap.add_argument("--focus-expand", type=float, default=1.4, help="ablation: focus box expansion ratio")
    ap.add_argument("--first-focus-min-zoom", type=float, default=FIRST_FOCUS_MIN_ZOOM,
                    help="the first focused click keeps the whole image unless its crop zooms in this much "
                         "(the contract: 2; 0 = always crop, the contract before)")
    ap.add_argument("--focus-min-zoom", type=float, default=0.0,
                    help="the same for the later focused clicks (the contract: 0 = always crop)")
    ap.add_argument("--later-threshold", type=float, default=0.5,
                    help="with a --threshold mode: the mask threshold of the clicks it does not threshold "
                         "automatically (the contract: 0.5; the focus box keeps 0.5)")
    ap.add_argument("--click2-upscale", action="store_true",
                    help="the contract before session 8: click 2 crops whenever the crop zooms in "
                         "--first-focus-min-zoom, even if the crop is upsampled (the contract: only "
                         "when its longer side is >= --side; else click 3 gets the zoom rule)")
    ap.add_argument("--max-upscale", type=float, default=None,
                    help="a focus crop is resized to --side but upsampled at most this much "
                         "(default: no limit)")
    ap.add_argument("--box-from-mask", action="store_true",
                    help="the focus box from the previous click's mask as returned (the automatic "
                         "threshold after click 1) instead of p > 0.5")
    ap.add_argument("--threshold", type=lambda v: v if v in THRESHOLD_MODES else float(v), default="auto1",
                    help="mask threshold: auto1 (the contract: the automatic threshold on click 1, then 0.5; "
                         "the focus box uses 0.5); a number (diagnostic: every click and the focus box); "
                         "auto / auto2 / autopos (diagnostics: the automatic threshold on every click / on "
                         "clicks 1-2 / while every click is positive)")
    ap.add_argument("--ablate", default="none", choices=ABLATIONS,
                    help="inference-time ablation of a checkpoint: drop FineNet and/or the edge prior")
    ap.add_argument("--no-mirror", action="store_true",
                    help="ablation: one model run per click, without the contract's mirror averaging")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="JSON output path")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(eval_root()):
        sys.exit(f"evaluation data not found at {eval_root()} (../shared/datasets/eval)")
    torch.set_num_threads(a.threads)
    meta = {}
    if a.ckpt:
        net, state = load_checkpoint(a.ckpt, use_ema=not a.raw)
        model = as_protocol_model(net, a.ablate)
        meta = {"checkpoint": a.ckpt, "step": state.get("step"), "samples": state.get("samples"), "ema": not a.raw,
                "ablate": a.ablate}
    elif a.onnx:
        if a.ablate != "none":
            sys.exit("--ablate needs --ckpt (the ONNX graph always runs FineNet on the given edge)")
        from edgeflow.inference.ort_node import OrtNodeModel

        model = OrtNodeModel(a.onnx)
        meta = {"onnx": a.onnx}
    else:
        sys.exit("give --ckpt or --onnx")
    focus_opts = {"focus_from": a.focus_from, "focus_expand": a.focus_expand}
    results = {"meta": meta, "side": a.side, "focus": not a.no_focus, "focus_opts": focus_opts,
               "threshold": a.threshold, "first_focus_min_zoom": a.first_focus_min_zoom,
               "focus_min_zoom": a.focus_min_zoom, "later_threshold": a.later_threshold,
               "box_from_mask": a.box_from_mask, "max_upscale": a.max_upscale,
               "click2_no_upscale": not a.click2_upscale,
               "mirror": not a.no_mirror,
               "results": []}
    predictor_opts = dict(focus_opts, threshold=a.threshold, first_focus_min_zoom=a.first_focus_min_zoom,
                          focus_min_zoom=a.focus_min_zoom, later_threshold=a.later_threshold,
                          box_from_mask=a.box_from_mask, max_upscale=a.max_upscale,
                          click2_no_upscale=not a.click2_upscale,
                          mirror=not a.no_mirror)
    for ds in a.datasets.split(","):
        res = evaluate(model, ds, limit=a.limit, max_clicks=a.max_clicks, side=a.side, focus=not a.no_focus,
                       log=print if a.verbose else None, focus_opts=predictor_opts, upscale=a.upscale)
        print(f"{ds}: n={res['n']} NoC@85 {res['NoC@85']:.2f} NoC@90 {res['NoC@90']:.2f} "
              f"NoC@95 {res['NoC@95']:.2f} >=20@90 {res['>=20@90']} mIoU@1 {res['mIoU_per_click'][0]:.3f} "
              f"({res['seconds']}s)", flush=True)
        print(f"  mIoU per click 1-5: {' '.join(f'{v:.3f}' for v in res['mIoU_per_click'][:5])}; click 2 lowers IoU "
              f"by > 0.02 for {100 * res['click2_drop_share']:.1f} % ({res['click2_drop_count'][0]}/"
              f"{res['click2_drop_count'][1]}), click 3 for {100 * res['click3_drop_share']:.1f} %", flush=True)
        results["results"].append(res)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
