"""Train EdgeFlow. Resumes from <run>/last.pth when present (the stored config wins).

    nice -n 19 /usr/bin/python3 models/train.py --run models/runs/mnv2 [--backbone mobilenetv2]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from edgeflow.engine.trainer import TrainConfig, Trainer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_INIT = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "pretrained", "mobilenet_v2_imagenet_features.pth"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="run folder (checkpoints, logs); models/runs/ is gitignored")
    for f in TrainConfig.__dataclass_fields__.values():
        if f.name == "init_path":
            continue
        ap.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    ap.add_argument("--init-path", default=DEFAULT_INIT, help="MobileNetV2 ImageNet state dict (see make_mobilenet_init.py)")
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--no-val", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help=f"on resume, change {', '.join(Trainer.RESUME_NEUTRAL)}, the schedule "
                         f"({', '.join(Trainer.RESUME_SCHEDULE)}) or the recipe ({', '.join(Trainer.RESUME_RECIPE)}); "
                         "changes are logged")
    a = ap.parse_args()
    cfg = TrainConfig(**{k: getattr(a, k) for k in TrainConfig.__dataclass_fields__})
    if cfg.backbone == "mobilenetv2" and not os.path.exists(cfg.init_path):
        sys.exit(f"init weights not found: {cfg.init_path} (run models/make_mobilenet_init.py)")
    overrides = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        overrides[k] = type(getattr(cfg, k))(v)
    t = Trainer(cfg, a.run, overrides=overrides)
    t.run(max_steps=a.max_steps, max_seconds=a.max_seconds, validate=not a.no_val)


if __name__ == "__main__":
    main()
