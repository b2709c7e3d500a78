import * as assert from 'node:assert/strict';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { rasterizeMultiPolygon, ringSignedArea } from '../../../src/shared/geometry/polygon';
import { multiPolygonVertexCount, simplifyMultiPolygon, simplifyRing } from '../../../src/shared/geometry/simplify';
import { labelComponents } from '../../../src/shared/geometry/components';
import { assertGolden } from '../helpers/golden';
import { randomMask, readAsciiMask } from '../helpers/masks';

const FIXTURES = [
  'square-with-hole', 'two-parts-diagonal', 'nested-island', 'blob-touching-border', 'single-pixels', 'saddle', 'disk',
];

function round(regions: ReturnType<typeof maskToPolygons>): unknown {
  const r = (ring: number[]) => ring.map((v) => Math.round(v * 1e4) / 1e4);
  return regions.map((g) => ({ outer: r(g.outer), holes: g.holes.map(r) }));
}

describe('contours (marching squares)', () => {
  for (const name of FIXTURES) {
    it(`traces ${name} like the golden file and rasterises back to the same mask`, () => {
      const m = readAsciiMask(`contours/${name}.txt`);
      const polys = maskToPolygons(m.data, m.width, m.height);
      assertGolden(`contours/${name}.json`, JSON.stringify(round(polys), null, 1) + '\n');
      assert.deepEqual(rasterizeMultiPolygon(polys, m.width, m.height), m.data);
    });
  }

  it('orients outer rings clockwise on screen and holes counter-clockwise', () => {
    const m = readAsciiMask('contours/square-with-hole.txt');
    const [region] = maskToPolygons(m.data, m.width, m.height);
    assert.ok(ringSignedArea(region.outer) > 0);
    assert.equal(region.holes.length, 1);
    assert.ok(ringSignedArea(region.holes[0]) < 0);
    // The 8x7 block's midpoint contour cuts a 1/8 px triangle off each corner.
    assert.equal(ringSignedArea(region.outer), 8 * 7 - 4 * 0.125);
    // The 4x3 hole's contour loses the same corner triangles.
    assert.equal(-ringSignedArea(region.holes[0]), 4 * 3 - 4 * 0.125);
  });

  it('keeps an island inside a hole as its own region', () => {
    const m = readAsciiMask('contours/nested-island.txt');
    const polys = maskToPolygons(m.data, m.width, m.height);
    assert.equal(polys.length, 3);
    assert.deepEqual(polys.map((p) => p.holes.length).sort(), [0, 1, 1]);
  });

  it('gives one region per 8-connected component on random masks, and rasterises back exactly', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const w = 17 + (seed % 13), h = 11 + (seed % 7);
      const m = randomMask(w, h, seed, 0.05);
      const polys = maskToPolygons(m, w, h);
      assert.equal(polys.length, labelComponents(m, w, h, 8).count, `seed ${seed}`);
      assert.deepEqual(rasterizeMultiPolygon(polys, w, h), m, `seed ${seed}`);
    }
  });

  it('places vertices at the threshold crossing of the probabilities', () => {
    // One row: probabilities 0.9 | 0.1 -> the crossing at 0.5 is halfway; 0.9 | 0.3 -> 2/3 of the way.
    const w = 2, h = 1;
    const mask = Uint8Array.from([1, 0]);
    const a = maskToPolygons(mask, w, h, { values: Float32Array.from([0.9, 0.1]), threshold: 0.5 });
    const b = maskToPolygons(mask, w, h, { values: Float32Array.from([0.9, 0.3]), threshold: 0.5 });
    const maxX = (p: typeof a) => Math.max(...p[0].outer.filter((_, i) => i % 2 === 0));
    assert.ok(Math.abs(maxX(a) - 1.0) < 1e-6, `got ${maxX(a)}`);
    assert.ok(Math.abs(maxX(b) - (0.5 + 2 / 3)) < 1e-6, `got ${maxX(b)}`);
    // 8-bit probabilities behave the same.
    const c = maskToPolygons(mask, w, h, { values: Uint8Array.from([230, 77]), threshold: 0.5 });
    assert.ok(Math.abs(maxX(c) - (0.5 + (230 - 127.5) / (230 - 77))) < 1e-9);
  });

  it('returns no regions for an empty mask', () => {
    assert.deepEqual(maskToPolygons(new Uint8Array(12), 4, 3), []);
  });
});

describe('simplify (Douglas-Peucker)', () => {
  it('matches the golden output for the disk at tolerances 0.5, 1 and 2', () => {
    const m = readAsciiMask('contours/disk.txt');
    const polys = maskToPolygons(m.data, m.width, m.height);
    const out: Record<string, unknown> = {};
    for (const tol of [0.5, 1, 2]) out[String(tol)] = round(simplifyMultiPolygon(polys, tol));
    assertGolden('contours/disk-simplified.json', JSON.stringify(out, null, 1) + '\n');
  });

  it('never moves the outline by more than the tolerance and reduces vertices monotonically', () => {
    const m = readAsciiMask('contours/disk.txt');
    const ring = maskToPolygons(m.data, m.width, m.height)[0].outer;
    let prev = ring.length;
    for (const tol of [0.25, 0.5, 1, 2, 4]) {
      const s = simplifyRing(ring, tol);
      assert.ok(s.length <= prev);
      prev = s.length;
      // Every original vertex is within tol of the simplified ring.
      for (let i = 0; i < ring.length; i += 2) {
        let best = Infinity;
        for (let j = 0; j < s.length; j += 2) {
          const k = (j + 2) % s.length;
          const ax = s[j], ay = s[j + 1], bx = s[k], by = s[k + 1];
          const dx = bx - ax, dy = by - ay;
          const t = Math.max(0, Math.min(1, ((ring[i] - ax) * dx + (ring[i + 1] - ay) * dy) / (dx * dx + dy * dy)));
          best = Math.min(best, Math.hypot(ax + t * dx - ring[i], ay + t * dy - ring[i + 1]));
        }
        assert.ok(best <= tol + 1e-9, `tol ${tol}: vertex ${i / 2} is ${best} away`);
      }
    }
  });

  it('drops regions that collapse and counts vertices', () => {
    const m = readAsciiMask('contours/single-pixels.txt');
    const polys = maskToPolygons(m.data, m.width, m.height);
    assert.equal(multiPolygonVertexCount(polys), 4 * polys.length);
    assert.equal(simplifyMultiPolygon(polys, 0.8).length, 0);
    assert.equal(simplifyMultiPolygon(polys, 0).length, polys.length);
  });
});
