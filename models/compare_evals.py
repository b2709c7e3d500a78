"""Compare two evaluations (JSON files of evaluate.py) image by image: is B's NoC really different
from A's, or within the noise of a 50- or 100-image benchmark?

For each dataset both files hold, and each of NoC@85/90/95, it prints A's and B's NoC, the mean of
the paired differences B - A (negative: B needs fewer clicks), a 95 % paired-bootstrap interval of
that mean (images resampled with replacement, a fixed seed), and how many images got better and
worse. An interval that contains 0 means the benchmark cannot tell the two apart. The per-click
IoUs (`per_sample_ious`, written since session 12) give all three thresholds; older files hold only
`per_sample_noc90` and give NoC@90 alone.

    /usr/bin/python3 models/compare_evals.py shipped.json candidate.json [--json out.json]
"""
import argparse
import json
import sys

import numpy as np

from edgeflow.inference.noc import noc_of

THRESHOLDS = (85, 90, 95)


def per_image_noc(result, threshold, max_clicks=20):
    """{image: NoC at `threshold` (85, 90 or 95)} of one dataset's result, or None when the file
    does not hold what it takes."""
    ious = result.get("per_sample_ious")
    if ious is not None:
        return {k: noc_of(seq, threshold / 100.0, max_clicks) for k, seq in ious.items()}
    if threshold == 90 and "per_sample_noc90" in result:
        return dict(result["per_sample_noc90"])
    return None


def paired_bootstrap(diffs, n_boot=10000, seed=0, level=0.95):
    """Percentile interval of the mean of `diffs` under resampling of the items with replacement."""
    d = np.asarray(diffs, np.float64)
    if d.size == 0:
        raise ValueError("no paired items")
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, d.size, size=(n_boot, d.size))].mean(axis=1)
    lo, hi = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def compare_results(a, b, n_boot=10000, seed=0):
    """Rows {dataset, threshold, n, a, b, diff, lo, hi, better, worse} for one dataset's two
    results. Only images present in both are paired; differing sets are an error."""
    rows = []
    for t in THRESHOLDS:
        na, nb = per_image_noc(a, t), per_image_noc(b, t)
        if na is None or nb is None:
            continue
        if set(na) != set(nb):
            raise ValueError(f"{a.get('dataset')}: the two evaluations cover different images")
        keys = sorted(na)
        d = np.array([nb[k] - na[k] for k in keys], np.float64)
        lo, hi = paired_bootstrap(d, n_boot, seed)
        rows.append({"dataset": a.get("dataset"), "threshold": t, "n": len(keys),
                     "a": float(np.mean([na[k] for k in keys])), "b": float(np.mean([nb[k] for k in keys])),
                     "diff": float(d.mean()), "lo": lo, "hi": hi,
                     "better": int((d < 0).sum()), "worse": int((d > 0).sum())})
    return rows


def compare_files(path_a, path_b, n_boot=10000, seed=0):
    with open(path_a) as f:
        ea = json.load(f)
    with open(path_b) as f:
        eb = json.load(f)
    by_b = {r["dataset"]: r for r in eb["results"]}
    rows = []
    for ra in ea["results"]:
        if ra["dataset"] in by_b:
            rows += compare_results(ra, by_b[ra["dataset"]], n_boot, seed)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="evaluate.py JSON (the reference, e.g. the shipped weights)")
    ap.add_argument("b", help="evaluate.py JSON (the candidate)")
    ap.add_argument("--boot", type=int, default=10000, help="bootstrap resamples")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the rows here too")
    a = ap.parse_args()
    rows = compare_files(a.a, a.b, a.boot, a.seed)
    if not rows:
        sys.exit("no dataset with per-image results in both files")
    for r in rows:
        sure = "" if r["lo"] <= 0 <= r["hi"] else "  (the interval excludes 0)"
        print(f"{r['dataset']} NoC@{r['threshold']}: A {r['a']:.2f}  B {r['b']:.2f}  B-A {r['diff']:+.2f} "
              f"[{r['lo']:+.2f}, {r['hi']:+.2f}]  better {r['better']}, worse {r['worse']} of {r['n']}{sure}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
