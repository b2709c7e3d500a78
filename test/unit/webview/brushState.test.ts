import * as assert from 'node:assert/strict';
import { OverrideLayer, strokeBounds, type BrushStroke } from '../../../src/shared/geometry/brush';
import { multiPolygonArea, multiPolygonBBox, reverseRing } from '../../../src/shared/geometry/polygon';
import type { BoxXYWH } from '../../../src/shared/inference/resize';
import { toFullBox, toWorkingPoints, toWorkingRadius, WORKING_PIXELS, type WorkingScale } from '../../../src/shared/inference/workingImage';
import { ObjectMaskEdit } from '../../../src/webview/segment/objectMaskEdit';
import { lastStepIsStroke, SegmentState } from '../../../src/webview/segment/segmentState';

/** A probability box with a confident 10x10 square at (20..29, 20..29) on a 40x40 box at (10, 10). */
function square(): { box: { x: number; y: number; width: number; height: number }; data: Uint8Array } {
  const box = { x: 10, y: 10, width: 40, height: 40 };
  const data = new Uint8Array(1600);
  for (let r = 10; r < 20; r++) for (let c = 10; c < 20; c++) data[r * 40 + c] = 230;
  return { box, data };
}

function stroke(s: SegmentState, st: BrushStroke, clickCount: number): void {
  s.override ??= new OverrideLayer(200, 100);
  const before = [s.override.save(strokeBounds(st, { x: 0, y: 0, width: 200, height: 100 })!)];
  s.override.draw(st);
  s.strokes.push({ stroke: st, clickCount, before });
}

const maskAt = (s: SegmentState, x: number, y: number): number => {
  const m = s.mask!;
  if (x < m.box.x || y < m.box.y || x >= m.box.x + m.box.width || y >= m.box.y + m.box.height) return 0;
  return m.data[(y - m.box.y) * m.box.width + (x - m.box.x)];
};

describe('brush strokes in the click session (webview)', () => {
  it('keeps a painted island through "keep largest region" and a later prediction, and an erased part erased', () => {
    const s = new SegmentState();
    s.result = square();
    s.resultClicks = 2;
    s.clicks = [{ x: 25, y: 25, positive: true }, { x: 26, y: 26, positive: true }];
    stroke(s, { mode: 'paint', radius: 3, points: [150, 50] }, 2); // far outside the prediction's box
    stroke(s, { mode: 'erase', radius: 2, points: [22, 22] }, 2);
    s.recompute();
    assert.equal(s.options.keepLargest, true);
    assert.equal(maskAt(s, 150, 50), 1, 'the island survives keep-largest');
    assert.equal(maskAt(s, 22, 22), 0, 'erased');
    assert.equal(maskAt(s, 27, 27), 1, 'the model elsewhere');
    assert.equal(s.poly!.regions.length, 2, 'two polygons: the object and the painted island');
    // The next click's answer (the model forgot the island and filled the erased part).
    const next = square();
    next.data.fill(230, 11 * 40 + 11, 11 * 40 + 14);
    s.result = next;
    s.resultClicks = 3;
    s.recompute();
    assert.equal(maskAt(s, 150, 50), 1);
    assert.equal(maskAt(s, 22, 22), 0);
  });

  it('updates only the stroked box while dragging, then the full recompute agrees', () => {
    const s = new SegmentState();
    s.result = square();
    s.resultClicks = 2;
    s.recompute();
    const rev = s.maskRevision;
    s.override = new OverrideLayer(200, 100);
    const st: BrushStroke = { mode: 'paint', radius: 2, points: [35, 35, 40, 35] };
    const dirty = s.override.draw(st)!;
    s.strokeLive(dirty);
    assert.equal(s.maskRevision, rev, 'no full recompute inside the mask box');
    assert.deepEqual(s.liveDirty, dirty);
    assert.equal(maskAt(s, 38, 35), 1);
    assert.equal(s.polygonFresh, false, 'the outline is traced when the stroke ends');
    const live = { area: s.mask!.area, at: maskAt(s, 41, 35) };
    s.recompute();
    assert.deepEqual({ area: s.mask!.area, at: maskAt(s, 41, 35) }, live);
    // Outside the mask's box: the mask is recomputed on a grown box.
    const far = s.override.draw({ mode: 'paint', radius: 2, points: [120, 80] })!;
    s.strokeLive(far);
    assert.equal(s.maskRevision, rev + 2);
    assert.equal(maskAt(s, 120, 80), 1);
  });

  it('undoes strokes and clicks newest first: a stroke after the last click is the next undo step', () => {
    const s = new SegmentState();
    s.clicks = [{ x: 1, y: 1, positive: true }];
    assert.equal(lastStepIsStroke(s), false);
    stroke(s, { mode: 'paint', radius: 2, points: [5, 5] }, 1);
    assert.equal(lastStepIsStroke(s), true);
    s.clicks.push({ x: 2, y: 2, positive: true });
    assert.equal(lastStepIsStroke(s), false, 'the click came after the stroke');
    s.clicks.pop();
    assert.equal(lastStepIsStroke(s), true);
    const st = s.strokes.pop()!;
    for (let i = st.before.length - 1; i >= 0; i--) s.override!.restore(st.before[i]);
    assert.equal(s.override!.at(5, 5), 0);
  });

  it('paints a new object from strokes alone (no click, no prediction)', () => {
    const s = new SegmentState();
    stroke(s, { mode: 'paint', radius: 4, points: [50, 50, 70, 50] }, 0);
    s.recompute();
    assert.equal(maskAt(s, 60, 50), 1);
    assert.equal(s.poly!.regions.length, 1);
    assert.ok(s.poly!.iou > 0.9);
  });
});

describe('brush strokes on a finished object (mask round trip)', () => {
  const squareRegions = [{ outer: [10, 10, 30, 10, 30, 30, 10, 30], holes: [] }];

  it('a stroke that changes no pixel is no edit; the traced object matches its mask', () => {
    const e = new ObjectMaskEdit(1, squareRegions, { mode: 'paint', radius: 1, points: [20, 20] }, 100, 80);
    assert.equal(e.changed, false, 'painting inside the object');
    assert.equal(new ObjectMaskEdit(1, squareRegions, { mode: 'erase', radius: 3, points: [60, 60] }, 100, 80).changed, false, 'erasing outside it');
    const r = e.trace(1);
    assert.ok(Math.abs(multiPolygonArea(r.regions) - 400) < 0.05 * 400, `area ${multiPolygonArea(r.regions)}`);
    assert.equal(r.vertexCount, 4);
    assert.ok(r.iou > 0.95);
    assert.ok(new ObjectMaskEdit(1, squareRegions, { mode: 'paint', radius: 2, points: [31, 20] }, 100, 80).changed);
  });

  it('paints a bump out of the object and erases a notch into it, growing the box as the stroke leaves it', () => {
    const stroke = { mode: 'paint' as const, radius: 3, points: [30, 20] };
    const e = new ObjectMaskEdit(1, squareRegions, stroke, 100, 80);
    stroke.points.push(60, 20, 90, 70);
    e.extend();
    assert.ok(e.box.x + e.box.width >= 93 && e.box.y + e.box.height >= 73, 'the box grew to hold the stroke');
    const painted = e.trace(1);
    assert.ok(multiPolygonArea(painted.regions) > 400 + 2 * 3 * 80, 'the stroke added its area');
    assert.equal(painted.regions.length, 1, 'one region: the stroke starts on the object');
    assert.ok(painted.iou > 0.97, `IoU ${painted.iou}`);
    const erase = new ObjectMaskEdit(1, squareRegions, { mode: 'erase', radius: 4, points: [20, 5, 20, 20] }, 100, 80);
    const notched = erase.trace(1);
    const a = multiPolygonArea(notched.regions);
    assert.ok(a < 400 - 8 * 10 && a > 200, `area ${a}`);
  });

  it('erasing it all leaves no polygon', () => {
    const e = new ObjectMaskEdit(1, squareRegions, { mode: 'erase', radius: 30, points: [20, 20] }, 100, 80);
    assert.equal(e.trace(1).regions.length, 0);
  });
});

describe('a stroke on a finished object changes its outline only near the stroke', () => {
  // A curved outline (an ellipse with a wavy rim): re-tracing it whole moved every vertex.
  const ring: number[] = [];
  for (let i = 0; i < 120; i++) {
    const a = (i / 120) * 2 * Math.PI;
    ring.push(200 + (120 + 6 * Math.sin(7 * a)) * Math.cos(a), 150 + (80 + 6 * Math.sin(7 * a)) * Math.sin(a));
  }
  const before = [{ outer: ring, holes: [] as number[][] }];
  const key = (x: number, y: number) => `${x.toFixed(6)},${y.toFixed(6)}`;

  it('keeps every old vertex far from the stroke, exactly', () => {
    const e = new ObjectMaskEdit(1, before, { mode: 'paint', radius: 6, points: [320, 150, 335, 150] }, 400, 300);
    const r = e.trace(1);
    assert.equal(r.regions.length, 1);
    const kept = new Set<string>();
    for (let i = 0; i < r.regions[0].outer.length; i += 2) kept.add(key(r.regions[0].outer[i], r.regions[0].outer[i + 1]));
    let far = 0, missing = 0;
    for (let i = 0; i < ring.length; i += 2) {
      if (Math.hypot(ring[i] - 327, ring[i + 1] - 150) < 40) continue;
      far++;
      if (!kept.has(key(ring[i], ring[i + 1]))) missing++;
    }
    assert.ok(far > 100);
    assert.ok(missing <= 2, `${missing} of ${far} far vertices moved`);
    assert.ok(r.iou > 0.98, `IoU ${r.iou}`);
    assert.ok(Math.max(...r.regions[0].outer.filter((_, i) => i % 2 === 0)) > 335, 'the bump is there');
  });

  it('ten strokes in one place leave the area elsewhere where it was (no drift)', () => {
    let regions = before;
    const area0 = multiPolygonArea(regions);
    for (let k = 0; k < 10; k++) {
      const e = new ObjectMaskEdit(1, regions, { mode: k % 2 ? 'erase' : 'paint', radius: 5, points: [320, 150, 330, 150] }, 400, 300);
      regions = e.trace(1).regions as typeof before;
    }
    // The strokes end with an erase, which leaves at most the stroke's own area changed.
    const d = Math.abs(multiPolygonArea(regions) - area0);
    assert.ok(d < 2 * 5 * 20, `area ${area0.toFixed(0)} -> ${multiPolygonArea(regions).toFixed(0)}`);
    const kept = new Set<string>();
    for (const r of regions) for (let i = 0; i < r.outer.length; i += 2) kept.add(key(r.outer[i], r.outer[i + 1]));
    let moved = 0;
    for (let i = 0; i < ring.length; i += 2) if (Math.hypot(ring[i] - 325, ring[i + 1] - 150) >= 40 && !kept.has(key(ring[i], ring[i + 1]))) moved++;
    assert.ok(moved <= 2, `${moved} vertices far from the strokes moved`);
  });
});

describe('a stroke on one region of an object', () => {
  it('keeps its other region and a hole untouched by the stroke exactly', () => {
    const octagon = (cx: number, cy: number, r: number) => {
      const out: number[] = [];
      for (let i = 0; i < 8; i++) out.push(cx + r * Math.cos((i * Math.PI) / 4 + 0.3), cy + r * Math.sin((i * Math.PI) / 4 + 0.3));
      return out;
    };
    const before = [
      { outer: octagon(60, 60, 40), holes: [reverseRing(octagon(50, 60, 12))] },
      { outer: octagon(200, 60, 30), holes: [] },
    ];
    const e = new ObjectMaskEdit(1, before, { mode: 'paint', radius: 5, points: [230, 60, 245, 60] }, 300, 150);
    const r = e.trace(1);
    assert.equal(r.regions.length, 2);
    const left = r.regions.find((g) => g.outer[0] < 130)!;
    const sameRing = (a: number[], b: number[]) => a.length === b.length && new Set(a.map((v) => v.toFixed(6))).size === new Set([...a, ...b].map((v) => v.toFixed(6))).size;
    assert.ok(sameRing(left.outer, before[0].outer), 'the untouched region is the old one');
    assert.equal(left.holes.length, 1);
    assert.ok(sameRing(left.holes[0], before[0].holes[0]), 'its hole too');
  });
});

describe('brush strokes in the click session on a very large image (working copy)', () => {
  // 8000x6000 = 48 MP: the host segments a working copy of about 5657x4242 (WORKING_PIXELS).
  const FULL = { width: 8000, height: 6000 };
  /** The object at full-image pixel (x, y), read as the webview's debug API reads it. */
  const maskAtFull = (s: SegmentState, x: number, y: number): number => {
    const m = s.mask!;
    const { box, grid } = m;
    if (x < box.x || y < box.y || x >= box.x + box.width || y >= box.y + box.height) return 0;
    return m.data[Math.floor(((y - box.y) * grid.height) / box.height) * grid.width + Math.floor(((x - box.x) * grid.width) / box.width)];
  };
  /** A full-image stroke drawn as brushTool.ts draws it: mapped onto the session's grid. */
  function strokeFull(s: SegmentState, st: BrushStroke, clickCount: number): BoxXYWH {
    const layer = s.startStrokes(FULL.width, FULL.height);
    const w = s.working!;
    const g: BrushStroke = { mode: st.mode, radius: toWorkingRadius(st.radius, w), points: toWorkingPoints(st.points, w) };
    const before = [layer.save(strokeBounds(g, { x: 0, y: 0, width: layer.width, height: layer.height })!)];
    const dirty = layer.draw(g)!;
    s.strokes.push({ stroke: st, clickCount, before });
    return dirty;
  }
  /** The host's answer to a click: a confident 40x40 square on a 100x100 box of the copy at (1000, 800). */
  function sampled(w: WorkingScale): { box: BoxXYWH; data: Uint8Array; sample: { width: number; height: number } } {
    const wb = { x: 1000, y: 800, width: 100, height: 100 };
    const data = new Uint8Array(100 * 100);
    for (let r = 30; r < 70; r++) for (let c = 30; c < 70; c++) data[r * 100 + c] = 230;
    return { box: toFullBox(wb, w), data, sample: { width: 100, height: 100 } };
  }

  it('draws the strokes on the copy\'s grid and keeps them on its results: a painted island, an erased notch', () => {
    const s = new SegmentState();
    const layer = s.startStrokes(FULL.width, FULL.height);
    const w = s.working!;
    assert.ok(w.width < FULL.width && w.width * w.height <= WORKING_PIXELS, `working copy ${w.width}x${w.height}`);
    assert.deepEqual([layer.width, layer.height], [w.width, w.height], 'the stroke layer is on the copy\'s grid, not 48 MB');
    s.result = sampled(w);
    s.resultClicks = 1;
    s.clicks = [{ x: 1485, y: 1272, positive: true }];
    // The square spans copy pixels 1030..1069 x 830..869, full pixels about 1457..1513 x 1174..1231.
    s.recompute();
    assert.equal(maskAtFull(s, 1485, 1200), 1, 'the model\'s square');
    assert.equal(maskAtFull(s, 2000, 1200), 0);
    strokeFull(s, { mode: 'paint', radius: 10, points: [2000, 1200, 2040, 1200] }, 1); // an island far off the result's box
    strokeFull(s, { mode: 'erase', radius: 6, points: [1485, 1150, 1485, 1190] }, 1); // a notch into the square's top
    s.recompute();
    assert.equal(s.options.keepLargest, true);
    assert.equal(maskAtFull(s, 2020, 1200), 1, 'painted, and kept through "keep largest region"');
    assert.equal(maskAtFull(s, 2020, 1215), 0, 'beyond the brush radius');
    assert.equal(maskAtFull(s, 1485, 1180), 0, 'erased');
    assert.equal(maskAtFull(s, 1465, 1180), 1, 'the square beside the notch');
    const m = s.mask!;
    assert.ok(m.grid.width < m.box.width, 'the mask stays on the copy\'s grid');
    // Traced in full-image pixels: the square and the island.
    s.recomputePolygon();
    assert.equal(s.poly!.regions.length, 2, 'the square and the island');
    const island = s.poly!.regions.map((r) => multiPolygonBBox([r])).find((b) => b[0] > 1900)!;
    assert.ok(Math.abs(island[0] - 1990) < 4 && Math.abs(island[2] - 2050) < 4 && Math.abs(island[1] - 1190) < 4 && Math.abs(island[3] - 1210) < 4, `island ${island}`);
    // The next click's answer (the model forgot both): the strokes stay the user's word.
    s.result = sampled(w);
    s.resultClicks = 2;
    s.recompute();
    assert.deepEqual([maskAtFull(s, 2020, 1200), maskAtFull(s, 1485, 1180)], [1, 0]);
  });

  it('updates only the stroked part of the copy\'s grid while dragging, then the full recompute agrees', () => {
    const s = new SegmentState();
    s.startStrokes(FULL.width, FULL.height);
    s.result = sampled(s.working!);
    s.resultClicks = 1;
    s.recompute();
    const rev = s.maskRevision;
    const dirty = strokeFull(s, { mode: 'paint', radius: 8, points: [1530, 1200, 1545, 1200] }, 1);
    s.strokeLive(dirty);
    assert.equal(s.maskRevision, rev, 'no full recompute inside the mask box');
    assert.deepEqual(s.liveDirty, dirty, 'the overlay repaints the stroke\'s box of the grid');
    assert.equal(maskAtFull(s, 1538, 1200), 1);
    const live = s.mask!.area;
    s.recompute();
    assert.ok(Math.abs(s.mask!.area - live) <= 2, `area ${live} live, ${s.mask!.area} recomputed`);
  });

  it('paints a new object from strokes alone, traced in full-image pixels', () => {
    const s = new SegmentState();
    strokeFull(s, { mode: 'paint', radius: 40, points: [5000, 3000, 5400, 3000] }, 0);
    s.recompute();
    assert.equal(maskAtFull(s, 5200, 3000), 1);
    assert.equal(s.poly!.regions.length, 1);
    const [x0, y0, x1, y1] = multiPolygonBBox(s.poly!.regions);
    assert.ok(Math.abs(x0 - 4960) < 4 && Math.abs(x1 - 5440) < 4 && Math.abs(y0 - 2960) < 4 && Math.abs(y1 - 3040) < 4, `${[x0, y0, x1, y1]}`);
  });
});
