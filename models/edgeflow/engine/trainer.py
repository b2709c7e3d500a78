"""Training loop with two stages, poly LR, EMA weights, periodic checkpoints (exact resume),
logging and a quick periodic validation NoC."""
import copy
import json
import os
import random
import signal
import time
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch

from ..data.clicks import edge_of_mask_torch
from ..data.datasets import ObjectSampler, index_objects, resolve_roots
from ..data.pipeline import BatchStream, DataRecipe
from ..model import build_model
from .clicksim import add_error_clicks, encode_batch
from .losses import balanced_bce, bce, normalized_focal_loss


@dataclass
class TrainConfig:
    backbone: str = "mobilenetv2"
    variant: str = "full"  # model.edgeflow.VARIANTS: the ablation's reduced networks train stage 1 only
    seed: int = 0
    batch: int = 8
    crop: int = 320  # training crop height (pipeline.DataRecipe)
    crop_w: int = 0  # training crop width; 0: square (the paper's 320x480: --crop 320 --crop-w 480)
    lr: float = 5e-4
    encoder_lr_mult: float = 0.2
    coarse_lr_mult_stage2: float = 0.1
    stage1_steps: int = 1500
    total_steps: int = 3000
    poly_power: float = 0.9
    min_lr_frac: float = 0.01
    max_sim_iters: int = 3
    paste_prob: float = 0.1
    # Recipe knobs added after the first run (defaults keep the original recipe bit for bit):
    part_weight: float = 1.0  # ccp garments' share against whole persons (0 drops them)
    first_click_prob: float = 0.0  # share of batches trained in the first-click state
    early_click_prob: float = 0.0  # share of batches trained in the state of clicks 2-3 (first click + own corrections)
    mask_bce_weight: float = 0.0  # plain BCE added to the final mask's focal loss
    far_neg_prob: float = 0.0  # share of samples with one more negative click > 40 px away
    zoom_max_upscale: float = 3.0  # zoom-in scale cap, x the whole image's scale at S (pipeline.DataRecipe)
    boundary_ignore_px: float = 0.0  # polygon-drawn masks: mask losses ignore this band (pipeline.DataRecipe)
    warmup_steps: int = 0  # linear LR warm-up after each stage's start (a run seeded with a fresh optimiser)
    ema_decay: float = 0.998
    threads: int = 2
    workers: int = 1
    ckpt_every_s: float = 300.0
    snapshot_every: int = 500
    val_every_s: float = 900.0
    val_limit: int = 10
    val_sets: str = "GrabCut"  # comma-separated: eval/ sets or fetched ones (duts_val); see inference/noc.py
    init_path: str = ""
    # Data (model v2): the folders holding training sets ("a:b", relative to the repository root;
    # empty: ../shared/datasets/train) and each set's share of the draws ("name=w,..."; sets not
    # named are not drawn; empty: the legacy three-set mixture). See data/datasets.py.
    data_roots: str = ""
    set_weights: str = ""
    # Arithmetic: "bf16" (autocast to bfloat16 for the forward passes; about 3x faster on a CPU
    # with AVX-512 BF16 and on CUDA) or "fp32". Device: "auto" (CUDA when present), "cpu", "cuda".
    precision: str = "fp32"
    device: str = "auto"

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def config_sampler(cfg, data_root=None):
    """The object sampler of a config: its sets (`data_root` overrides the config's roots), its
    weights and part_weight."""
    roots = data_root if data_root is not None else resolve_roots(cfg.data_roots)
    return ObjectSampler(index_objects(roots), weights=cfg.set_weights or None, part_weight=cfg.part_weight)


def config_batches(cfg, sampler=None, data_root=None):
    """The data stream of a config: item i is the batch of training step i (`sampler` defaults to
    the config's objects of the training data)."""
    if sampler is None:
        sampler = config_sampler(cfg, data_root)
    return BatchStream(sampler, cfg.seed, cfg.batch, DataRecipe.of(cfg))


def pick_device(name):
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device cuda asked for, but torch sees no CUDA device")
    return torch.device(name)


def to_format(x, precision):
    """bf16 runs keep activations channels-last (NHWC), the layout oneDNN's bfloat16 kernels want:
    with it a training step of batch 8 at 288 px takes about 1.1 s here, against 1.45 s NCHW."""
    return x.contiguous(memory_format=torch.channels_last) if precision == "bf16" else x


def autocast(device, precision):
    """The forward passes' autocast context: bfloat16 where asked, else a no-op."""
    if precision == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    if precision != "fp32":
        raise ValueError(f"precision {precision!r}: bf16 or fp32")
    return torch.autocast(device_type=device.type, enabled=False)


def poly(step, start, end, power, floor):
    t = min(max((step - start) / max(1, end - start), 0.0), 1.0)
    return floor + (1.0 - floor) * (1.0 - t) ** power


def lr_for(cfg, step):
    """Learning rates (encoder, coarse rest, finenet) at `step`."""
    start = 0 if step < cfg.stage1_steps else cfg.stage1_steps
    warm = min(1.0, (step - start + 1) / cfg.warmup_steps) if cfg.warmup_steps > 0 else 1.0
    if step < cfg.stage1_steps:
        f = poly(step, 0, cfg.stage1_steps, cfg.poly_power, cfg.min_lr_frac) * warm
        return cfg.lr * cfg.encoder_lr_mult * f, cfg.lr * f, 0.0
    f = poly(step, cfg.stage1_steps, cfg.total_steps, cfg.poly_power, cfg.min_lr_frac) * warm
    c = cfg.coarse_lr_mult_stage2
    return cfg.lr * cfg.encoder_lr_mult * c * f, cfg.lr * c * f, cfg.lr * f


def compute_losses(out, gt, stage2, mask_bce_weight=0.0, valid=None):
    """Total loss and its parts. `mask_bce_weight` adds plain BCE on the final mask: the normalized
    focal loss alone leaves probabilities near 0.5 where one click is ambiguous. `valid` (0/1,
    like gt) weights the pixels of the mask losses (focal, auxiliary, BCE); the edge loss keeps
    every pixel, its targets being the boundary itself."""
    out = {k: v.float() for k, v in out.items()}  # losses in float32 whatever the forward ran in
    edge_gt = edge_of_mask_torch(gt)
    parts = {"edge": balanced_bce(out["edge_logits"], edge_gt)}
    if stage2:
        parts["mask"] = normalized_focal_loss(out["mask_logits"], gt, weight=valid)
        parts["aux"] = bce(out["coarse_logits"], gt, valid)
        total = parts["mask"] + 0.4 * parts["aux"] + 0.4 * parts["edge"]
    else:
        parts["mask"] = normalized_focal_loss(out["coarse_logits"], gt, weight=valid)
        total = parts["mask"] + 0.4 * parts["edge"]
    if mask_bce_weight:
        parts["bce"] = bce(out["mask_logits"] if stage2 else out["coarse_logits"], gt, valid)
        total = total + mask_bce_weight * parts["bce"]
    return total, parts


def simulate_clicks(model, batch, step, cfg, stage2, device=None):
    """RITM-style iterative click simulation (no grad, eval mode): the clicks and the edge prior
    that the training forward of `step` sees (on `device`), and the number of iterations."""
    device = device or torch.device("cpu")
    img, gt = to_format(batch["image"].to(device), cfg.precision), batch["gt"]
    clicks = batch["clicks"].clone()
    h, w = img.shape[-2:]
    rng = np.random.default_rng([cfg.seed, step, 7])
    n_iter = int(rng.integers(0, cfg.max_sim_iters + 1))
    if cfg.first_click_prob and rng.random() < cfg.first_click_prob:
        # The state of every object's first click in the editor: one positive click, no edge
        # prior. The sampled initial clicks make it rare otherwise (about 6 % of batches).
        clicks[:, 1:] = -1
        n_iter = 0
    elif cfg.early_click_prob and rng.random() < cfg.early_click_prob:
        # Clicks 2 and 3 of a new object: the first click alone, then one or two of the model's
        # own corrections, each with the edge prior of the mask it corrects (no draw at 0: runs
        # without the knob resume exactly).
        clicks[:, 1:] = -1
        n_iter = int(rng.integers(1, 3))
    prev_edge = torch.zeros_like(gt, device=device)
    if n_iter:
        was_training = model.training
        model.eval()
        with torch.no_grad(), autocast(device, cfg.precision):
            for _ in range(n_iter):
                out = model(img, to_format(encode_batch(clicks, h, w).to(device), cfg.precision),
                            to_format(prev_edge, cfg.precision), run_fine=stage2)
                add_error_clicks(clicks, gt, torch.sigmoid(out["mask_logits"].float()).cpu())
                prev_edge = (torch.sigmoid(out["edge_logits"].float()) > 0.5).float()
        model.train(was_training)
    return encode_batch(clicks, h, w).to(device), prev_edge, n_iter


def simulate_and_forward(model, batch, step, cfg, stage2, device=None):
    """The click simulation, then the training forward (train mode, the config's precision)."""
    device = device or torch.device("cpu")
    maps, prev_edge, n_iter = simulate_clicks(model, batch, step, cfg, stage2, device)
    model.train()
    with autocast(device, cfg.precision):
        out = model(to_format(batch["image"].to(device), cfg.precision), to_format(maps, cfg.precision),
                    to_format(prev_edge, cfg.precision), run_fine=stage2)
    return out, n_iter


class Trainer:
    # Settings that may change on resume without changing the training maths; others (schedule
    # lengths) may change too, and the change is written to the log.
    RESUME_NEUTRAL = ("threads", "workers", "ckpt_every_s", "snapshot_every", "val_every_s", "val_limit",
                      "device", "data_roots", "val_sets")
    RESUME_SCHEDULE = ("total_steps", "stage1_steps", "coarse_lr_mult_stage2", "lr")
    RESUME_RECIPE = ("part_weight", "first_click_prob", "mask_bce_weight", "far_neg_prob", "zoom_max_upscale",
                     "warmup_steps", "paste_prob", "boundary_ignore_px", "early_click_prob",
                     "set_weights", "precision")

    def __init__(self, cfg, run_dir, data_root=None, log_to_stdout=True, overrides=None):
        self.run_dir = run_dir
        os.makedirs(os.path.join(run_dir, "snapshots"), exist_ok=True)
        self.ckpt_path = os.path.join(run_dir, "last.pth")
        if os.path.exists(self.ckpt_path):
            state = torch.load(self.ckpt_path, map_location="cpu", weights_only=False)
            stored = dict(state["config"])
            changed = []
            for k, v in (overrides or {}).items():
                if k not in self.RESUME_NEUTRAL + self.RESUME_SCHEDULE + self.RESUME_RECIPE:
                    raise ValueError(f"{k} cannot change on resume")
                old = stored.get(k, TrainConfig.__dataclass_fields__[k].default)  # runs older than the knob
                if old != v:
                    changed.append(f"{k}: {old} -> {v}")
                stored[k] = v
            cfg = TrainConfig.from_dict(stored)
        else:
            state = None
        self.cfg = cfg
        self.log_to_stdout = log_to_stdout
        self.device = pick_device(cfg.device)
        torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        init = cfg.init_path if cfg.init_path and os.path.exists(cfg.init_path) else None
        self.model = build_model(cfg.backbone, init, cfg.variant).to(self.device)
        if cfg.precision == "bf16":
            self.model = self.model.to(memory_format=torch.channels_last)
        if not self.model.has_fine and cfg.stage1_steps < cfg.total_steps:
            raise ValueError(f"variant {cfg.variant!r} has no FineNet: set stage1_steps = total_steps")
        self.ema = copy.deepcopy(self.model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        fine_ids = {id(p) for p in self.model.finenet.parameters()}
        enc_ids = {id(p) for p in self.model.encoder.parameters()}
        rest = [p for p in self.model.parameters() if id(p) not in fine_ids and id(p) not in enc_ids]
        self.opt = torch.optim.Adam([
            {"params": list(self.model.encoder.parameters())},
            {"params": rest},
            {"params": list(self.model.finenet.parameters())},
        ], lr=cfg.lr)
        self.step = 0
        self.samples = 0
        self.train_seconds = 0.0
        if state is not None:
            self.model.load_state_dict(state["model"])
            self.ema.load_state_dict(state["ema"])
            self.opt.load_state_dict(state["optimizer"])
            self.step = state["step"]
            self.samples = state["samples"]
            self.train_seconds = state.get("train_seconds", 0.0)
            torch.set_rng_state(state["torch_rng"])
            np.random.set_state(state["numpy_rng"])
            random.setstate(state["python_rng"])
            self.log(f"resumed at step {self.step} ({self.samples} samples)"
                     + (f"; changed {', '.join(changed)}" if changed else ""))
        else:
            with open(os.path.join(run_dir, "config.json"), "w") as f:
                json.dump(asdict(cfg), f, indent=1)
            self.log(f"new run {json.dumps(asdict(cfg))}")
        self.sampler = config_sampler(cfg, data_root)
        for line in self.sampler.describe():
            self.log("data " + line)
        if self.device.type != "cpu" or cfg.precision != "fp32":
            self.log(f"device {self.device}, precision {cfg.precision}")
        self._stop = False

    def log(self, msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ", time.gmtime()) + msg
        with open(os.path.join(self.run_dir, "train.log"), "a") as f:
            f.write(line + "\n")
        if self.log_to_stdout:
            print(line, flush=True)

    def metric(self, rec):
        with open(os.path.join(self.run_dir, "metrics.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")

    def save(self):
        state = {
            "config": asdict(self.cfg),
            "model": self.model.state_dict(),
            "ema": self.ema.state_dict(),
            "optimizer": self.opt.state_dict(),
            "step": self.step,
            "samples": self.samples,
            "train_seconds": self.train_seconds,
            "torch_rng": torch.get_rng_state(),
            "numpy_rng": np.random.get_state(),
            "python_rng": random.getstate(),
        }
        tmp = self.ckpt_path + ".tmp"
        torch.save(state, tmp)
        os.replace(tmp, self.ckpt_path)

    def snapshot(self):
        path = os.path.join(self.run_dir, "snapshots", f"ema_step{self.step:06d}.pth")
        torch.save({"config": asdict(self.cfg), "step": self.step, "samples": self.samples,
                    "train_seconds": self.train_seconds, "model": self.ema.state_dict()}, path)

    @torch.no_grad()
    def update_ema(self):
        # Warm-up: short runs must not keep a large share of the initial weights in the average.
        d = min(self.cfg.ema_decay, (1.0 + self.step) / (10.0 + self.step))
        msd = self.model.state_dict()
        for k, v in self.ema.state_dict().items():
            src = msd[k]
            if v.dtype.is_floating_point:
                v.mul_(d).add_(src, alpha=1 - d)
            else:
                v.copy_(src)

    def validate(self):
        """NoC@85/90 of the EMA weights (float32, on the CPU, under the contract's protocol) on the
        first `val_limit` objects of each of `val_sets`, one log line per set."""
        from ..inference.noc import evaluate

        net = copy.deepcopy(self.ema).float().cpu().eval() if self.device.type != "cpu" else self.ema

        def model(image, clicks, prev_edge):
            o = net(image, clicks, prev_edge)
            return o["mask_logits"], o["edge_logits"], o["coarse_logits"]

        rec = {"step": self.step, "samples": self.samples, "val_sets": {}}
        for name in [v for v in self.cfg.val_sets.split(",") if v]:
            t0 = time.time()
            try:
                # The contract's protocol (mirror averaging, the automatic threshold on click 1),
                # as evaluate.py and the editor run it, so the lines compare with their numbers.
                res = evaluate(model, name, limit=self.cfg.val_limit, stop_iou=0.9,
                               focus_opts={"threshold": "auto1", "mirror": True})
            except FileNotFoundError as e:
                self.log(f"val step {self.step} {name}: skipped ({e})")
                continue
            res.pop("per_sample_noc90", None)
            res.pop("per_sample_ious", None)
            self.log(f"val step {self.step} {name}[:{self.cfg.val_limit}] NoC@85 {res['NoC@85']:.2f} "
                     f"NoC@90 {res['NoC@90']:.2f} ({time.time() - t0:.0f}s)")
            rec["val_sets"][name] = res
            if name == "GrabCut":
                rec["val"] = res  # the key of runs before val_sets
        self.metric(rec)

    def batch_stream(self):
        """The run's batches: item i is the batch of training step i."""
        return config_batches(self.cfg, self.sampler)

    def _on_signal(self, *_):
        self._stop = True

    def run(self, max_steps=None, max_seconds=None, validate=True):
        cfg = self.cfg
        signal.signal(signal.SIGTERM, self._on_signal)
        stream = self.batch_stream()
        end = cfg.total_steps if max_steps is None else min(cfg.total_steps, self.step + max_steps)
        loader = torch.utils.data.DataLoader(
            stream, batch_size=None, sampler=range(self.step, end), num_workers=cfg.workers,
            worker_init_fn=lambda _: torch.set_num_threads(1),
            **({"prefetch_factor": 2, "persistent_workers": False} if cfg.workers else {}))
        t_start = time.time()
        last_ckpt = last_val = time.time()
        win_t, win_n = time.time(), 0
        acc = {}
        history = []
        for batch in loader:
            t_step = time.time()
            stage2 = self.step >= cfg.stage1_steps
            lrs = lr_for(cfg, self.step)
            for g, lr in zip(self.opt.param_groups, lrs):
                g["lr"] = lr
            out, n_iter = simulate_and_forward(self.model, batch, self.step, cfg, stage2, self.device)
            valid = batch["valid"].to(self.device) if cfg.boundary_ignore_px > 0 else None  # None: the original sums
            loss, parts = compute_losses(out, batch["gt"].to(self.device), stage2, cfg.mask_bce_weight, valid)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.update_ema()
            self.step += 1
            self.samples += batch["image"].shape[0]
            win_n += batch["image"].shape[0]
            self.train_seconds += time.time() - t_step
            for k, v in parts.items():
                acc[k] = acc.get(k, 0.0) + float(v.detach())
            acc["total"] = acc.get("total", 0.0) + float(loss.detach())
            acc["n"] = acc.get("n", 0) + 1
            history.append(float(loss.detach()))
            if self.step % 20 == 0 or self.step == end:
                n = acc.pop("n")
                sps = win_n / (time.time() - win_t)
                avg = {k: v / n for k, v in acc.items()}
                self.log(f"step {self.step} samples {self.samples} stage {2 if stage2 else 1} "
                         f"loss {avg['total']:.4f} mask {avg['mask']:.4f} edge {avg['edge']:.4f}"
                         + (f" aux {avg['aux']:.4f}" if 'aux' in avg else "")
                         + (f" bce {avg['bce']:.4f}" if 'bce' in avg else "")
                         + f" lr {lrs[1]:.2e} {sps:.2f} samples/s")
                self.metric({"step": self.step, "samples": self.samples, "loss": avg, "lr": lrs,
                             "samples_per_s": sps, "time": time.time()})
                acc, win_t, win_n = {}, time.time(), 0
            if self.step % cfg.snapshot_every == 0:
                self.snapshot()
            if time.time() - last_ckpt >= cfg.ckpt_every_s:
                self.save()
                last_ckpt = time.time()
            if validate and time.time() - last_val >= cfg.val_every_s:
                self.validate()
                last_val = time.time()
            if self._stop or (max_seconds is not None and time.time() - t_start >= max_seconds):
                break
        self.save()
        self.log(f"stopped at step {self.step} ({self.samples} samples)")
        return history
