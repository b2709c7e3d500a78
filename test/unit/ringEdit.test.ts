import * as assert from 'node:assert/strict';
import { deleteVertex, getRing, hitEdge, hitShape, hitVertex, insertVertex, moveVertex } from '../../src/shared/annotation/ringEdit';
import type { MultiPolygonXY } from '../../src/shared/annotation/types';

const shape = (): MultiPolygonXY => [
  { outer: [0, 0, 10, 0, 10, 10, 0, 10], holes: [[3, 3, 6, 3, 6, 6]] },
  { outer: [20, 0, 30, 0, 25, 8], holes: [] },
];

describe('ring edits', () => {
  it('moves, inserts and deletes vertices without mutating the input', () => {
    const s = shape();
    const frozen = JSON.stringify(s);
    assert.deepEqual(getRing(moveVertex(s, { region: 0, ring: -1, index: 2 }, 12, 11), { region: 0, ring: -1 }), [0, 0, 10, 0, 12, 11, 0, 10]);
    assert.deepEqual(getRing(moveVertex(s, { region: 0, ring: 0, index: 0 }, 2, 2), { region: 0, ring: 0 }), [2, 2, 6, 3, 6, 6]);
    assert.deepEqual(getRing(insertVertex(s, { region: 0, ring: -1 }, 3, 0, 5), { region: 0, ring: -1 }), [0, 0, 10, 0, 10, 10, 0, 10, 0, 5]);
    assert.deepEqual(getRing(insertVertex(s, { region: 1, ring: -1 }, 0, 25, 0), { region: 1, ring: -1 }), [20, 0, 25, 0, 30, 0, 25, 8]);
    assert.deepEqual(getRing(deleteVertex(s, { region: 0, ring: -1, index: 1 })!, { region: 0, ring: -1 }), [0, 0, 10, 10, 0, 10]);
    assert.equal(JSON.stringify(s), frozen);
  });

  it('removes a hole or a region that would drop below 3 vertices, and reports an emptied object', () => {
    const noHole = deleteVertex(shape(), { region: 0, ring: 0, index: 1 })!;
    assert.deepEqual(noHole[0].holes, []);
    const oneRegion = deleteVertex(shape(), { region: 1, ring: -1, index: 0 })!;
    assert.equal(oneRegion.length, 1);
    assert.equal(deleteVertex([{ outer: [0, 0, 1, 0, 0, 1], holes: [] }], { region: 0, ring: -1, index: 0 }), null);
  });

  it('throws on bad references', () => {
    assert.throws(() => moveVertex(shape(), { region: 5, ring: -1, index: 0 }, 0, 0), /no vertex/);
    assert.throws(() => insertVertex(shape(), { region: 0, ring: -1 }, 9, 0, 0), /no edge/);
  });

  it('hit-tests vertices, edges and shapes within a radius', () => {
    assert.deepEqual(hitVertex(shape(), 10.5, 9.5, 1), { region: 0, ring: -1, index: 2, distance: Math.hypot(0.5, 0.5) });
    assert.equal(hitVertex(shape(), 5, 5, 0.5), undefined);
    const hv = hitVertex(shape(), 6.2, 6.1, 1);
    assert.equal(hv?.ring, 0, 'hole vertices are hit too');
    const e = hitEdge(shape(), 5, -0.5, 1);
    assert.deepEqual([e?.region, e?.ring, e?.edge, e?.x, e?.y], [0, -1, 0, 5, 0]);
    assert.equal(hitEdge(shape(), 5, -2, 1), undefined);
    assert.ok(hitShape(shape(), 1, 1, 0.1));
    assert.ok(!hitShape(shape(), 4.5, 3.8, 0.1), 'inside the hole');
    assert.ok(hitShape(shape(), 10.5, 5, 1), 'near the outline');
  });
});
