"""Index of the training objects: every set in the standard layout under one or more roots.

A set is a folder with `images/` and `masks/`:
- with `objects.jsonl` (one record per object: `stem`, `k`, optionally `set`, the mask folder,
  default `masks`), the object's mask is `<set>/<stem>_<k>.png` and its image `images/<stem>.*`;
  objects from a folder other than `masks/` (ccp's `masks_parts/`) form the group "part";
- without it, every `masks/<stem>.png` is one object of `images/<stem>.*` (coco_mval).

Which sets train, and how often each is drawn, is the run config's `set_weights`, not code: new
data needs no code change. Validation-only sets (`duts_val`) and anything under an `eval/` folder
are refused, whatever the config says.
"""
import json
import os
from dataclasses import dataclass

import numpy as np

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".JPG", ".JPEG", ".PNG")
# Never trained on: held out for validation (duts_val) or benchmarks (everything under eval/).
VALIDATION_ONLY = ("duts_val",)

# The mixture of the runs before model v2 (three sets of ../shared/datasets/train).
LEGACY_SET_WEIGHTS = "coco_mval=0.45,coco128_seg=0.25,ccp=0.30"


@dataclass
class ObjectRef:
    image: str
    mask: str
    dataset: str
    group: str  # sampling group inside a dataset: "obj", or "part" (ccp's garments)


def repo_root():
    here = os.path.dirname(os.path.abspath(__file__))  # models/edgeflow/data
    return os.path.normpath(os.path.join(here, "..", "..", ".."))


def default_root():
    """../shared/datasets relative to the repository root."""
    return os.path.normpath(os.path.join(repo_root(), "..", "shared", "datasets"))


def default_train_root():
    return os.path.join(default_root(), "train")


def resolve_roots(spec):
    """Folders from a config's `data_roots` ("a:b", relative paths against the repository root;
    empty: ../shared/datasets/train)."""
    if not spec:
        return [default_train_root()]
    if isinstance(spec, (list, tuple)):
        parts = list(spec)
    else:
        parts = [p for p in spec.split(os.pathsep) if p]
    return [p if os.path.isabs(p) else os.path.normpath(os.path.join(repo_root(), p)) for p in parts]


def parse_weights(spec):
    """"a=0.5,b=0.2" -> {"a": 0.5, "b": 0.2}."""
    out = {}
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(f"set weight {item!r}: expected NAME=WEIGHT")
        k, v = item.split("=", 1)
        w = float(v)
        if w < 0:
            raise ValueError(f"set weight {item!r} is negative")
        out[k.strip()] = w
    return out


def _read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _image_for(images_dir, stem, cache):
    if not cache:
        for fn in os.listdir(images_dir):
            s, ext = os.path.splitext(fn)
            if ext in IMAGE_EXTS:
                cache.setdefault(s, os.path.join(images_dir, fn))
    return cache.get(stem)


def is_set(path):
    return os.path.isdir(os.path.join(path, "images")) and os.path.isdir(os.path.join(path, "masks"))


def index_set(d, name=None):
    """The objects of one set folder."""
    name = name or os.path.basename(os.path.normpath(d))
    images_dir = os.path.join(d, "images")
    names = {}
    objs = []
    jsonl = os.path.join(d, "objects.jsonl")
    if os.path.exists(jsonl):
        for rec in _read_jsonl(jsonl):
            sub = rec.get("set", "masks")
            img = _image_for(images_dir, rec["stem"], names)
            if img is None:
                raise FileNotFoundError(f"{name}: no image for stem {rec['stem']!r} in {images_dir}")
            objs.append(ObjectRef(img, os.path.join(d, sub, f"{rec['stem']}_{rec['k']}.png"), name,
                                  "obj" if sub == "masks" else "part"))
    else:
        for fn in sorted(os.listdir(os.path.join(d, "masks"))):
            stem, ext = os.path.splitext(fn)
            if ext.lower() != ".png":
                continue
            img = _image_for(images_dir, stem, names)
            if img is None:
                raise FileNotFoundError(f"{name}: no image for mask {fn} in {images_dir}")
            objs.append(ObjectRef(img, os.path.join(d, "masks", fn), name, "obj"))
    return objs


def find_sets(roots):
    """{name: folder} of every set directly under the roots (a root that is itself a set counts
    too). Two sets of one name are an error; validation-only sets and eval/ folders are left out."""
    found = {}
    for root in roots:
        if not os.path.isdir(root):
            raise FileNotFoundError(f"data root not found: {root}")
        if os.path.basename(os.path.normpath(root)) == "eval" or f"{os.sep}eval{os.sep}" in root + os.sep:
            raise ValueError(f"{root}: evaluation data is never trained on")
        cands = [root] if is_set(root) else [os.path.join(root, n) for n in sorted(os.listdir(root))]
        for d in cands:
            if not is_set(d):
                continue
            name = os.path.basename(os.path.normpath(d))
            if name in VALIDATION_ONLY:
                continue
            if name in found:
                raise ValueError(f"set {name!r} is in two roots: {found[name]} and {d}")
            found[name] = d
    return found


def index_objects(roots=None, sets=None):
    """{set name: [ObjectRef...]} for the sets under `roots` (a list of folders, a config's
    `data_roots` string, or None for ../shared/datasets/train), restricted to `sets` if given."""
    roots = resolve_roots(roots)
    found = find_sets(roots)
    if sets is not None:
        for s in sets:
            if s in VALIDATION_ONLY:
                raise ValueError(f"{s} is validation only: never train on it")
            if s not in found:
                raise FileNotFoundError(f"set {s!r} not found under {', '.join(roots)}")
        found = {s: found[s] for s in sets}
    return {name: index_set(d, name) for name, d in found.items()}


class ObjectSampler:
    """Draws (dataset, object) pairs with the set weights, then a group inside the dataset (groups
    uniform, except that `part_weight` scales the 'part' group: 0 drops garments from ccp, 1 keeps
    them as likely as whole objects), then an object uniformly inside the group.

    `weights` is {set: weight} or a "set=w,..." string; sets it does not name are not drawn (a
    weight of 0 too). None keeps the legacy mixture, LEGACY_SET_WEIGHTS."""

    def __init__(self, index, weights=None, part_weight=1.0):
        if part_weight < 0:
            raise ValueError("part_weight must be >= 0")
        if part_weight == 0:
            index = {k: [o for o in v if o.group != "part"] for k, v in index.items()}
        if weights is None or weights == "":
            weights = LEGACY_SET_WEIGHTS
        w = parse_weights(weights) if isinstance(weights, str) else dict(weights)
        if len(index) == 1 and not any(n in w for n in index):  # one set given: draw it
            w = {n: 1.0 for n in index}
        self.index = {k: v for k, v in index.items() if v and w.get(k, 0.0) > 0}
        if not self.index:
            raise ValueError(f"no training set has a positive weight (sets {sorted(index)}, weights {w})")
        self.names = sorted(self.index)
        p = np.array([w[n] for n in self.names], np.float64)
        self.p = p / p.sum()
        self.unweighted = sorted(set(index) - set(self.index))
        self.groups, self.group_p, self.uniform_groups = {}, {}, {}
        for n in self.names:
            g = {}
            for o in self.index[n]:
                g.setdefault(o.group, []).append(o)
            keys = sorted(g)
            self.groups[n] = [g[k] for k in keys]
            gw = np.array([part_weight if k == "part" else 1.0 for k in keys], np.float64)
            self.group_p[n] = gw / gw.sum()
            self.uniform_groups[n] = bool(np.all(gw == gw[0]))

    def __len__(self):
        return sum(len(v) for v in self.index.values())

    def describe(self):
        """One line per drawn set: objects and share of draws; then the sets left out."""
        lines = [f"{n}: {len(self.index[n])} objects, {100 * p:.1f} % of draws" for n, p in zip(self.names, self.p)]
        if self.unweighted:
            lines.append(f"not drawn (no weight in set_weights): {', '.join(self.unweighted)}")
        return lines

    def sample(self, rng):
        n = self.names[rng.choice(len(self.names), p=self.p)]
        groups = self.groups[n]
        if self.uniform_groups[n]:  # the original draw, so runs without part_weight resume exactly
            g = groups[rng.integers(len(groups))]
        else:
            g = groups[rng.choice(len(groups), p=self.group_p[n])]
        return g[rng.integers(len(g))]
