import * as assert from 'node:assert/strict';
import { rasterizeMultiPolygon } from '../../../src/shared/geometry/polygon';
import { polygonizeProbabilities } from '../../../src/shared/inference/polygonize';
import { parseAsciiMask } from '../helpers/masks';

describe('polygonize (probabilities -> object polygons)', () => {
  // Two blobs (the larger with a hole) with soft probabilities: 230 inside, 40 outside.
  const art = [
    '..........',
    '.######...',
    '.#....#...',
    '.#....#.#.',
    '.######.#.',
    '..........',
  ].join('\n');
  const m = parseAsciiMask(art);
  const data = m.data.map((v) => (v ? 230 : 40));
  const box = { x: 100, y: 50, width: m.width, height: m.height };

  it('keeps every part and hole by default, in image coordinates, exactly at tolerance 0', () => {
    const p = polygonizeProbabilities({ box, data }, { threshold: 0.5, keepLargest: false, fillHoles: false }, 0);
    assert.equal(p.regions.length, 2);
    assert.equal(p.regions.find((r) => r.holes.length === 1)?.holes.length, 1);
    assert.equal(p.area, 18);
    assert.equal(p.iou, 1);
    // Back in box coordinates the polygons rasterise to the mask.
    const local = p.regions.map((r) => ({
      outer: r.outer.map((v, i) => v - (i % 2 ? box.y : box.x)),
      holes: r.holes.map((h) => h.map((v, i) => v - (i % 2 ? box.y : box.x))),
    }));
    assert.deepEqual(rasterizeMultiPolygon(local, m.width, m.height), m.data);
  });

  it('applies keep-largest, hole filling and the threshold live', () => {
    const largest = polygonizeProbabilities({ box, data }, { threshold: 0.5, keepLargest: true, fillHoles: true }, 0);
    assert.equal(largest.regions.length, 1);
    assert.equal(largest.regions[0].holes.length, 0);
    assert.equal(largest.area, 24);
    const none = polygonizeProbabilities({ box, data }, { threshold: 0.95, keepLargest: false, fillHoles: false }, 0);
    assert.equal(none.regions.length, 0);
    assert.equal(none.area, 0);
  });

  it('reports the vertex count and the IoU cost of simplification', () => {
    const w = 60, h = 40;
    const d = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) d[r * w + c] = (c - 30) ** 2 / 625 + (r - 20) ** 2 / 225 < 1 ? 255 : 0;
    const exact = polygonizeProbabilities({ box: { x: 0, y: 0, width: w, height: h }, data: d }, { threshold: 0.5, keepLargest: false, fillHoles: false }, 0);
    const coarse = polygonizeProbabilities({ box: { x: 0, y: 0, width: w, height: h }, data: d }, { threshold: 0.5, keepLargest: false, fillHoles: false }, 3);
    assert.equal(exact.iou, 1);
    assert.ok(coarse.vertexCount < exact.vertexCount / 3, `${coarse.vertexCount} vs ${exact.vertexCount}`);
    assert.ok(coarse.iou < 1 && coarse.iou > 0.9, `IoU ${coarse.iou}`);
  });

  it('handles an empty box', () => {
    const p = polygonizeProbabilities({ box: { x: 0, y: 0, width: 0, height: 0 }, data: new Uint8Array(0) }, { threshold: 0.5, keepLargest: true, fillHoles: true }, 1);
    assert.deepEqual([p.regions.length, p.vertexCount, p.iou, p.area], [0, 0, 1, 0]);
  });
});
