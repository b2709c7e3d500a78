import * as assert from 'node:assert/strict';
import { fillHoles, keepLargestRegion, labelComponents } from '../../../src/shared/geometry/components';
import { readAsciiMask } from '../helpers/masks';

describe('components', () => {
  it('labels 8-connected object regions (diagonal pixels join) and 4-connected on request', () => {
    const m = readAsciiMask('contours/two-parts-diagonal.txt');
    const l8 = labelComponents(m.data, m.width, m.height, 8);
    const l4 = labelComponents(m.data, m.width, m.height, 4);
    assert.equal(l8.count, 1);
    assert.equal(l4.count, 4);
    assert.equal(l8.areas[1], 12);
  });

  it('keeps the largest region only', () => {
    const m = readAsciiMask('contours/nested-island.txt');
    const k = keepLargestRegion(m.data, m.width, m.height);
    const l = labelComponents(k, m.width, m.height);
    assert.equal(l.count, 1);
    assert.equal(l.areas[1], 11 * 2 + 7 * 2); // the outer frame
    assert.equal(k[4 * m.width + 5], 0, 'the island is gone');
    assert.equal(keepLargestRegion(new Uint8Array(4), 2, 2).reduce((a, b) => a + b, 0), 0);
  });

  it('fills holes but not background that touches the border', () => {
    const m = readAsciiMask('contours/square-with-hole.txt');
    const f = fillHoles(m.data, m.width, m.height);
    assert.equal(f[4 * m.width + 4], 1);
    assert.equal(f[0], 0);
    assert.equal(f.reduce((a, b) => a + b, 0), 8 * 7);
    const open = readAsciiMask('contours/blob-touching-border.txt');
    assert.deepEqual(fillHoles(open.data, open.width, open.height), open.data);
  });
});
