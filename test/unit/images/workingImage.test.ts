import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { toFullBox, toFullPatch, toWorkingBox, toWorkingClicks, toWorkingMask, toWorkingPoints, toWorkingRadius, toWorkingRegions, workingSize, WORKING_PIXELS } from '../../../src/shared/inference/workingImage';
import { decodeWorkingImage } from '../../../src/extension/inference/decode';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { inputPath } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';
import { polygonizeProbabilities } from '../../../src/shared/inference/polygonize';

const TINY = inputPath('inference/tiny-contract.onnx');

describe('click segmentation on a working copy of a very large image', function () {
  this.timeout(60_000);

  it('sizes the working copy within the budget, the image itself when small', () => {
    assert.deepEqual(workingSize(4000, 3000), { fullWidth: 4000, fullHeight: 3000, width: 4000, height: 3000 });
    const w = workingSize(20000, 20000);
    assert.ok(w.width * w.height <= WORKING_PIXELS && w.width * w.height > WORKING_PIXELS * 0.99, `${w.width}x${w.height}`);
    assert.equal(w.width, w.height);
    const t = workingSize(30000, 8000);
    assert.ok(Math.abs(t.width / t.height - 30000 / 8000) < 0.01);
  });

  it('maps clicks, boxes, probabilities and masks between the copy and the full image', () => {
    const w = { fullWidth: 1000, fullHeight: 600, width: 250, height: 150 };
    assert.deepEqual(toWorkingClicks([{ x: 401.5, y: 201.5, positive: true }, { x: 999, y: 599, positive: false }], w), [
      { x: 100, y: 50, positive: true },
      { x: 249, y: 149, positive: false }, // clamped to the last pixel
    ]);
    assert.deepEqual(toFullBox({ x: 10, y: 20, width: 5, height: 4 }, w), { x: 40, y: 80, width: 20, height: 16 });
    assert.deepEqual(toFullBox({ x: 0, y: 0, width: 0, height: 0 }, w), { x: 0, y: 0, width: 0, height: 0 });
    // A 4x2 working patch: left half 255, right half 0 -> full 16x8, a ramp only around the edge.
    const p = toFullPatch({ x: 10, y: 20, width: 4, height: 2 }, new Uint8Array([255, 255, 0, 0, 255, 255, 0, 0]), w);
    assert.deepEqual(p.box, { x: 40, y: 80, width: 16, height: 8 });
    const row = [...p.data.subarray(0, 16)];
    assert.deepEqual(row.slice(0, 6), [255, 255, 255, 255, 255, 255]);
    assert.deepEqual(row.slice(10), [0, 0, 0, 0, 0, 0]);
    assert.ok(row[7] > 128 && row[8] < 128, `edge between full pixels 7 and 8: ${row}`);
    for (let j = 1; j < 8; j++) assert.deepEqual([...p.data.subarray(j * 16, j * 16 + 16)], row);
    // A full mask with a 400x200 block at (200, 100) -> working block 100x50 at (50, 25).
    const mask = new Uint8Array(1000 * 600);
    for (let y = 100; y < 300; y++) mask.fill(1, y * 1000 + 200, y * 1000 + 600);
    const m = toWorkingMask(mask, w);
    let n = 0;
    for (const v of m) n += v;
    assert.equal(n, 100 * 50);
    assert.equal(m[25 * 250 + 50], 1);
    assert.equal(m[24 * 250 + 50], 0);
    // The same block as a polygon: scaled like the mask.
    assert.deepEqual(toWorkingRegions([{ outer: [200, 100, 600, 100, 600, 300, 200, 300], holes: [[300, 150, 400, 150, 400, 200]] }], w), [
      { outer: [50, 25, 150, 25, 150, 75, 50, 75], holes: [[75, 37.5, 100, 37.5, 100, 50]] },
    ]);
  });

  it('finds the copy\'s box back from a full-image box (the webview draws strokes on the copy\'s grid)', () => {
    // Scales with and without a whole ratio, boxes touching the edges included.
    for (const w of [workingSize(8000, 6000), workingSize(30000, 8000), workingSize(7001, 4999), { fullWidth: 1000, fullHeight: 600, width: 250, height: 150 }]) {
      for (const b of [{ x: 0, y: 0, width: 1, height: 1 }, { x: 17, y: 3, width: 40, height: 9 }, { x: w.width - 7, y: w.height - 5, width: 7, height: 5 }, { x: 0, y: 0, width: w.width, height: w.height }]) {
        assert.deepEqual(toWorkingBox(toFullBox(b, w), w), b, `${JSON.stringify(b)} on ${w.width}x${w.height}`);
      }
    }
    assert.deepEqual(toWorkingBox({ x: 5, y: 5, width: 0, height: 0 }, workingSize(8000, 6000)), { x: 0, y: 0, width: 0, height: 0 });
    // A stroke on the copy: points as clicks are (pixel centres), the radius scaled and at least half a pixel.
    const w = { fullWidth: 1000, fullHeight: 600, width: 250, height: 150 };
    assert.deepEqual(toWorkingPoints([401.5, 201.5, -10, 700], w), [100, 50, -2.875, 174.625]);
    assert.equal(toWorkingRadius(20, w), 5);
    assert.equal(toWorkingRadius(1, w), 0.5);
  });

  it('traces a coarse grid into polygons in image pixels, with the area in image pixels', () => {
    // A 20x10 sample grid over an 80x40 box at (1000, 2000): a 10x6 block of ones at grid (5, 2).
    const data = new Uint8Array(20 * 10);
    for (let y = 2; y < 8; y++) data.fill(255, y * 20 + 5, y * 20 + 15);
    const p = polygonizeProbabilities({ box: { x: 1000, y: 2000, width: 80, height: 40 }, data, sample: { width: 20, height: 10 } }, { threshold: 0.5, keepLargest: false, fillHoles: false }, 0);
    assert.equal(p.area, 10 * 6 * 16);
    assert.equal(p.regions.length, 1);
    const ring = p.regions[0].outer;
    const xs = ring.filter((_, i) => i % 2 === 0);
    const ys = ring.filter((_, i) => i % 2 === 1);
    // Grid x 5..15 -> image 1000 + 20..60; grid y 2..8 -> 2000 + 8..32 (contours run through pixel edges +- half a sample).
    assert.ok(Math.abs(Math.min(...xs) - 1020) <= 2 && Math.abs(Math.max(...xs) - 1060) <= 2, `x ${Math.min(...xs)}..${Math.max(...xs)}`);
    assert.ok(Math.abs(Math.min(...ys) - 2008) <= 2 && Math.abs(Math.max(...ys) - 2032) <= 2, `y ${Math.min(...ys)}..${Math.max(...ys)}`);
    assert.ok(p.iou > 0.9);
  });

  describe('end to end through the worker', () => {
    let pool: SessionPool;
    let dir: string;
    before(() => {
      pool = new SessionPool(inferenceWorkerScript(), 200);
      dir = mkdtempSync(join(tmpdir(), 'edgeflow-working-'));
    });
    after(async () => {
      await pool.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('decodes a working copy and answers a click in full-image pixels, where a full decode would', async () => {
      const file = join(dir, 'grey.png');
      await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#808080' } }).png().toFile(file);
      // Budget 480000 pixels: an 800x600 copy (scale 1/2).
      const { image, working } = await decodeWorkingImage(file, 480_000);
      assert.deepEqual([image.width, image.height, working.fullWidth, working.fullHeight], [800, 600, 1600, 1200]);
      const scaled = await Predictor.open(pool, image, { modelPath: TINY, device: 'cpu', working });
      const click = [{ x: 800, y: 600, positive: true }];
      const r = await scaled.predict(click);
      assert.ok(r && r.sample);
      // Probabilities stay on the copy's grid (half the box each way); the box is in image pixels.
      assert.equal(r.data.length, r.sample.width * r.sample.height);
      assert.ok(Math.abs(r.box.width - 2 * r.sample.width) <= 2 && Math.abs(r.box.height - 2 * r.sample.height) <= 2, `${JSON.stringify(r.box)} ${JSON.stringify(r.sample)}`);
      assert.ok(r.box.x + r.box.width <= 1600 && r.box.y + r.box.height <= 1200);
      const m = predictionToMask(r, 1600, 1200);
      assert.equal(m[600 * 1600 + 800], 1, 'the click is inside its mask');
      // The same click on the full-resolution image: the tiny graph's square lands in the same place.
      const full = await decodeWorkingImage(file, 10_000_000);
      assert.deepEqual([full.image.width, full.working.width], [1600, 1600]);
      const direct = await Predictor.open(pool, full.image, { modelPath: TINY, device: 'cpu' });
      const d = await direct.predict(click);
      assert.ok(d);
      const md = predictionToMask(d, 1600, 1200);
      let inter = 0;
      let union = 0;
      for (let i = 0; i < m.length; i++) {
        inter += m[i] & md[i];
        union += m[i] | md[i];
      }
      assert.ok(inter / union > 0.9, `IoU working vs full ${(inter / union).toFixed(3)}`);
      // Refining an object: its full-resolution mask is taken down to the copy, or its outline is
      // rasterised at the copy's size (a full-size mask is refused there: the worker holds the copy).
      await scaled.startObject(md);
      const again = await scaled.predict([{ x: 820, y: 610, positive: true }]);
      assert.ok(again && again.box.width > 0);
      await scaled.startObjectFrom([{ outer: [700, 500, 900, 500, 900, 700, 700, 700], holes: [] }]);
      const third = await scaled.predict([{ x: 800, y: 600, positive: true }]);
      assert.ok(third && third.sample && third.box.width > 0);
      await direct.startObjectFrom([{ outer: [700, 500, 900, 500, 900, 700, 700, 700], holes: [] }]);
      assert.ok(await direct.predict([{ x: 800, y: 600, positive: true }]));
      scaled.dispose();
      direct.dispose();
    });
  });
});
