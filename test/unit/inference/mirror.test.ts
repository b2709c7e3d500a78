/**
 * The contract's mirror averaging (models/README.md): the pure mirror and average of the
 * pipeline, and the worker running it, on a tiny graph that adds a step across the padded width
 * (+12 logits on the right half, -12 on the left) that only the right mirror cancels.
 */
import * as assert from 'node:assert/strict';
import { averageMirrored, mirrorRows } from '../../../src/shared/inference/pipeline';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { inputPath } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';

describe('mirror averaging', function () {
  this.timeout(20000);

  it('mirrors every padded row, the padding included, and never in place', () => {
    // two channels of 2 rows x 4 columns, the last column being padding (0)
    const t = Float32Array.from([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 10, 11, 12, 0]);
    assert.deepEqual([...mirrorRows(t, 4)], [0, 3, 2, 1, 0, 6, 5, 4, 0, 9, 8, 7, 0, 12, 11, 10]);
    assert.deepEqual([...mirrorRows(mirrorRows(t, 4), 4)], [...t]);
    assert.throws(() => mirrorRows(t, 4, t), /in place/);
    assert.throws(() => mirrorRows(t, 3), /width/);
  });

  it('averages an output with the mirrored run mirrored back', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([10, 20, 30, 40, 50, 60]);
    assert.deepEqual([...averageMirrored(a, b, 3)], [(1 + 30) / 2, (2 + 20) / 2, (3 + 10) / 2, (4 + 60) / 2, (5 + 50) / 2, (6 + 40) / 2]);
    assert.deepEqual([...a], [1, 2, 3, 4, 5, 6]); // inputs untouched
    // float32 halves of a float32 sum: one rounding, as PyTorch's (a + b) / 2 in float32
    const x = Float32Array.from([0.1]), y = Float32Array.from([0.2]);
    assert.equal(averageMirrored(x, y, 1)[0], Math.fround(Math.fround(x[0] + y[0]) / 2));
    assert.throws(() => averageMirrored(a, b.subarray(1), 3), /sizes/);
  });

  it('the worker runs the mirrored inputs and averages: a side-dependent model is cancelled', async () => {
    const pool = new SessionPool(inferenceWorkerScript(), 200);
    // 300 x 480 image -> model input 250 x 400, padded to 256 x 416: the padding is on the right,
    // so mirroring only the image's columns would leave the step in a band at the middle
    const w = 300, h = 480;
    const image = () => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) });
    const click = [{ x: 100, y: 240, positive: true }];
    try {
      const plain = await Predictor.open(pool, image(), { modelPath: inputPath('inference/tiny-sided.onnx'), device: 'cpu', mirror: false });
      const r1 = (await plain.predict(click))!;
      plain.dispose();
      assert.deepEqual([r1.modelWidth, r1.modelHeight], [256, 416]);
      const m1 = predictionToMask(r1, w, h);
      const mirrored = await Predictor.open(pool, image(), { modelPath: inputPath('inference/tiny-sided.onnx'), device: 'cpu' });
      assert.equal(mirrored.mirror, true, 'on by default');
      const r2 = (await mirrored.predict(click))!;
      mirrored.dispose();
      const m2 = predictionToMask(r2, w, h);
      const area = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
      // One run: the step makes the right half of the padded input object (image columns from
      // 128 * 300 / 250 = 153.6 on); the click's square is object on either side.
      assert.equal(m1[240 * w + 250], 1);
      assert.equal(m1[10 * w + 160], 1);
      assert.equal(m1[10 * w + 150], 0);
      // Averaged: only the click's square (41 model px: disk and pool; about 49 image px a side),
      // as the tiny graph gives without the step (a run not mirrored back would add a second square)
      assert.equal(m2[240 * w + 100], 1);
      assert.equal(m2[240 * w + 250], 0);
      assert.equal(m2[10 * w + 160], 0);
      assert.ok(area(m2) > 2000 && area(m2) < 2800, `area ${area(m2)}`);
      assert.ok(r2.timings.runMs > 0);
    } finally {
      await pool.dispose();
    }
  });
});
