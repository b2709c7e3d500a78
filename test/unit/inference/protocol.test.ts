/**
 * The TS predictor against the Python protocol (models/edgeflow/inference/protocol.py): the same
 * clicks and IoUs, click after click, for the tiny contract graph (torch module in Python, its
 * ONNX export here) on a synthetic scene: with one run per click, and with the contract's mirror
 * averaging on a graph that adds a step across the padded width (only the right mirror cancels
 * it). Goldens from test/fixtures/gen/protocol_golden.py.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { groundTruthFromMask, iouWithGroundTruth, NocClicker } from '../../../src/shared/clicker';
import type { ClickXY } from '../../../src/shared/inference/clicks';
import { goldenPath, inputPath } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';

interface Golden {
  width: number;
  height: number;
  side: number;
  mirror: boolean;
  gtRuns: [number, number][];
  steps: { row: number; col: number; positive: boolean; iou: number; area: number }[];
}

describe('protocol parity with the Python evaluation', function () {
  this.timeout(30_000);

  const cases = [
    { name: 'one run per click', golden: 'inference/protocol-tiny.json', model: 'inference/tiny-contract.onnx' },
    { name: 'mirror averaging', golden: 'inference/protocol-tiny-mirror.json', model: 'inference/tiny-sided.onnx' },
  ];
  for (const t of cases) it(`reproduces the Python clicks, masks and IoUs click after click: ${t.name}`, async () => {
    const g = JSON.parse(readFileSync(goldenPath(t.golden), 'utf8')) as Golden;
    const { width: w, height: h } = g;
    const values = new Uint8Array(w * h);
    let at = 0;
    for (const [v, n] of g.gtRuns) values.fill(v, at, (at += n));
    const gt = groundTruthFromMask(values, w, h);
    const rgb = new Uint8Array(w * h * 3);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      rgb[(r * w + c) * 3] = c % 256;
      rgb[(r * w + c) * 3 + 1] = r % 256;
    }
    const pool = new SessionPool(inferenceWorkerScript(), 100);
    const p = await Predictor.open(pool, { width: w, height: h, data: rgb }, { modelPath: inputPath(t.model), device: 'cpu', targetSize: g.side, mirror: g.mirror });
    try {
      const clicker = new NocClicker(gt);
      const clicks: ClickXY[] = [];
      let pred: Uint8Array = new Uint8Array(w * h);
      for (const [k, step] of g.steps.entries()) {
        const c = clicker.next(pred)!;
        assert.deepEqual([c.y - 0.5, c.x - 0.5, c.positive], [step.row, step.col, step.positive], `click ${k + 1}`);
        clicks.push(c);
        const r = (await p.predict(clicks))!;
        pred = predictionToMask(r, w, h);
        const area = pred.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(area - step.area) <= 2, `click ${k + 1}: area ${area}, Python ${step.area}`);
        assert.ok(Math.abs(iouWithGroundTruth(pred, gt) - step.iou) < 1e-3, `click ${k + 1}: IoU`);
      }
    } finally {
      p.dispose();
      await pool.dispose();
    }
  });
});
