/**
 * Refining a finished object with one click, through the editor's Predictor and the shipped model
 * (issue 30, bug 2: a click on a teddy's missing part replaced the teddy with that part). Each
 * case takes a GrabCut object, cuts a quarter off (or adds a spill beside it) as the "finished"
 * object, and gives the click RITM's clicker would: the object must grow by the missing part (or
 * lose the spill) and end closer to the truth. Skips when ../shared or the model is absent.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../../../src/extension/inference/decode';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { groundTruthFromMask, iouWithGroundTruth, NocClicker, type GroundTruth } from '../../../src/shared/clicker';
import { repoRoot } from '../helpers/golden';
import { evalPoolOrSkip } from '../helpers/worker';

const GRABCUT = join(repoRoot(), '..', 'shared', 'datasets', 'eval', 'GrabCut');
const MODEL = process.env.EDGEFLOW_MODEL ?? join(repoRoot(), 'models', 'edgeflow-mobilenetv2.onnx');

type Side = 'top' | 'left' | 'right' | 'bottom';

function bbox(m: Uint8Array, W: number): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const x = i % W, y = (i - x) / W;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}

/** The object with a quarter of its box cut off on one side (a part the user still has to add). */
function cutQuarter(gt: GroundTruth, side: Side): Uint8Array {
  const W = gt.width, [x0, y0, x1, y1] = bbox(gt.object, W), m = gt.object.slice();
  const fx = (x1 - x0) / 4, fy = (y1 - y0) / 4;
  for (let i = 0; i < m.length; i++) {
    const x = i % W, y = (i - x) / W;
    if ((side === 'top' && y < y0 + fy) || (side === 'bottom' && y > y1 - fy) || (side === 'left' && x < x0 + fx) || (side === 'right' && x > x1 - fx)) m[i] = 0;
  }
  return m;
}

/** The object with a block of background stuck to one side (a spill the user has to remove). */
function addSpill(gt: GroundTruth, side: Side): Uint8Array {
  const W = gt.width, [x0, y0, x1, y1] = bbox(gt.object, W), m = gt.object.slice();
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, w = (x1 - x0) * 0.15, h = (y1 - y0) * 0.15;
  for (let i = 0; i < m.length; i++) {
    const x = i % W, y = (i - x) / W;
    const on = side === 'right' ? x > x1 - w && x < x1 + w && Math.abs(y - cy) < h
      : side === 'left' ? x < x0 + w && x > x0 - w && Math.abs(y - cy) < h
        : side === 'top' ? y < y0 + h && y > y0 - h && Math.abs(x - cx) < w
          : y > y1 - h && y < y1 + h && Math.abs(x - cx) < w;
    if (on) m[i] = 1;
  }
  return m;
}

const area = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);

const CASES: { name: string; make: 'cut' | 'spill'; side: Side }[] = [
  { name: 'teddy', make: 'cut', side: 'top' }, // the case: the ears are missing
  { name: 'teddy', make: 'cut', side: 'right' },
  { name: 'flower', make: 'cut', side: 'left' },
  { name: 'doll', make: 'cut', side: 'bottom' },
  { name: 'banana1', make: 'spill', side: 'left' },
  { name: 'teddy', make: 'spill', side: 'bottom' },
  { name: 'person1', make: 'spill', side: 'right' },
];

describe('Refining a finished object with one click (shipped model, GrabCut)', function () {
  this.timeout(180_000);
  let pool: SessionPool;

  before(function () {
    pool = evalPoolOrSkip(this, GRABCUT, MODEL);
  });
  after(async () => pool?.dispose());

  for (const c of CASES) {
    const what = c.make === 'cut' ? `a click on its missing ${c.side} quarter grows it` : `a click on a spill at its ${c.side} removes the spill and nothing else`;
    it(`${c.name}: ${what}`, async () => {
      const file = readdirSync(join(GRABCUT, 'images')).find((f) => f.replace(/\.[^.]+$/, '') === c.name)!;
      const { data, info } = await sharp(join(GRABCUT, 'masks', `${c.name}.png`)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const gt = groundTruthFromMask(new Uint8Array(data), info.width, info.height);
      const before = c.make === 'cut' ? cutQuarter(gt, c.side) : addSpill(gt, c.side);
      const click = new NocClicker(gt).next(before)!;
      assert.equal(click.positive, c.make === 'cut');
      const p = await Predictor.open(pool, await decodeImage(join(GRABCUT, 'images', file)), { modelPath: MODEL, device: 'cpu', mirror: true });
      try {
        await p.startObject(before);
        const r = (await p.predict([click]))!;
        const after = predictionToMask(r, gt.width, gt.height, 0.5);
        const iou0 = iouWithGroundTruth(before, gt), iou1 = iouWithGroundTruth(after, gt);
        const msg = `IoU ${iou0.toFixed(3)} -> ${iou1.toFixed(3)}, area ${area(before)} -> ${area(after)}`;
        // Nothing the click does not point at changes: a positive click only adds, a negative one only removes.
        for (let i = 0; i < before.length; i++) {
          if (c.make === 'cut' && before[i] && !after[i]) assert.fail(`a positive click removed pixel ${i} of the object (${msg})`);
          if (c.make === 'spill' && !before[i] && after[i]) assert.fail(`a negative click added pixel ${i} (${msg})`);
        }
        assert.ok(iou1 >= iou0 + 0.03, msg);
      } finally {
        p.dispose();
      }
    });
  }
});
