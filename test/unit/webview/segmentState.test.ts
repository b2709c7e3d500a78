import * as assert from 'node:assert/strict';
import { multiPolygonBBox } from '../../../src/shared/geometry/polygon';
import { SegmentState } from '../../../src/webview/segment/segmentState';

describe('click tool state (webview)', () => {
  const box = { x: 10, y: 20, width: 8, height: 6 };
  const data = new Uint8Array(48);
  for (let r = 1; r < 5; r++) for (let c = 2; c < 6; c++) data[r * 8 + c] = 200;

  it('draws the mask first and traces the polygon after, never showing a stale outline', () => {
    const s = new SegmentState();
    s.result = { box, data };
    s.recomputeMask();
    assert.equal(s.mask?.area, 16);
    assert.equal(s.polygonFresh, false);
    s.recomputePolygon();
    assert.equal(s.polygonFresh, true);
    assert.equal(s.poly?.regions.length, 1);
    assert.equal(s.poly?.regions[0].outer[0] >= 10, true, 'image coordinates');
    // A new threshold: the mask changes at once, the old polygon is no longer fresh.
    s.options = { ...s.options, threshold: 0.9 };
    s.recomputeMask();
    assert.equal(s.mask?.area, 0);
    assert.equal(s.polygonFresh, false);
    s.recompute();
    assert.equal(s.poly?.regions.length, 0);
  });

  it('clears an object but keeps the options', () => {
    const s = new SegmentState();
    s.options = { ...s.options, tolerance: 2.5 };
    s.active = true;
    s.clicks = [{ x: 1, y: 1, positive: true }];
    s.result = { box, data };
    s.recompute();
    s.clear();
    assert.deepEqual([s.active, s.clicks.length, s.result, s.mask, s.poly, s.options.tolerance], [false, 0, null, null, null, 2.5]);
  });
});

describe('click tool defaults', () => {
  it('keeps the largest region and fills holes by default: one click, one polygon without stray fragments or pinholes', () => {
    // A 14x12 box: an 8x8 object with a 2x2 hole, and a 2x2 fragment apart from it.
    const W = 14, H = 12;
    const data = new Uint8Array(W * H);
    for (let r = 1; r < 9; r++) for (let c = 1; c < 9; c++) data[r * W + c] = 230;
    for (let r = 4; r < 6; r++) for (let c = 4; c < 6; c++) data[r * W + c] = 0;
    for (let r = 9; r < 11; r++) for (let c = 11; c < 13; c++) data[r * W + c] = 230;
    const s = new SegmentState();
    assert.deepEqual([s.options.keepLargest, s.options.fillHoles], [true, true]);
    s.result = { box: { x: 0, y: 0, width: W, height: H }, data };
    s.recompute();
    assert.equal(s.mask?.area, 64);
    assert.equal(s.poly?.regions.length, 1);
    assert.equal(s.poly?.regions[0].holes.length, 0);
    // The user's choice holds for the session's later objects (clear keeps the options).
    s.options = { ...s.options, keepLargest: false, fillHoles: false };
    s.recompute();
    assert.equal(s.mask?.area, 60 + 4);
    assert.equal(s.poly?.regions.length, 2);
    assert.equal(s.poly?.regions[0].holes.length + s.poly!.regions[1].holes.length, 1);
    s.clear();
    assert.deepEqual([s.options.keepLargest, s.options.fillHoles], [false, false]);
  });
});

describe('click tool state on a very large box', () => {
  it('shows a coarse outline while clicking and traces exactly when asked (finish)', () => {
    const W = 1200, H = 1000;
    const data = new Uint8Array(W * H);
    for (let r = 100; r < 900; r++) data.fill(220, r * W + 150, r * W + 1050);
    const s = new SegmentState();
    s.result = { box: { x: 5, y: 7, width: W, height: H }, data };
    s.recomputeMask();
    s.recomputePolygon(true);
    assert.equal(s.polygonFresh, true);
    assert.equal(s.polyPreview, true);
    assert.equal(s.poly?.area, 800 * 900, 'the area is the exact mask area');
    assert.equal(s.poly?.mask, s.mask?.data);
    // A preview of the same revision is not traced again; an exact trace replaces it.
    const preview = s.poly;
    s.recomputePolygon(true);
    assert.equal(s.poly, preview);
    s.recomputePolygon();
    assert.equal(s.polyPreview, false);
    assert.notEqual(s.poly, preview);
    assert.equal(s.poly?.iou, 1);
    const [x0, y0, x1, y1] = multiPolygonBBox(s.poly!.regions);
    for (const [got, want] of [[x0, 155], [y0, 107], [x1, 1055], [y1, 907]]) assert.ok(Math.abs(got - want) <= 0.5, `${got} vs ${want}`);
    // An exact polygon also serves as the preview.
    const exact = s.poly;
    s.recomputePolygon(true);
    assert.equal(s.poly, exact);
  });
});

describe('automatic threshold on the first click', () => {
  // One click on a large object: a confident core (p 0.94) in a wide band at p 0.35.
  const W = 40, H = 30;
  const data = new Uint8Array(W * H);
  for (let r = 3; r < 27; r++) data.fill(90, r * W + 4, r * W + 36);
  for (let r = 12; r < 18; r++) data.fill(240, r * W + 16, r * W + 24);
  const result = () => ({ box: { x: 0, y: 0, width: W, height: H }, data });
  const click = (x: number) => ({ x, y: 15, positive: true });

  it('takes the unsure band on a new object\'s first click, then goes back to the slider', () => {
    const s = new SegmentState();
    assert.equal(s.options.autoFirst, true);
    s.active = true;
    s.clicks = [click(20)];
    s.result = result();
    s.resultClicks = 1;
    s.recompute();
    assert.ok(s.autoThreshold !== null && s.autoThreshold < 0.36, String(s.autoThreshold));
    assert.equal(s.threshold, s.autoThreshold);
    assert.equal(s.mask?.area, 24 * 32, 'the whole band');
    assert.ok(s.poly && s.poly.area === 24 * 32);
    // Click 2 sent, its result not back yet: the first click's result keeps its automatic value.
    s.clicks = [click(20), click(10)];
    s.recompute();
    assert.equal(s.mask?.area, 24 * 32);
    // Click 2's result (the same probabilities, for the test): the slider's 0.5 again, only the core.
    s.result = result();
    s.resultClicks = 2;
    s.recompute();
    assert.equal(s.autoThreshold, null);
    assert.equal(s.threshold, 0.5);
    assert.equal(s.mask?.area, 6 * 8);
  });

  it('is off when refining an existing object or when the user turns it off', () => {
    const s = new SegmentState();
    s.active = true;
    s.refineId = 7;
    s.clicks = [click(20)];
    s.result = result();
    s.resultClicks = 1;
    s.recompute();
    assert.equal(s.autoThreshold, null);
    assert.equal(s.mask?.area, 6 * 8);
    s.refineId = null;
    s.options = { ...s.options, autoFirst: false };
    s.recompute();
    assert.equal(s.mask?.area, 6 * 8);
    s.options = { ...s.options, autoFirst: true };
    s.recompute();
    assert.equal(s.mask?.area, 24 * 32, 'turned back on for the same result');
    s.clear();
    assert.equal(s.autoThreshold, null);
  });
});
