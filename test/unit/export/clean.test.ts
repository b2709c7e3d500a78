import * as assert from 'node:assert/strict';
import { cleanRegions, rasterToCounts, rasterizeObject, ringSelfIntersects } from '../../../src/shared/export/clean';
import { countsToString, maskToCounts } from '../../../src/shared/formats/rle';
import { rasterizeMultiPolygon } from '../../../src/shared/geometry/polygon';
import { rng } from '../helpers/masks';

describe('export geometry cleaning', () => {
  it('detects self-intersections, not touching neighbours', () => {
    assert.equal(ringSelfIntersects([0, 0, 10, 10, 10, 0, 0, 10]), true);
    assert.equal(ringSelfIntersects([0, 0, 10, 0, 10, 10, 0, 10]), false);
    // A ring that touches itself at a vertex counts as self-intersecting.
    assert.equal(ringSelfIntersects([0, 0, 4, 0, 2, 2, 4, 4, 0, 4, 2, 2]), true);
  });

  it('repairs a bow-tie into valid polygons with the same pixels', () => {
    const bowtie = [{ outer: [4, 4, 28, 28, 28, 4, 4, 28], holes: [] }];
    const r = cleanRegions(bowtie, 32, 32);
    assert.equal(r.repaired, true);
    assert.ok(r.regions.length === 2);
    for (const reg of r.regions) assert.equal(ringSelfIntersects(reg.outer), false);
    assert.deepEqual(rasterizeMultiPolygon(r.regions, 32, 32), rasterizeMultiPolygon(bowtie, 32, 32));
  });

  it('drops degenerate rings and keeps the rest', () => {
    const r = cleanRegions(
      [
        { outer: [1, 1, 5, 5, 9, 9], holes: [] },
        { outer: [0, 0, 10, 0, 10, 10, 0, 10, 0, 0], holes: [[2, 2, 3, 3, 2, 2]] },
      ],
      20,
      20,
    );
    assert.equal(r.degenerateRings, 2);
    assert.equal(r.repaired, false);
    assert.deepEqual(r.regions, [{ outer: [0, 0, 10, 0, 10, 10, 0, 10], holes: [] }]);
  });

  it('rasterises into a crop with pixel area and tight box', () => {
    const r = rasterizeObject([{ outer: [2.5, 3, 20.25, 3, 20.25, 14.5, 2.5, 14.5], holes: [] }], 48, 32);
    // Pixel centres 2.5..19.5 (18 columns; x = 2.5 lies on the left edge, which is inside)
    // x 3.5..13.5 (11 rows; y = 14.5 on the bottom edge is outside: spans are half-open).
    assert.deepEqual(r.bbox, [2, 3, 18, 11]);
    assert.equal(r.area, 18 * 11);
  });

  it('clips objects that leave the image', () => {
    const r = rasterizeObject([{ outer: [-10, -10, 5, -10, 5, 5, -10, 5], holes: [] }], 8, 8);
    assert.deepEqual(r.bbox, [0, 0, 5, 5]);
    assert.equal(r.area, 25);
  });

  it('crop run lengths equal the full-mask run lengths (random objects)', () => {
    const rand = rng(42);
    for (let t = 0; t < 50; t++) {
      const w = 5 + Math.floor(rand() * 40), h = 5 + Math.floor(rand() * 40);
      const ring: number[] = [];
      for (let k = 0; k < 3 + Math.floor(rand() * 8); k++) ring.push(rand() * w * 1.2 - 2, rand() * h * 1.2 - 2);
      const regions = [{ outer: ring, holes: [] }];
      const crop = rasterizeObject(regions, w, h);
      const full = rasterizeMultiPolygon(regions, w, h);
      assert.deepEqual(rasterToCounts(crop, w, h), maskToCounts(full, w, h));
    }
  });

  it('matches a hand-encoded COCO RLE string', () => {
    // 4x3 image, object covering columns 1..2 of rows 0..1: column-major runs 3 zeros, 2 ones,
    // 1 zero, 2 ones, 4 zeros -> counts [3,2,1,2,4] -> "321", then from the fourth count on the
    // difference to the count two places earlier: 2-2=0 ('0'), 4-1=3 ('3').
    const r = rasterizeObject([{ outer: [1, 0, 3, 0, 3, 2, 1, 2], holes: [] }], 4, 3);
    const counts = rasterToCounts(r, 4, 3);
    assert.deepEqual(counts, [3, 2, 1, 2, 4]);
    assert.equal(countsToString(counts), '32103');
  });
});
