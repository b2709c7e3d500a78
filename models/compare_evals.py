"""Compare two evaluations (JSON files of evaluate.py) image by image: is B's NoC really different
from A's, or within the noise of a 50- or 100-image benchmark?

For each dataset both files hold, and each of NoC@85/90/95, it prints A's and B's NoC, the mean of
the paired differences B - A (negative: B needs fewer clicks), a 95 % paired-bootstrap interval of
that mean (images resampled with replacement, a fixed seed), and how many images got better and
worse. An interval that contains 0 means the benchmark cannot tell the two apart. The per-click
IoUs (`per_sample_ious`, written since session 12) give all three thresholds; older files hold only
`per_sample_noc90` and give NoC@90 alone.

Either side may be several files, comma-separated: runs of the same configuration trained with
different seeds. Each image's NoC is then the mean over that side's runs before pairing, and the
line also gives each run's NoC, so the seed-to-seed spread is in view: the bootstrap interval
resamples images only and says nothing about training seeds. With as many runs on both sides, in
the same order (seed 0 with seed 0, ...), it gives the difference of each such pair as well.

    /usr/bin/python3 models/compare_evals.py shipped.json candidate.json [--json out.json]
    /usr/bin/python3 models/compare_evals.py base-s0.json,base-s1.json edge-s0.json,edge-s1.json
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


def _mean_noc(results, threshold):
    """Per-image NoC averaged over `results` (runs of one configuration), and each run's mean; None
    when a run does not hold what it takes. Runs over different images are an error."""
    per_run = [per_image_noc(r, threshold) for r in results]
    if any(n is None for n in per_run):
        return None, None
    keys = set(per_run[0])
    if any(set(n) != keys for n in per_run[1:]):
        raise ValueError(f"{results[0].get('dataset')}: the runs of one side cover different images")
    mean = {k: float(np.mean([n[k] for n in per_run])) for k in keys}
    return mean, [float(np.mean(list(n.values()))) for n in per_run]


def compare_results(a, b, n_boot=10000, seed=0):
    """Rows {dataset, threshold, n, a, b, diff, lo, hi, better, worse, a_runs, b_runs, run_diffs} for
    one dataset's results. `a` and `b` are each one result or a list of results (runs with different
    seeds; per-image NoC is averaged over them). Only images present on both sides are paired;
    differing sets are an error. `run_diffs` (B minus A run by run) is set only when both sides have
    the same number of runs, more than one."""
    a = [a] if isinstance(a, dict) else list(a)
    b = [b] if isinstance(b, dict) else list(b)
    rows = []
    for t in THRESHOLDS:
        (na, runs_a), (nb, runs_b) = _mean_noc(a, t), _mean_noc(b, t)
        if na is None or nb is None:
            continue
        if set(na) != set(nb):
            raise ValueError(f"{a[0].get('dataset')}: the two evaluations cover different images")
        keys = sorted(na)
        d = np.array([nb[k] - na[k] for k in keys], np.float64)
        lo, hi = paired_bootstrap(d, n_boot, seed)
        paired_runs = len(a) == len(b) > 1
        rows.append({"dataset": a[0].get("dataset"), "threshold": t, "n": len(keys),
                     "a": float(np.mean([na[k] for k in keys])), "b": float(np.mean([nb[k] for k in keys])),
                     "diff": float(d.mean()), "lo": lo, "hi": hi,
                     "better": int((d < 0).sum()), "worse": int((d > 0).sum()),
                     "a_runs": runs_a, "b_runs": runs_b,
                     "run_diffs": [rb - ra for ra, rb in zip(runs_a, runs_b)] if paired_runs else None})
    return rows


def _load_runs(paths):
    """[{dataset: result}] of each evaluate.py JSON in `paths` (a list, or one comma-separated string)."""
    if not isinstance(paths, (list, tuple)):
        paths = [p for p in str(paths).split(",") if p]
    if not paths:
        raise ValueError("no evaluation file given")
    runs = []
    for p in paths:
        with open(p) as f:
            runs.append({r["dataset"]: r for r in json.load(f)["results"]})
    return runs


def compare_files(path_a, path_b, n_boot=10000, seed=0):
    """Rows of `compare_results` for every dataset that all files of both sides hold. Each side is a
    path, a comma-separated string of paths, or a list of paths."""
    runs_a, runs_b = _load_runs(path_a), _load_runs(path_b)
    rows = []
    for ds in runs_a[0]:
        if all(ds in r for r in runs_a + runs_b):
            rows += compare_results([r[ds] for r in runs_a], [r[ds] for r in runs_b], n_boot, seed)
    return rows


def runs_text(r):
    """'  (runs: A 8.01, 8.50; B 8.98, 8.20; B-A by run +0.97, -0.30, the runs disagree in sign)' for
    a row of `compare_results`, or '' when each side is one file."""
    parts = []
    for side in ("a", "b"):
        if len(r[f"{side}_runs"]) > 1:
            parts.append(f"{side.upper()} " + ", ".join(f"{v:.2f}" for v in r[f"{side}_runs"]))
    if r["run_diffs"]:
        by_run = "B-A by run " + ", ".join(f"{v:+.2f}" for v in r["run_diffs"])
        if min(r["run_diffs"]) < 0 < max(r["run_diffs"]):
            by_run += ", the runs disagree in sign"
        parts.append(by_run)
    return f"  (runs: {'; '.join(parts)})" if parts else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="evaluate.py JSON (the reference, e.g. the shipped weights); "
                    "several runs (seeds) comma-separated")
    ap.add_argument("b", help="evaluate.py JSON (the candidate); several runs comma-separated")
    ap.add_argument("--boot", type=int, default=10000, help="bootstrap resamples")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the rows here too")
    a = ap.parse_args()
    try:
        rows = compare_files(a.a, a.b, a.boot, a.seed)
    except (OSError, ValueError) as e:
        sys.exit(f"compare_evals: {e}")
    if not rows:
        sys.exit("no dataset with per-image results in both files")
    for r in rows:
        sure = "" if r["lo"] <= 0 <= r["hi"] else "  (the interval excludes 0)"
        print(f"{r['dataset']} NoC@{r['threshold']}: A {r['a']:.2f}  B {r['b']:.2f}  B-A {r['diff']:+.2f} "
              f"[{r['lo']:+.2f}, {r['hi']:+.2f}]  better {r['better']}, worse {r['worse']} of {r['n']}{sure}"
              f"{runs_text(r)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
