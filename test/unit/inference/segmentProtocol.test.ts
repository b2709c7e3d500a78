import * as assert from 'node:assert/strict';
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
