import * as assert from 'node:assert/strict';
import type { MultiPolygonXY } from '../../../src/shared/annotation/types';
import { rasterizeMultiPolygon } from '../../../src/shared/geometry/polygon';
import { maskBounds, maskFromProbabilities, polygonizeProbabilities, polygonMaskIoU, previewProbabilities } from '../../../src/shared/inference/polygonize';
import { DEFAULT_MASK_OPTIONS, maskIoU, thresholdProbabilities } from '../../../src/shared/inference/postprocess';

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('polygonize speed-ups give the same answers', () => {
  it('maskBounds is the tight box of the non-zero pixels (any non-zero value), or null', () => {
    const w = 7, h = 5;
    const m = new Uint8Array(w * h);
    assert.equal(maskBounds(m, w, h), null);
    m[1 * w + 4] = 1;
    assert.deepEqual(maskBounds(m, w, h), { x: 4, y: 1, width: 1, height: 1 });
    m[3 * w + 1] = 255;
    m[3 * w + 6] = 2;
    assert.deepEqual(maskBounds(m, w, h), { x: 1, y: 1, width: 6, height: 3 });
    m[4 * w] = 1;
    assert.deepEqual(maskBounds(m, w, h), { x: 0, y: 1, width: 7, height: 4 });
  });

  it('polygonMaskIoU equals the IoU of the polygons rasterised on the whole grid', () => {
    const rnd = lcg(7);
    for (let k = 0; k < 60; k++) {
      const w = 20 + Math.floor(rnd() * 40), h = 15 + Math.floor(rnd() * 40);
      // A random blob mask and a random quadrilateral (partly outside the grid now and then).
      const mask = new Uint8Array(w * h);
      const cx = rnd() * w, cy = rnd() * h, rx = 1 + rnd() * w / 3, ry = 1 + rnd() * h / 3;
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) mask[r * w + c] = ((c + 0.5 - cx) / rx) ** 2 + ((r + 0.5 - cy) / ry) ** 2 < 1 ? 1 : 0;
      const q = (): number[] => [rnd() * w * 1.2 - 2, rnd() * h * 1.2 - 2];
      const [a, b, c, d] = [q(), q(), q(), q()];
      const regions: MultiPolygonXY = k % 5 === 0 ? [] : [{ outer: [...a, b[0], a[1], ...c, a[0], c[1]].map((v, i) => (i === 3 ? d[1] : v)), holes: [] }];
      const whole = maskIoU(rasterizeMultiPolygon(regions, w, h), mask);
      assert.equal(polygonMaskIoU(regions, mask, w, h), whole, `case ${k}`);
    }
  });

  it('the byte threshold table matches p/255 > t for every byte and threshold', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const t of [0, 0.01, 0.3, 0.5, 0.5 + 1e-9, 0.75, 0.999, 1]) {
      const got = thresholdProbabilities(all, t);
      for (let v = 0; v < 256; v++) assert.equal(got[v], v > t * 255 ? 1 : 0, `t=${t} v=${v}`);
    }
    assert.deepEqual(thresholdProbabilities(Float32Array.from([0.2, 0.5, 0.5000001, 1]), 0.5), Uint8Array.from([0, 0, 1, 1]));
  });
});

describe('mask of a probability box in one pass', () => {
  it('equals the threshold of the probabilities, with its area, at any threshold', () => {
    const rnd = lcg(3);
    const data = Uint8Array.from({ length: 5000 }, () => Math.floor(rnd() * 256));
    const p = { box: { x: 3, y: 4, width: 100, height: 50 }, data };
    for (const threshold of [0.05, 0.5, 0.73, 0.95]) {
      const { mask, area } = maskFromProbabilities(p, { threshold, keepLargest: false, fillHoles: false });
      const want = thresholdProbabilities(data, threshold);
      assert.deepEqual(mask, want);
      assert.equal(area, want.reduce((a, b) => a + b, 0));
    }
  });
});

describe('outline preview of a very large probability box', () => {
  it('keeps a small box as it is and averages a large one onto a grid of at most maxSamples', () => {
    const small = { box: { x: 0, y: 0, width: 4, height: 2 }, data: new Uint8Array(8) };
    assert.equal(previewProbabilities(small, 8), small);
    // 6x4 samples averaged onto 3x2: each coarse sample is the mean of a 2x2 block.
    const data = Uint8Array.from([
      0, 4, 10, 10, 255, 255,
      2, 6, 10, 11, 255, 0,
      100, 100, 0, 0, 1, 2,
      100, 101, 0, 0, 3, 4,
    ]);
    const p = previewProbabilities({ box: { x: 10, y: 20, width: 6, height: 4 }, data }, 6);
    assert.deepEqual(p.sample, { width: 3, height: 2 });
    assert.deepEqual(p.box, { x: 10, y: 20, width: 6, height: 4 });
    assert.deepEqual([...p.data], [3, 10, 191, 100, 0, 3]);
  });

  it('traces a large disk within a coarse sample of the exact outline, at full-resolution coordinates', () => {
    const W = 1500, H = 1000, cx = 700.5, cy = 480.25, R = 400;
    const data = new Uint8Array(W * H);
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const d = Math.hypot(c + 0.5 - cx, r + 0.5 - cy) - R;
        data[r * W + c] = Math.max(0, Math.min(255, Math.round(127.5 - d * 20)));
      }
    }
    const box = { x: 30, y: 40, width: W, height: H };
    const full = polygonizeProbabilities({ box, data }, DEFAULT_MASK_OPTIONS, 1);
    const coarse = previewProbabilities({ box, data }, 200_000);
    const g = coarse.sample!;
    assert.ok(g.width * g.height <= 200_000 && g.width * g.height > 150_000, `grid ${g.width}x${g.height}`);
    const pre = polygonizeProbabilities(coarse, DEFAULT_MASK_OPTIONS, 1);
    assert.equal(pre.regions.length, 1);
    assert.ok(Math.abs(pre.vertexCount - full.vertexCount) < full.vertexCount / 4, `${pre.vertexCount} vs ${full.vertexCount}`);
    const step = W / g.width;
    for (const ring of [full.regions[0].outer, pre.regions[0].outer]) {
      for (let i = 0; i < ring.length; i += 2) {
        const err = Math.abs(Math.hypot(ring[i] - box.x - cx, ring[i + 1] - box.y - cy) - R);
        assert.ok(err < step, `vertex ${i / 2} is ${err.toFixed(2)} px off the circle (coarse step ${step.toFixed(2)})`);
      }
    }
    assert.ok(Math.abs(pre.area - full.area) / full.area < 0.01);
  });
});
