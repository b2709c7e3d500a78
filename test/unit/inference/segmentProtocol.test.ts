import * as assert from 'node:assert/strict';
import { MAX_BRUSH_RADIUS, MAX_STROKE_POINTS } from '../../../src/shared/geometry/brush';
import { MAX_SEGMENT_CLICKS } from '../../../src/shared/inference/segmentProtocol';
import { parseWebviewMessage } from '../../../src/shared/protocol';

describe('click-segmentation messages (host-side validation)', () => {
  it('accepts well-formed messages and drops unknown fields', () => {
    const start = parseWebviewMessage({ type: 'segmentStart', session: 3, refineObjectId: null, extra: 'x' });
    assert.deepEqual(start, { ok: true, value: { type: 'segmentStart', session: 3, refineObjectId: null } });
    const refine = parseWebviewMessage({ type: 'segmentStart', session: 4, refineObjectId: 7 });
    assert.ok(refine.ok && refine.value.type === 'segmentStart' && refine.value.refineObjectId === 7);
    const clicks = parseWebviewMessage({ type: 'segmentClicks', session: 3, undo: false, clicks: [{ x: 1.5, y: 2, positive: true, z: 1 }] });
    assert.deepEqual(clicks, { ok: true, value: { type: 'segmentClicks', session: 3, undo: false, clicks: [{ x: 1.5, y: 2, positive: true }] } });
    assert.ok(parseWebviewMessage({ type: 'segmentClicks', session: 3, undo: true, clicks: [] }).ok, 'undo down to no clicks');
    assert.ok(parseWebviewMessage({ type: 'segmentEnd', session: 3 }).ok);
  });

  it('rejects malformed ones with a reason', () => {
    const bad: unknown[] = [
      { type: 'segmentStart', session: -1, refineObjectId: null },
      { type: 'segmentStart', session: 1.5, refineObjectId: null },
      { type: 'segmentStart', session: 1, refineObjectId: 'a' },
      { type: 'segmentClicks', session: 1, undo: 'no', clicks: [] },
      { type: 'segmentClicks', session: 1, undo: false, clicks: [] },
      { type: 'segmentClicks', session: 1, undo: false, clicks: [{ x: NaN, y: 0, positive: true }] },
      { type: 'segmentClicks', session: 1, undo: false, clicks: [{ x: 0, y: 0, positive: 1 }] },
      { type: 'segmentClicks', session: 1, undo: false, clicks: 'x' },
      { type: 'segmentClicks', session: 1, undo: false, clicks: Array.from({ length: MAX_SEGMENT_CLICKS + 1 }, () => ({ x: 0, y: 0, positive: true })) },
      { type: 'segmentEnd' },
    ];
    for (const m of bad) {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m).slice(0, 120));
      if (!r.ok) assert.ok(r.error.length > 0);
    }
  });
});

describe('brush stroke messages (host-side validation)', () => {
  it('accepts a stroke and an undo, dropping unknown fields', () => {
    const r = parseWebviewMessage({ type: 'segmentStroke', session: 2, stroke: { mode: 'erase', radius: 4.5, points: [1, 2, 3.5, 4], x: 1 }, y: 2 });
    assert.deepEqual(r, { ok: true, value: { type: 'segmentStroke', session: 2, stroke: { mode: 'erase', radius: 4.5, points: [1, 2, 3.5, 4] } } });
    assert.deepEqual(parseWebviewMessage({ type: 'segmentUndoStroke', session: 2 }), { ok: true, value: { type: 'segmentUndoStroke', session: 2 } });
  });

  it('rejects malformed strokes with a reason', () => {
    const good = { mode: 'paint', radius: 3, points: [1, 2] };
    const bad: unknown[] = [
      { type: 'segmentStroke', session: 1 },
      { type: 'segmentStroke', session: 1, stroke: { ...good, mode: 'smudge' } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, radius: 0 } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, radius: Infinity } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, radius: MAX_BRUSH_RADIUS + 1 } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, points: [] } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, points: [1, 2, 3] } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, points: [1, NaN] } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, points: [1, '2'] } },
      { type: 'segmentStroke', session: 1, stroke: { ...good, points: new Array(2 * MAX_STROKE_POINTS + 2).fill(1) } },
      { type: 'segmentStroke', session: -1, stroke: good },
      { type: 'segmentUndoStroke' },
    ];
    for (const m of bad) {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m).slice(0, 120));
      if (!r.ok) assert.ok(r.error.length > 0);
    }
  });
});
