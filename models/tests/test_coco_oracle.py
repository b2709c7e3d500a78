"""pycocotools, the reference COCO implementation, checks the COCO that EdgeFlow writes.

The fixtures in test/fixtures/out/oracle/ are written by test/unit/export/cocoOracle.test.ts through
the real export path (a COCO dataset from `runExport`, the per-image sidecars, our own
rasterisation of every object, a set of RLE cases) and kept equal to what the TypeScript code
writes now by that test's golden check (REGEN=1 rewrites them). Here, independently of our code:

- RLE: every counts string we write equals `pycocotools.mask.encode` of the same mask, and decodes
  (`decode`, `annToMask`) to it; `area` and `bbox` equal `maskUtils.area` / `toBbox`.
- Polygons: `annToMask` differs from our rasterisation only on pixels whose centre lies within
  POLYGON_TOLERANCE_PX of the polygon's outline (see below for why it cannot be exact).
- `area` / `bbox` rules: in the dataset both come from our mask (pixel count, tight pixel box, as
  pycocotools computes them for RLE); in a sidecar `area` is the geometric area (holes subtracted)
  and `bbox` the box of the vertices, both rounded to 0.01, computed here from the coordinates.

Why polygons cannot agree exactly. We rasterise exactly: a pixel is in when its centre
(c + 0.5, r + 0.5) is inside (ties: an outline through a centre takes the pixel on its left/top
edge, not on its right/bottom one, so shared edges never cover a pixel twice). pycocotools
(maskApi.c rleFrPoly) first snaps every vertex to a 1/5-pixel grid, digitises the edges on that
grid, and keeps, in each column, the rows whose centre lies at least 0.1 px below a digitised
boundary point taken 0.1 px either side of the column centre; ties go the other way (right/bottom
edge in). Each step moves the outline it effectively samples by at most: vertex snapping
0.1*sqrt(2), edge digitising 0.1, sampling beside the centre 0.1*sin(45deg), the row offset 0.1,
in all about 0.412 px. So the two masks may differ only on pixels whose centre is within 0.42 px of
the outline; in 80,000 random polygons the largest such distance was 0.30 px. A vertex at a
negative coordinate (outside the image's top or left) snaps by up to 0.3 px per axis instead of 0.1
(C's (int) truncates toward zero), which raises the bound for such polygons to 0.69 px (measured:
0.24 px in 20,000 polygons with such a vertex). Neither is wrong (the COCO format does not define
rasterisation); ours is exact, theirs is what COCO tools will see.
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "test" / "fixtures" / "out" / "oracle"

# See the module docstring: the bounds follow from maskApi.c's 1/5-pixel grid, with a little room.
POLYGON_TOLERANCE_PX = 0.42
POLYGON_TOLERANCE_NEGATIVE_VERTEX_PX = 0.69
# Sidecar numbers are rounded to 0.01 (half away from zero; Python's round() halves to even).
ROUNDING = 0.005 + 1e-9

# pycocotools 2.0.11 calls np.array(copy=False) on its own RLE objects under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def mask_from_rows(rows):
    return np.array([[c == "#" for c in row] for row in rows], dtype=np.uint8).reshape(len(rows), -1)


def mask_from_rects(width, height, rects):
    m = np.zeros((height, width), np.uint8)
    for x, y, w, h in rects:
        m[y : y + h, x : x + w] = 1
    return m


def encode(m):
    """pycocotools' compressed RLE of a row-major 0/1 array."""
    return mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))


def counts_text(rle):
    c = rle["counts"]
    return c.decode("ascii") if isinstance(c, bytes) else c


def rings_of(ann):
    """Every polygon ring of an annotation (COCO list, or our edgeflow_regions), as (n, 2) arrays."""
    if isinstance(ann["segmentation"], list):
        return [np.array(r, float).reshape(-1, 2) for r in ann["segmentation"]]
    regions = ann.get("edgeflow_regions", [])
    return [np.array(r, float).reshape(-1, 2) for reg in regions for r in [reg["outer"], *reg["holes"]]]


def distance_to_outline(px, py, rings):
    """Distance from each point to the nearest edge of any ring."""
    d = np.full(px.shape, np.inf)
    for ring in rings:
        a = ring
        b = np.roll(ring, -1, axis=0)
        for (ax, ay), (bx, by) in zip(a, b):
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0, 1) if length2 > 0 else 0.0
            d = np.minimum(d, np.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return d


def shoelace(ring):
    x, y = ring[:, 0], ring[:, 1]
    return abs(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def objects():
    return load("ours.json")["objects"]


def dataset():
    return COCO(str(FIXTURES / load("ours.json")["dataset"]))


# --- RLE ------------------------------------------------------------------------------------


def rle_cases():
    return load("ours.json")["rle"]


@pytest.mark.parametrize("case", rle_cases(), ids=lambda c: c["name"])
def test_rle_counts_equal_pycocotools_encode(case):
    w, h = case["width"], case["height"]
    m = mask_from_rows(case["rows"]) if "rows" in case else mask_from_rects(w, h, case["rects"])
    assert m.shape == (h, w)
    ref = encode(m)
    assert counts_text(ref) == case["counts"]
    assert list(ref["size"]) == [h, w]
    ours = {"size": [h, w], "counts": case["counts"].encode("ascii")}
    assert np.array_equal(mask_utils.decode(ours), m)
    assert int(mask_utils.area(ref)) == case["area"]
    assert mask_utils.toBbox(ref).tolist() == case["bbox"]


# --- the exported dataset --------------------------------------------------------------------


def test_every_exported_annotation_is_one_of_our_objects():
    coco = dataset()
    listed = {o["dataset_id"] for o in objects() if o["dataset_id"] is not None}
    assert set(coco.anns) == listed
    assert all(a["iscrowd"] == 0 for a in coco.anns.values())
    kinds = {type(a["segmentation"]).__name__ for a in coco.anns.values()}
    assert kinds == {"list", "dict"}, "both polygon and RLE annotations are checked"


@pytest.mark.parametrize("obj", [o for o in objects() if o["dataset_id"] is not None], ids=lambda o: f'{o["image"]}#{o["object"]}')
def test_dataset_annotation_agrees_with_pycocotools(obj):
    coco = dataset()
    ann = coco.anns[obj["dataset_id"]]
    image = coco.imgs[ann["image_id"]]
    assert image["file_name"] == obj["image"]
    ours = mask_from_rows(obj["mask"])
    assert ours.shape == (image["height"], image["width"])
    ours_rle = encode(ours)
    # The dataset's rule: area and bbox come from the mask (what pycocotools computes for RLE).
    assert ann["area"] == int(mask_utils.area(ours_rle)) == int(ours.sum())
    assert ann["bbox"] == mask_utils.toBbox(ours_rle).tolist()
    theirs = coco.annToMask(ann)
    if isinstance(ann["segmentation"], dict):
        assert ann["segmentation"]["counts"] == counts_text(ours_rle)
        assert ann["segmentation"]["size"] == [image["height"], image["width"]]
        assert np.array_equal(theirs, ours)
    else:
        assert_polygon_mask_close(theirs, ours, rings_of(ann), obj)


def tolerance(rings):
    return POLYGON_TOLERANCE_NEGATIVE_VERTEX_PX if any((r < 0).any() for r in rings) else POLYGON_TOLERANCE_PX


def assert_polygon_mask_close(theirs, ours, rings, obj):
    differ = np.argwhere(theirs != ours)
    if len(differ):
        d = distance_to_outline(differ[:, 1] + 0.5, differ[:, 0] + 0.5, rings)
        allowed = tolerance(rings)
        far = differ[d > allowed]
        assert len(far) == 0, (
            f'{obj["name"]}: pycocotools and our rasterisation differ at (row, col) {far[:5].tolist()}, '
            f"{d.max():.3f} px from the outline (allowed {allowed})"
        )


def test_polygon_differences_are_few_and_measured(capsys):
    """How far pycocotools' polygon masks are from ours, over every polygon of the fixtures."""
    coco = dataset()
    pixels = differing = 0
    worst = 0.0
    for obj in objects():
        if obj["dataset_id"] is None:
            continue
        ann = coco.anns[obj["dataset_id"]]
        if not isinstance(ann["segmentation"], list):
            continue
        ours = mask_from_rows(obj["mask"])
        theirs = coco.annToMask(ann)
        where = np.argwhere(theirs != ours)
        pixels += int(ours.sum())
        differing += len(where)
        if len(where) and tolerance(rings_of(ann)) == POLYGON_TOLERANCE_PX:
            worst = max(worst, distance_to_outline(where[:, 1] + 0.5, where[:, 0] + 0.5, rings_of(ann)).max())
    with capsys.disabled():
        print(f"\n      pycocotools polygons vs ours: {differing} of {pixels} pixels differ, at most {worst:.3f} px from the outline (vertices >= 0)")
    # A half-pixel shift or a transposed polygon would change far more than the tie and snapping
    # pixels these shapes have.
    assert differing <= 0.1 * pixels
    assert worst <= POLYGON_TOLERANCE_PX


# --- the sidecars --------------------------------------------------------------------------


def sidecar_annotations():
    out = []
    by_key = {(o["image"], o["object"]): o for o in objects()}
    for name in load("ours.json")["sidecars"]:
        data = load(name)
        file_name = data["images"][0]["file_name"]
        for ann in data["annotations"]:
            out.append(pytest.param(name, ann, by_key[(file_name, ann["id"])], id=f'{file_name}#{ann["id"]}'))
    return out


@pytest.mark.parametrize("name,ann,obj", sidecar_annotations())
def test_sidecar_annotation_agrees_with_pycocotools(name, ann, obj):
    coco = COCO(str(FIXTURES / name))
    image = coco.imgs[ann["image_id"]]
    ours = mask_from_rows(obj["mask"])
    theirs = coco.annToMask(coco.anns[ann["id"]])
    rings = rings_of(ann)
    if isinstance(ann["segmentation"], dict):
        assert ann["segmentation"]["counts"] == counts_text(encode(ours))
        assert ann["segmentation"]["size"] == [image["height"], image["width"]]
        assert np.array_equal(theirs, ours)
        regions = ann["edgeflow_regions"]
        area = sum(shoelace(np.array(r["outer"], float).reshape(-1, 2)) - sum(shoelace(np.array(h, float).reshape(-1, 2)) for h in r["holes"]) for r in regions)
        outers = [np.array(r["outer"], float).reshape(-1, 2) for r in regions]
    else:
        assert "edgeflow_regions" not in ann
        assert_polygon_mask_close(theirs, ours, rings, obj)
        area = sum(shoelace(r) for r in rings)
        outers = rings
    # The sidecar's rule: geometric area (holes subtracted) and the box of the vertices, to 0.01.
    assert ann["area"] == pytest.approx(area, abs=ROUNDING)
    pts = np.concatenate(outers)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    assert ann["bbox"][:2] == pytest.approx([x0, y0], abs=ROUNDING)
    assert ann["bbox"][2:] == pytest.approx([x1 - x0, y1 - y0], abs=2 * ROUNDING)
    assert ann["iscrowd"] == 0
    assert math.isfinite(ann["area"])
