import * as assert from 'node:assert/strict';
import { OverrideLayer, strokeBounds, type BrushStroke } from '../../../src/shared/geometry/brush';
import { multiPolygonArea, reverseRing } from '../../../src/shared/geometry/polygon';
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
