"""Start a training run from an exported ONNX file, for a machine without the run folder.

The run folder (`models/runs/`, checkpoints and snapshots) does not travel with the repository; the
shipped ONNX does. This writes `<run>/last.pth` at `--step` with the file's weights as both the
trained and the EMA network (BatchNorm statistics re-estimated on the run's own training batches,
see edgeflow/model/onnx_import.py) and a fresh Adam state, then `models/train.py --run <run>`
resumes from it like from any checkpoint. The schedule defaults to a stage-2 restart of 800 steps
from `--step`; set the run's recipe with `--set` (it is stored in the checkpoint and logged).

    /usr/bin/python3 models/seed_run.py --onnx models/edgeflow-mobilenetv2.onnx --run models/runs/mnv2 \\
        --step 14700 --samples 117600 --train-hours 21.1 --set crop=288 --set part_weight=0 ...

With --snapshot instead of --onnx it branches a new run folder from one EMA snapshot of a run that
still exists (no folded BatchNorm to undo), keeping that run's recipe unless --set changes it:

    /usr/bin/python3 models/seed_run.py --snapshot models/runs/mnv2/snapshots/ema_step016300.pth \\
        --run models/runs/mnv2-paste --set paste_prob=0.3
"""
import argparse
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from edgeflow.engine.trainer import TrainConfig, Trainer, simulate_clicks  # noqa: E402
from edgeflow.model.onnx_import import import_onnx, recalibrate_bn  # noqa: E402
from edgeflow.inference.ort_node import ort_node_available  # noqa: E402
from evaluate import checkpoint_weights  # noqa: E402
from export_onnx import example_inputs, export, parity  # noqa: E402
from train import DEFAULT_INIT  # noqa: E402


def calibration_inputs(trainer, n_batches, first_step):
    """Network inputs of the run's own training batches (steps first_step...), clicks simulated
    with the network as loaded, as the training forward would see them."""
    cfg = trainer.cfg
    stream = trainer.batch_stream()
    out = []
    for step in range(first_step, first_step + n_batches):
        batch = stream[step]
        maps, prev_edge, _ = simulate_clicks(trainer.model, batch, step, cfg, step >= cfg.stage1_steps)
        out.append((batch["image"], maps, prev_edge, True))  # FineNet too, even from stage 1
    return out


def _new_run(run_dir, step, base=None, overrides=None, data_root=None, log_to_stdout=True):
    """A Trainer for a new run folder at `step`: the config `base` (a stored config, or the
    defaults), a stage-2 restart of 800 steps from `step`, then `overrides` (strings are cast)."""
    if os.path.exists(os.path.join(run_dir, "last.pth")):
        raise FileExistsError(f"{run_dir}/last.pth exists: resume it with models/train.py instead")
    fields = TrainConfig.__dataclass_fields__
    values = {k: v for k, v in (base or {}).items() if k in fields}
    values.update(stage1_steps=step, total_steps=step + 800)
    for k, v in (overrides or {}).items():
        if k not in fields:
            raise ValueError(f"unknown setting {k}")
        values[k] = type(fields[k].default)(v)
    if not (values.get("init_path") and os.path.exists(values["init_path"])):
        values["init_path"] = DEFAULT_INIT if os.path.exists(DEFAULT_INIT) else ""
    cfg = TrainConfig(**values)
    if cfg.total_steps <= step:
        raise ValueError(f"total_steps {cfg.total_steps} leaves nothing to train after step {step}")
    return Trainer(cfg, run_dir, data_root=data_root, log_to_stdout=log_to_stdout)


def branch(snapshot_path, run_dir, overrides=None, train_seconds=None, data_root=None, log_to_stdout=True):
    """Write <run_dir>/last.pth from an EMA snapshot (or a checkpoint's EMA) of a run that still
    exists: its weights as both the trained and the EMA network, BatchNorm as it is (no folding,
    nothing to re-estimate), the run's stored recipe, a fresh Adam state, at the snapshot's step.
    For experiments that start from one chosen snapshot instead of the run's last step."""
    state = torch.load(snapshot_path, map_location="cpu", weights_only=False)
    step, samples = int(state["step"]), int(state.get("samples", 0))
    if train_seconds is None:
        train_seconds = float(state.get("train_seconds", 0.0))
    t = _new_run(run_dir, step, state["config"], overrides, data_root, log_to_stdout)
    t.model.load_state_dict(checkpoint_weights(state))
    t.ema.load_state_dict(t.model.state_dict())
    t.step, t.samples, t.train_seconds = step, samples, train_seconds
    t.log(f"branched at step {step} ({samples} samples) from {snapshot_path}: fresh optimiser")
    t.save()
    t.snapshot()
    return t


def seed(onnx_path, run_dir, step, samples=0, train_seconds=0.0, overrides=None, calib_batches=32,
         data_root=None, log_to_stdout=True):
    """Write <run_dir>/last.pth at `step` from the ONNX file; returns the Trainer (not run)."""
    if not os.path.exists(onnx_path):
        raise FileNotFoundError(onnx_path)
    t = _new_run(run_dir, step, None, overrides, data_root, log_to_stdout)
    t0 = time.time()
    pairs = import_onnx(t.model, onnx_path, export, example_inputs(64, 96))
    check = ""
    if ort_node_available():  # the rebuilt network against the file itself, as export_onnx checks
        d = parity(t.model, onnx_path, sizes=((128, 160),))
        if d > 1e-4:
            raise ValueError(f"the rebuilt network differs from {onnx_path} by {d:.3g} (> 1e-4)")
        check = f", parity with the file {d:.2g}"
    inputs = calibration_inputs(t, calib_batches, step)
    recalibrate_bn(t.model, pairs, inputs)
    t.ema.load_state_dict(t.model.state_dict())
    t.step, t.samples, t.train_seconds = step, samples, train_seconds
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    t.log(f"seeded at step {step} ({samples} samples) from {onnx_path} (sha256 {sha[:12]}): BatchNorm "
          f"re-estimated on {calib_batches} training batches, fresh optimiser{check} ({time.time() - t0:.0f}s)")
    t.save()
    t.snapshot()
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--onnx", help="an exported file (BatchNorm folded: re-estimated on training batches)")
    src.add_argument("--snapshot", help="an EMA snapshot or checkpoint of an existing run: branch from it "
                                        "(its step, samples and recipe; --set changes the recipe)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--step", type=int, help="the training step the ONNX file was exported at")
    ap.add_argument("--samples", type=int, default=None, help="samples seen by then (default step x batch)")
    ap.add_argument("--train-hours", type=float, default=None, help="training time spent by then (for the log)")
    ap.add_argument("--calib-batches", type=int, default=32)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="any TrainConfig field")
    a = ap.parse_args()
    overrides = dict(kv.split("=", 1) for kv in a.set)  # Trainer sets torch's threads from the config
    if a.snapshot:
        if a.step is not None or a.samples is not None:
            ap.error("--snapshot takes its step and samples from the snapshot")
        branch(a.snapshot, a.run, overrides, None if a.train_hours is None else a.train_hours * 3600.0)
        return
    if a.step is None:
        ap.error("--onnx needs --step")
    batch = int(overrides.get("batch", TrainConfig.batch))
    samples = a.samples if a.samples is not None else a.step * batch
    seed(a.onnx, a.run, a.step, samples, (a.train_hours or 0.0) * 3600.0, overrides, a.calib_batches)


if __name__ == "__main__":
    main()
