import * as assert from 'node:assert/strict';
import type { RegionXY } from '../../src/shared/annotation/types';
import {
  bboxToXYWH,
  isClockwise,
  multiPolygonArea,
  multiPolygonBBox,
  nearestEdge,
  pointInMultiPolygon,
  pointInRegion,
  pointInRing,
  pointToSegment,
  rasterizeMultiPolygon,
  regionArea,
  reverseRing,
  ringArea,
  ringSignedArea,
  translateMultiPolygon,
} from '../../src/shared/geometry/polygon';

const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];

function rows(m: Uint8Array, w: number): string[] {
  const out: string[] = [];
  for (let y = 0; y < m.length / w; y++) out.push([...m.subarray(y * w, y * w + w)].map((v) => (v ? '#' : '.')).join(''));
  return out;
}

describe('polygon geometry', () => {
  it('computes ring area and orientation (positive = clockwise on screen, y down)', () => {
    const sq = square(0, 0, 10); // (0,0)->(10,0)->(10,10): right then down = clockwise on screen
    assert.equal(ringSignedArea(sq), 100);
    assert.ok(isClockwise(sq));
    assert.equal(ringSignedArea(reverseRing(sq)), -100);
    assert.equal(ringArea(reverseRing(sq)), 100);
    assert.equal(ringArea([0, 0, 4, 0, 0, 3]), 6);
  });

  it('subtracts holes and sums regions', () => {
    const region: RegionXY = { outer: square(0, 0, 10), holes: [square(2, 2, 3), square(6, 6, 2)] };
    assert.equal(regionArea(region), 100 - 9 - 4);
    assert.equal(multiPolygonArea([region, { outer: square(20, 0, 5), holes: [] }]), 87 + 25);
  });

  it('tests points against rings, holes and multipolygons', () => {
    const region: RegionXY = { outer: square(0, 0, 10), holes: [square(2, 2, 3)] };
    assert.ok(pointInRing(1, 1, region.outer));
    assert.ok(!pointInRing(11, 1, region.outer));
    assert.ok(pointInRegion(1, 1, region));
    assert.ok(!pointInRegion(3, 3, region), 'inside the hole');
    assert.ok(pointInRegion(7, 7, region));
    const concave = [0, 0, 10, 0, 10, 10, 5, 5, 0, 10]; // notch from the bottom
    assert.ok(pointInRing(5, 2, concave));
    assert.ok(!pointInRing(5, 8, concave));
    assert.ok(pointInMultiPolygon(21, 1, [region, { outer: square(20, 0, 5), holes: [] }]));
  });

  it('computes boxes', () => {
    const b = multiPolygonBBox([{ outer: [1, 2, 5, 3, 4, 9], holes: [] }, { outer: square(10, 10, 1), holes: [] }]);
    assert.deepEqual(b, [1, 2, 11, 11]);
    assert.deepEqual(bboxToXYWH(b), [1, 2, 10, 9]);
    assert.deepEqual(bboxToXYWH(multiPolygonBBox([])), [0, 0, 0, 0]);
  });

  it('measures point-to-segment distance and finds the nearest edge', () => {
    const p = pointToSegment(5, 5, 0, 0, 10, 0);
    assert.equal(p.distance, 5);
    assert.equal(p.t, 0.5);
    assert.equal(pointToSegment(-3, 4, 0, 0, 10, 0).distance, 5, 'clamped to the start');
    assert.equal(pointToSegment(1, 1, 2, 2, 2, 2).distance, Math.SQRT2, 'degenerate segment');
    const e = nearestEdge(square(0, 0, 10), 10.5, 4);
    assert.equal(e?.edge, 1);
    assert.equal(e?.x, 10);
    assert.equal(e?.y, 4);
    const closing = nearestEdge(square(0, 0, 10), -1, 5);
    assert.equal(closing?.edge, 3, 'the implicit closing edge counts');
  });

  it('rasterises by pixel centres', () => {
    const m = rasterizeMultiPolygon([{ outer: square(1, 1, 2), holes: [] }], 4, 4);
    assert.deepEqual(rows(m, 4), ['....', '.##.', '.##.', '....']);
    // A vertex at a pixel centre: half-open spans, (x in [xa, xb)) -> [0.5, 2.5) covers centres 0.5,1.5
    const m2 = rasterizeMultiPolygon([{ outer: [0.5, 0.5, 2.5, 0.5, 2.5, 1.5, 0.5, 1.5], holes: [] }], 4, 2);
    assert.deepEqual(rows(m2, 4), ['##..', '....']);
  });

  it('rasterises holes and multiple regions (even-odd per region), clipped to the image', () => {
    const regions = [
      { outer: square(0, 0, 5), holes: [square(1, 1, 3)] },
      { outer: square(6, 3, 4), holes: [] },
    ];
    const m = rasterizeMultiPolygon(regions, 8, 6);
    assert.deepEqual(rows(m, 8), ['#####...', '#...#...', '#...#...', '#...#.##', '#####.##', '......##']);
    let count = 0;
    for (const v of rasterizeMultiPolygon([{ outer: square(0, 0, 10), holes: [square(2, 2, 3)] }], 10, 10)) count += v;
    assert.equal(count, 91, 'pixel count equals area for integer geometry');
  });

  it('nonzero needs opposite hole orientation; even-odd does not care', () => {
    const outer = square(0, 0, 4);
    const sameDir = [{ outer, holes: [square(1, 1, 2)] }];
    const oppDir = [{ outer, holes: [reverseRing(square(1, 1, 2))] }];
    const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    assert.equal(count(rasterizeMultiPolygon(sameDir, 4, 4)), 12);
    assert.equal(count(rasterizeMultiPolygon(oppDir, 4, 4)), 12);
    assert.equal(count(rasterizeMultiPolygon(sameDir, 4, 4, 'nonzero')), 16);
    assert.equal(count(rasterizeMultiPolygon(oppDir, 4, 4, 'nonzero')), 12);
  });

  it('rasterises a triangle with sloped edges like a centre-sampling reference', () => {
    const tri = [0.3, 0.2, 9.7, 3.1, 2.2, 8.9];
    const m = rasterizeMultiPolygon([{ outer: tri, holes: [] }], 10, 10);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 10; x++) assert.equal(m[y * 10 + x] === 1, pointInRing(x + 0.5, y + 0.5, tri), `pixel ${x},${y}`);
    }
  });

  it('translates', () => {
    assert.deepEqual(translateMultiPolygon([{ outer: [0, 0, 1, 0, 0, 1], holes: [[0, 0, 0, 0, 0, 0]] }], 2, 3), [
      { outer: [2, 3, 3, 3, 2, 4], holes: [[2, 3, 2, 3, 2, 3]] },
    ]);
  });
});
