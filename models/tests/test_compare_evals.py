import json

import numpy as np
import pytest

from compare_evals import compare_files, compare_results, paired_bootstrap, per_image_noc, runs_text


def _result(ious, dataset="GrabCut"):
    return {"dataset": dataset, "per_sample_ious": ious,
            "per_sample_noc90": {k: per_image_noc({"per_sample_ious": {k: v}}, 90)[k] for k, v in ious.items()}}


def test_per_image_noc_from_ious_and_from_noc90_only():
    r = _result({"a": [0.5, 0.86, 0.91, 0.96], "b": [0.2, 0.3, 0.4, 0.5]})
    assert per_image_noc(r, 85) == {"a": 2, "b": 20}
    assert per_image_noc(r, 90) == {"a": 3, "b": 20}
    assert per_image_noc(r, 95) == {"a": 4, "b": 20}
    old = {"per_sample_noc90": {"a": 3, "b": 20}}
    assert per_image_noc(old, 90) == {"a": 3, "b": 20}
    assert per_image_noc(old, 85) is None


def test_bootstrap_interval_brackets_the_mean_and_excludes_zero_for_a_clear_gain():
    rng = np.random.default_rng(3)
    clear = -2.0 + rng.normal(0, 0.5, 100)
    lo, hi = paired_bootstrap(clear)
    assert lo < clear.mean() < hi < 0
    noise = rng.permutation(np.repeat([-3.0, 3.0], 50))
    lo, hi = paired_bootstrap(noise)
    assert lo < 0 < hi
    assert paired_bootstrap(clear, seed=1) != paired_bootstrap(clear) == paired_bootstrap(clear)  # seeded
    with pytest.raises(ValueError):
        paired_bootstrap([])


def test_compare_counts_better_and_worse_and_refuses_different_image_sets(tmp_path):
    a = _result({"x": [0.95] * 3, "y": [0.5, 0.91, 0.91], "z": [0.1] * 3})
    b = _result({"x": [0.95] * 3, "y": [0.91] * 3, "z": [0.1, 0.1, 0.92]})
    rows = {r["threshold"]: r for r in compare_results(a, b, n_boot=200)}
    r = rows[90]
    assert (r["a"], r["b"]) == (pytest.approx((1 + 2 + 20) / 3), pytest.approx((1 + 1 + 3) / 3))
    assert r["diff"] == pytest.approx(r["b"] - r["a"])
    assert (r["better"], r["worse"], r["n"]) == (2, 0, 3)
    assert rows[95]["better"] == 0 and rows[95]["worse"] == 0  # nobody reaches 95 except x, unchanged
    with pytest.raises(ValueError):
        compare_results(a, _result({"x": [0.9], "q": [0.9]}))
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps({"results": [a, _result({"k": [0.9]}, "Berkeley")]}))
    pb.write_text(json.dumps({"results": [b]}))
    assert [r["dataset"] for r in compare_files(pa, pb, n_boot=50)] == ["GrabCut"] * 3


def test_runs_of_one_side_are_averaged_per_image_and_paired_run_by_run(tmp_path):
    a0 = _result({"x": [0.95] * 3, "y": [0.5, 0.91, 0.91]})  # NoC@90 1 and 2
    a1 = _result({"x": [0.5, 0.95, 0.95], "y": [0.5, 0.5, 0.91]})  # 2 and 3
    b0 = _result({"x": [0.95] * 3, "y": [0.91] * 3})  # 1 and 1
    b1 = _result({"x": [0.5, 0.5, 0.5], "y": [0.91] * 3})  # 20 and 1
    r = {r["threshold"]: r for r in compare_results([a0, a1], [b0, b1], n_boot=200)}[90]
    assert r["a_runs"] == [pytest.approx(1.5), pytest.approx(2.5)]
    assert r["b_runs"] == [pytest.approx(1.0), pytest.approx(10.5)]
    assert r["run_diffs"] == [pytest.approx(-0.5), pytest.approx(8.0)]  # the seeds disagree in sign
    assert (r["a"], r["b"]) == (pytest.approx(2.0), pytest.approx(5.75))  # means of the per-image means
    assert r["diff"] == pytest.approx(3.75)
    assert (r["better"], r["worse"]) == (1, 1)  # y: 2.5 -> 1; x: 1.5 -> 10.5
    assert runs_text(r) == "  (runs: A 1.50, 2.50; B 1.00, 10.50; B-A by run -0.50, +8.00, the runs disagree in sign)"
    # one run a side: as before, no per-run columns
    one = {r["threshold"]: r for r in compare_results(a0, b0, n_boot=50)}[90]
    assert one["run_diffs"] is None and one["a_runs"] == [pytest.approx(1.5)] and runs_text(one) == ""
    # unequal run counts: averaged, but no run-by-run pairing
    assert compare_results([a0, a1], b0, n_boot=50)[0]["run_diffs"] is None
    with pytest.raises(ValueError):
        compare_results([a0, _result({"x": [0.9], "q": [0.9]})], b0)
    paths = []
    for name, res in (("a0", a0), ("a1", a1), ("b0", b0), ("b1", b1)):
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps({"results": [res]}))
        paths.append(str(p))
    rows = compare_files(f"{paths[0]},{paths[1]}", [paths[2], paths[3]], n_boot=50)
    assert {r["threshold"]: r for r in rows}[90]["run_diffs"] == [pytest.approx(-0.5), pytest.approx(8.0)]
    with pytest.raises(ValueError):
        compare_files(",", paths[2])
