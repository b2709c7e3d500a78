/**
 * The shipped model through the editor's Predictor on easy GrabCut images: the simulated user
 * (RITM's clicker) must reach IoU >= 0.85 within 5 clicks, with the editor's defaults (mirror
 * averaging; the threshold automatic on click 1, 0.5 after). Skips with a message when the
 * evaluation data (../shared) or the shipped model is absent.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../../../src/extension/inference/decode';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { protocolThreshold } from '../../../src/shared/inference/postprocess';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { groundTruthFromMask, iouWithGroundTruth, NocClicker } from '../../../src/shared/clicker';
import type { ClickXY } from '../../../src/shared/inference/clicks';
import { repoRoot } from '../helpers/golden';
import { evalPoolOrSkip } from '../helpers/worker';

const GRABCUT = join(repoRoot(), '..', 'shared', 'datasets', 'eval', 'GrabCut');
// EDGEFLOW_MODEL tests another ONNX that follows the contract (e.g. a fresh export).
const MODEL = process.env.EDGEFLOW_MODEL ?? join(repoRoot(), 'models', 'edgeflow-mobilenetv2.onnx');
const EASY = [
  { name: 'fullmoon', image: 'fullmoon.bmp' },
  { name: 'banana1', image: 'banana1.bmp' },
  { name: 'stone1', image: 'stone1.JPG' },
  { name: 'book', image: 'book.bmp' },
  // Easy since EMA step 7900 (IoU 0.376, 0.494, 0.603, 0.808, 0.881; history below).
  { name: 'teddy', image: 'teddy.jpg' },
];
/**
 * Easy for a trained EdgeFlow, not yet for the shipped checkpoint. Empty now; teddy was here until
 * step 7900 (IoU over 5 clicks: EMA step
 * 600: 0.345, 0.382, 0.618, 0.729, 0.738; EMA step 1300: 0.316, 0.378, 0.635, 0.731, 0.817;
 * EMA step 1800: 0.311, 0.375, 0.619, 0.750, 0.801; EMA step 5000: 0.272, 0.476, 0.589, 0.770, 0.790;
 * EMA step 6200, automatic threshold on click 1: 0.437, 0.478, 0.526, 0.741, 0.801;
 * EMA step 7100, mirror averaging: 0.391, 0.411, 0.508, 0.752, 0.842).
 * A case listed here is re-enabled, not forgotten, when better weights ship: move it into EASY.
 */
const NOT_YET: { name: string; image: string }[] = [];

describe('Predictor with the shipped model on easy GrabCut images', function () {
  this.timeout(180_000);
  let pool: SessionPool;

  before(function () {
    pool = evalPoolOrSkip(this, GRABCUT, MODEL);
  });
  after(async () => pool?.dispose());

  for (const s of NOT_YET) it.skip(`${s.name}: IoU >= 0.85 within 5 clicks (not reached by the shipped checkpoint yet)`, () => undefined);

  for (const s of EASY) {
    it(`${s.name}: IoU >= 0.85 within 5 clicks`, async () => {
      const { data, info } = await sharp(join(GRABCUT, 'masks', `${s.name}.png`)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const gt = groundTruthFromMask(new Uint8Array(data), info.width, info.height);
      const image = await decodeImage(join(GRABCUT, 'images', s.image));
      assert.deepEqual([image.width, image.height], [gt.width, gt.height]);
      const p = await Predictor.open(pool, image, { modelPath: MODEL, device: 'cpu' });
      try {
        const clicker = new NocClicker(gt);
        const clicks: ClickXY[] = [];
        let pred: Uint8Array = new Uint8Array(gt.width * gt.height);
        const ious: number[] = [];
        for (let k = 0; k < 5; k++) {
          const c = clicker.next(pred);
          if (!c) break;
          clicks.push(c);
          const r = await p.predict(clicks);
          assert.ok(r, 'a sequential prediction must not be superseded');
          pred = predictionToMask(r, gt.width, gt.height, protocolThreshold(r.data, clicks.length));
          ious.push(iouWithGroundTruth(pred, gt));
          if (ious[ious.length - 1] >= 0.85) break;
        }
        assert.ok(Math.max(...ious) >= 0.85, `IoU per click: ${ious.map((v) => v.toFixed(3)).join(', ')}`);
      } finally {
        p.dispose();
      }
    });
  }
});
