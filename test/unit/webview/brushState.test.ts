import * as assert from 'node:assert/strict';
import { OverrideLayer, strokeBounds, type BrushStroke } from '../../../src/shared/geometry/brush';
import { multiPolygonArea } from '../../../src/shared/geometry/polygon';
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
