import * as assert from 'node:assert/strict';
import { groundTruthFromMask, iouWithGroundTruth, NocClicker, squaredDistanceTransform } from '../../../src/shared/clicker';
import { maskEdge, maskIoU, probabilitiesToMask, thresholdProbabilities } from '../../../src/shared/inference/postprocess';
import { randomMask } from '../helpers/masks';

function bruteEdt(m: Uint8Array, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (!m[r * w + c]) continue;
      let best = Infinity;
      // Padding: the ring just outside the image is background.
      for (let rr = -1; rr <= h; rr++) {
        for (let cc = -1; cc <= w; cc++) {
          const bg = rr < 0 || cc < 0 || rr >= h || cc >= w || !m[rr * w + cc];
          if (bg) best = Math.min(best, (rr - r) ** 2 + (cc - c) ** 2);
        }
      }
      out[r * w + c] = best;
    }
  }
  return out;
}

describe('NoC clicker', () => {
  it('computes the exact squared EDT with a background border', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const w = 9 + seed, h = 7 + (seed % 5);
      const m = randomMask(w, h, seed, 0.05);
      assert.deepEqual(squaredDistanceTransform(m, w, h), bruteEdt(m, w, h), `seed ${seed}`);
    }
  });

  it('puts the first click at the object pixel farthest from the boundary (first in row-major order on ties)', () => {
    const w = 12, h = 9;
    const v = new Uint8Array(w * h);
    for (let r = 1; r <= 7; r++) for (let c = 2; c <= 10; c++) v[r * w + c] = 255; // 9 x 7 block
    const clicker = new NocClicker(groundTruthFromMask(v, w, h));
    // Row 4 is the middle row; columns 5..7 are all 4 px (squared 16) from the top/bottom.
    assert.deepEqual(clicker.next(new Uint8Array(w * h)), { x: 5.5, y: 4.5, positive: true });
  });

  it('clicks negative in the larger false-positive region, ignores value-128 pixels and clicked pixels', () => {
    const w = 20, h = 10;
    const v = new Uint8Array(w * h);
    for (let r = 2; r < 8; r++) for (let c = 2; c < 6; c++) v[r * w + c] = 255;
    for (let r = 0; r < h; r++) v[r * w + 6] = 128;
    const gt = groundTruthFromMask(v, w, h);
    const pred = new Uint8Array(w * h);
    for (let r = 2; r < 8; r++) for (let c = 2; c < 6; c++) pred[r * w + c] = 1; // object right
    for (let r = 1; r < 9; r++) for (let c = 10; c < 17; c++) pred[r * w + c] = 1; // big false positive
    for (let r = 0; r < h; r++) pred[r * w + 6] = 1; // on the ignore band: no error
    const clicker = new NocClicker(gt);
    const c1 = clicker.next(pred)!;
    assert.equal(c1.positive, false);
    assert.ok(c1.x >= 10 && c1.x < 17 && c1.y >= 1 && c1.y < 9);
    const c2 = clicker.next(pred)!;
    assert.notDeepEqual([c2.x, c2.y], [c1.x, c1.y]);
    assert.ok(Math.abs(iouWithGroundTruth(pred, gt) - 24 / (24 + 56)) < 1e-12);
  });

  it('breaks fn/fp ties toward a positive click', () => {
    const w = 10, h = 3;
    const v = new Uint8Array(w * h);
    v[1 * w + 2] = 255;
    const pred = new Uint8Array(w * h);
    pred[1 * w + 7] = 1;
    assert.equal(new NocClicker(groundTruthFromMask(v, w, h)).next(pred)!.positive, true);
  });
});

describe('mask post-processing', () => {
  it('thresholds float and 8-bit probabilities alike', () => {
    assert.deepEqual(thresholdProbabilities(Float32Array.from([0.2, 0.5, 0.51, 0.9]), 0.5), Uint8Array.from([0, 0, 1, 1]));
    assert.deepEqual(thresholdProbabilities(Uint8Array.from([50, 127, 128, 250]), 0.5), Uint8Array.from([0, 0, 1, 1]));
  });

  it('applies keep-largest and hole filling on request', () => {
    const w = 7, h = 5;
    const p = new Float32Array(w * h);
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) p[r * w + c] = 0.9;
    p[2 * w + 2] = 0.1; // hole
    p[2 * w + 6] = 0.9; // speck
    const m = probabilitiesToMask(p, w, h, { threshold: 0.5, keepLargest: true, fillHoles: true });
    assert.equal(m[2 * w + 2], 1);
    assert.equal(m[2 * w + 6], 0);
    assert.equal(m.reduce((a, b) => a + b, 0), 25);
  });

  it('computes the contract edge: 3x3 max != 3x3 min with replicated borders', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const w = 11, h = 8;
      const m = randomMask(w, h, seed, 0.05);
      const e = maskEdge(m, w, h);
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          let mx = 0, mn = 1;
          for (let dr = -1; dr <= 1; dr++) {
            for (let dc = -1; dc <= 1; dc++) {
              const rr = Math.min(h - 1, Math.max(0, r + dr)), cc = Math.min(w - 1, Math.max(0, c + dc));
              mx = Math.max(mx, m[rr * w + cc]);
              mn = Math.min(mn, m[rr * w + cc]);
            }
          }
          assert.equal(e[r * w + c], mx !== mn ? 1 : 0);
        }
      }
    }
    assert.equal(maskIoU(Uint8Array.from([1, 1, 0]), Uint8Array.from([1, 0, 0])), 0.5);
  });
});
