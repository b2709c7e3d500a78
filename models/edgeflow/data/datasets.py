"""Index of the training objects under ../shared/datasets/train (never eval/, never BSDS)."""
import json
import os
from dataclasses import dataclass

import numpy as np

TRAIN_SETS = ("coco_mval", "coco128_seg", "ccp")


@dataclass
class ObjectRef:
    image: str
    mask: str
    dataset: str
    group: str  # sampling group inside a dataset (ccp: person / part)


def default_root():
    """../shared/datasets relative to the repository root (this file is models/edgeflow/data/)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "..", "shared", "datasets"))


def _read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def index_objects(root=None, sets=TRAIN_SETS):
    """Return {dataset: [ObjectRef...]} for the train sets. Every labelled object is a target."""
    root = root or default_root()
    train = os.path.join(root, "train")
    out = {}
    for name in sets:
        d = os.path.join(train, name)
        objs = []
        if name == "coco_mval":
            for fn in sorted(os.listdir(os.path.join(d, "masks"))):
                stem = fn[:-4]
                objs.append(ObjectRef(os.path.join(d, "images", stem + ".jpg"), os.path.join(d, "masks", fn), name, "obj"))
        elif name == "coco128_seg":
            for rec in _read_jsonl(os.path.join(d, "objects.jsonl")):
                objs.append(ObjectRef(
                    os.path.join(d, "images", rec["stem"] + ".jpg"),
                    os.path.join(d, "masks", f"{rec['stem']}_{rec['k']}.png"), name, "obj"))
        elif name == "ccp":
            for rec in _read_jsonl(os.path.join(d, "objects.jsonl")):
                sub = rec.get("set", "masks")
                objs.append(ObjectRef(
                    os.path.join(d, "images", rec["stem"] + ".jpg"),
                    os.path.join(d, sub, f"{rec['stem']}_{rec['k']}.png"), name,
                    "person" if sub == "masks" else "part"))
        else:
            raise ValueError(name)
        out[name] = objs
    return out


# Sampling weights: the general-object COCO sets get most of the mass; the fashion set is split
# evenly between whole persons and garments so parts do not dominate.
DATASET_WEIGHTS = {"coco_mval": 0.45, "coco128_seg": 0.25, "ccp": 0.30}


class ObjectSampler:
    """Draws (dataset, object) pairs with DATASET_WEIGHTS, then a group inside the dataset (groups
    uniform, except that `part_weight` scales the 'part' group: 0 drops garments from ccp, 1 keeps
    them as likely as whole persons), then an object uniformly inside the group."""

    def __init__(self, index, weights=None, part_weight=1.0):
        if part_weight < 0:
            raise ValueError("part_weight must be >= 0")
        if part_weight == 0:
            index = {k: [o for o in v if o.group != "part"] for k, v in index.items()}
        self.index = {k: v for k, v in index.items() if v}
        w = weights or DATASET_WEIGHTS
        self.names = sorted(self.index)
        p = np.array([w.get(n, 1.0) for n in self.names], np.float64)
        self.p = p / p.sum()
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

    def sample(self, rng):
        n = self.names[rng.choice(len(self.names), p=self.p)]
        groups = self.groups[n]
        if self.uniform_groups[n]:  # the original draw, so runs without part_weight resume exactly
            g = groups[rng.integers(len(groups))]
        else:
            g = groups[rng.choice(len(groups), p=self.group_p[n])]
        return g[rng.integers(len(g))]
