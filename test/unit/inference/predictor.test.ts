import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeImage } from '../../../src/extension/inference/decode';
import { Predictor, predictionToMask } from '../../../src/extension/inference/predictor';
import { rasterizeMultiPolygon } from '../../../src/shared/geometry/polygon';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { explainModelError } from '../../../src/extension/modelCheck';
import type { RgbImage } from '../../../src/shared/inference/resize';
import { inputPath } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';
import { OVERRIDE_BACKGROUND, OVERRIDE_OBJECT, OverrideLayer, type BrushStroke } from '../../../src/shared/geometry/brush';
import type { BoxXYWH } from '../../../src/shared/inference/resize';
import { toWorkingBox, toWorkingPoints, toWorkingStroke, type WorkingScale } from '../../../src/shared/inference/workingImage';

// The tiny contract graph (test/fixtures/gen/tiny_model.py) is no segmentation model: its mask is
// the 31x31 model-pixel square around each positive click disk minus the same around negative ones.
const TINY = inputPath('inference/tiny-contract.onnx');

function grey(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(128) };
}

describe('image decoding (sharp)', () => {
  it('applies EXIF orientation and keeps the full resolution', async () => {
    // A 40x20 image, left half red, stored with orientation 6 (rotate 90° clockwise to display).
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let r = 0; r < 20; r++) for (let c = 0; c < 20; c++) raw[(r * 40 + c) * 3] = 255;
    const jpeg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpeg);
    assert.deepEqual([img.width, img.height], [20, 40]);
    // After the rotation the red half is on top.
    assert.ok(img.data[(5 * 20 + 10) * 3] > 200 && img.data[(35 * 20 + 10) * 3] < 60);
  });

  it('normalises grayscale, 16-bit, alpha, CMYK and palette images to 8-bit RGB', async () => {
    const w = 8, h = 6;
    const g16 = await sharp(Buffer.alloc(w * h * 2, 0x80), { raw: { width: w, height: h, channels: 1 } })
      .png().toBuffer();
    const rgba = await sharp({ create: { width: w, height: h, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const cmyk = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 40, b: 40 } } }).toColourspace('cmyk').jpeg().toBuffer();
    const palette = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png({ palette: true }).toBuffer();
    const grey16 = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('grey16').png().toBuffer();
    assert.equal((await sharp(grey16).metadata()).depth, 'ushort');
    for (const [name, buf] of Object.entries({ g16, rgba, cmyk, palette, grey16 })) {
      const img = await decodeImage(buf);
      assert.deepEqual([img.width, img.height, img.data.length], [w, h, w * h * 3], name);
    }
    const p = await decodeImage(palette);
    assert.deepEqual([...p.data.slice(0, 3)], [0, 0, 255]);
    const c = await decodeImage(cmyk);
    assert.ok(c.data[0] > 150 && c.data[1] < 100, `cmyk -> ${[...c.data.slice(0, 3)]}`);
    const a = await decodeImage(rgba);
    assert.deepEqual([...a.data.slice(0, 3)], [10, 200, 30]);
    const g = await decodeImage(grey16);
    assert.ok(Math.abs(g.data[0] - 90) <= 1 && g.data[0] === g.data[1] && g.data[1] === g.data[2]);
  });
});

describe('Predictor (worker + session pool) on the tiny contract graph', function () {
  this.timeout(20000);
  let pool: SessionPool;
  before(() => {
    pool = new SessionPool(inferenceWorkerScript(), 200);
  });
  after(async () => pool.dispose());

  it('predicts the first click on the whole image and maps it back to full resolution', async () => {
    const p = await Predictor.open(pool, grey(640, 480), { modelPath: TINY, device: 'cpu' });
    const r = await p.predict([{ x: 320, y: 240, positive: true }]);
    assert.ok(r);
    assert.deepEqual(r.crop, { x: 0, y: 0, width: 640, height: 480 });
    assert.deepEqual([r.modelWidth, r.modelHeight], [416, 320]);
    const m = predictionToMask(r, 640, 480);
    // Model click at (150, 200); the square spans model px 135..165 x 185..215 (disk 5 + pool 15).
    // Back in the image (x1.6): about 296..345 x 216..265.
    assert.equal(m[240 * 640 + 320], 1);
    assert.equal(m[240 * 640 + 300], 1);
    assert.equal(m[240 * 640 + 280], 0);
    assert.equal(m[240 * 640 + 360], 0);
    assert.equal(m[200 * 640 + 320], 0);
    assert.ok(r.timings.runMs > 0 && r.totalMs >= r.timings.workerMs);
    p.dispose();
  });

  it('keeps two editors on different images apart in one worker: interleaved clicks give what each gives alone', async () => {
    // Two different images (a bright square on each, at different places) and the same clicks.
    const img = (x0: number): RgbImage => {
      const g = grey(320, 240);
      for (let r = 60; r < 160; r++) for (let c = x0; c < x0 + 100; c++) g.data.fill(250, (r * 320 + c) * 3, (r * 320 + c) * 3 + 3);
      return g;
    };
    const clicksA = [{ x: 100, y: 100, positive: true }, { x: 150, y: 120, positive: true }, { x: 60, y: 80, positive: false }];
    const clicksB = [{ x: 200, y: 90, positive: true }, { x: 240, y: 150, positive: true }, { x: 280, y: 200, positive: false }];
    const alone = async (image: RgbImage, clicks: typeof clicksA) => {
      const p = await Predictor.open(pool, image, { modelPath: TINY, device: 'cpu' });
      const out = [];
      for (let k = 1; k <= clicks.length; k++) out.push(await p.predict(clicks.slice(0, k)));
      p.dispose();
      return out.map((r) => ({ box: r!.box, data: [...r!.data], crop: r!.crop }));
    };
    const soloA = await alone(img(40), clicksA);
    const soloB = await alone(img(180), clicksB);
    const a = await Predictor.open(pool, img(40), { modelPath: TINY, device: 'cpu' });
    const b = await Predictor.open(pool, img(180), { modelPath: TINY, device: 'cpu' });
    for (let k = 1; k <= 3; k++) {
      const [ra, rb] = await Promise.all([a.predict(clicksA.slice(0, k)), b.predict(clicksB.slice(0, k))]);
      assert.deepEqual({ box: ra!.box, data: [...ra!.data], crop: ra!.crop }, soloA[k - 1], `image A, click ${k}`);
      assert.deepEqual({ box: rb!.box, data: [...rb!.data], crop: rb!.crop }, soloB[k - 1], `image B, click ${k}`);
    }
    // The same image again (a reopened editor) repeats its first-click result from a fresh start.
    await a.startObject(null);
    const again = await a.predict(clicksA.slice(0, 1));
    assert.deepEqual({ box: again!.box, data: [...again!.data], crop: again!.crop }, soloA[0]);
    a.dispose();
    b.dispose();
  });

  it('uses the focus crop for later clicks, pastes back inside it, and undoes', async () => {
    const p = await Predictor.open(pool, grey(1000, 800), { modelPath: TINY, device: 'cpu' });
    const c1 = { x: 500, y: 400, positive: true };
    const r1 = (await p.predict([c1]))!;
    const m1 = predictionToMask(r1, 1000, 800);
    const c2 = { x: 500, y: 380, positive: true };
    // Click 2: its 200 px crop would be blown up to 400, so the whole image (the click-2 rule).
    assert.deepEqual((await p.predict([c1, c2]))!.crop, { x: 0, y: 0, width: 1000, height: 800 });
    const c3 = { x: 520, y: 400, positive: false };
    const r3 = (await p.predict([c1, c2, c3]))!;
    // Click 3: object box ~ (463..537) united with the clicks, x1.4, min 200 -> a 200x200 crop around it.
    assert.deepEqual([r3.crop.width, r3.crop.height], [200, 200]);
    assert.ok(r3.crop.x <= 463 && r3.crop.x + 200 >= 537);
    const m3 = predictionToMask(r3, 1000, 800);
    assert.equal(m3[400 * 1000 + 520], 0, 'the negative click removed its neighbourhood');
    assert.ok(m3.reduce((a, b) => a + b, 0) < m1.reduce((a, b) => a + b, 0));
    const back = (await p.rewind([c1]))!;
    assert.equal(back.clickCount, 1);
    assert.deepEqual(predictionToMask(back, 1000, 800), m1);
    const none = (await p.rewind([]))!;
    assert.equal(none.data.length, 0);
    p.dispose();
  });

  it('clicks 2-3 of a new object keep the whole image unless the crop zooms in twice (click 2: and is not upsampled); a refine always crops', async () => {
    const W = 600, H = 400;
    const p = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    const whole = { x: 0, y: 0, width: W, height: H };
    // Two clicks 400 px apart: box x1.4 = 560+ px of 600, less than a 2x zoom.
    const far = [{ x: 100, y: 100, positive: true }, { x: 500, y: 300, positive: true }];
    assert.deepEqual((await p.predict(far.slice(0, 1)))!.crop, whole);
    assert.deepEqual((await p.predict(far))!.crop, whole, 'click 2: the whole image');
    const far3 = [...far, { x: 300, y: 200, positive: false }];
    assert.deepEqual((await p.predict(far3))!.crop, whole, 'click 3: the same 2x rule');
    const r4 = (await p.predict([...far3, { x: 310, y: 210, positive: false }]))!;
    assert.ok(r4.crop.width < W || r4.crop.height < H, 'click 4 uses the focus crop');
    // Close clicks: the crop (min side 200) zooms in 3x, but at S = 400 it would be blown up 2x,
    // so click 2 keeps the whole image and click 3 crops.
    await p.startObject(null);
    const near = [{ x: 300, y: 200, positive: true }, { x: 310, y: 205, positive: true }, { x: 305, y: 210, positive: true }];
    await p.predict(near.slice(0, 1));
    assert.deepEqual((await p.predict(near.slice(0, 2)))!.crop, whole, 'click 2: the crop would be upsampled');
    const r3 = (await p.predict(near))!;
    assert.deepEqual([r3.crop.width, r3.crop.height], [200, 200]);
    assert.ok(r3.crop.x <= 300 && r3.crop.x + 200 > 310 && r3.crop.y <= 200 && r3.crop.y + 200 > 210);
    // A refine of a 300x200 object: box 420 wide, no 2x zoom, but it is no new object's first
    // mask, so both clicks crop.
    const mask = new Uint8Array(W * H);
    for (let r = 100; r < 300; r++) for (let c = 100; c < 400; c++) mask[r * W + c] = 1;
    await p.startObject(mask);
    const refine = [{ x: 380, y: 200, positive: false }, { x: 120, y: 120, positive: false }];
    assert.equal((await p.predict(refine.slice(0, 1)))!.crop.width, 420);
    assert.ok((await p.predict(refine))!.crop.width < W);
    p.dispose();
    // With S = 200 the same close-click crop is not upsampled, so click 2 uses it.
    const q = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu', targetSize: 200 });
    await q.predict(near.slice(0, 1));
    const q2 = (await q.predict(near.slice(0, 2)))!;
    assert.deepEqual([q2.crop.width, q2.crop.height], [200, 200]);
    q.dispose();
  });

  it('drops superseded requests: only the newest click is answered', async () => {
    const p = await Predictor.open(pool, grey(800, 600), { modelPath: TINY, device: 'cpu' });
    const clicks = [{ x: 100, y: 100, positive: true }, { x: 400, y: 300, positive: true }, { x: 700, y: 500, positive: true }];
    const results = await Promise.all([p.predict(clicks.slice(0, 1)), p.predict(clicks.slice(0, 2)), p.predict(clicks)]);
    assert.equal(results[0], undefined);
    assert.equal(results[1], undefined);
    assert.equal(results[2]?.clickCount, 3);
    p.dispose();
  });

  it('refines an existing object from its mask: a crop around it, a negative click removes only its neighbourhood; startObject(null) starts from nothing', async () => {
    const W = 600, H = 400;
    const p = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    const mask = new Uint8Array(W * H);
    for (let r = 100; r < 300; r++) for (let c = 100; c < 400; c++) mask[r * W + c] = 1;
    await p.startObject(mask);
    const click = { x: 380, y: 200, positive: false };
    const r = (await p.predict([click]))!;
    // The object's box (300x200) x1.4 around its centre.
    assert.deepEqual(r.crop, { x: 40, y: 60, width: 420, height: 280 });
    const m = predictionToMask(r, W, H);
    // The tiny graph's answer to a lone negative click is nothing at all: every pixel kept comes
    // from the starting mask, and only the click's neighbourhood (its model-pixel square) is cut.
    let kept = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        assert.ok(!m[i] || mask[i], `(${x}, ${y}) is outside the object`);
        if (m[i]) kept++;
        else if (mask[i]) assert.ok(Math.abs(x - click.x) <= 60 && Math.abs(y - click.y) <= 60, `(${x}, ${y}) was cut far from the click`);
      }
    }
    assert.equal(m[click.y * W + click.x], 0);
    assert.ok(kept > 200 * 300 - 8000 && kept < 200 * 300 - 2000, `kept ${kept} of ${200 * 300} pixels`);
    // A new object in the same predictor answers as a predictor that never saw the old object.
    await p.startObject(null);
    const first = { x: 50, y: 50, positive: true };
    const fresh = (await p.predict([first]))!;
    const q = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    const clean = (await q.predict([first]))!;
    assert.deepEqual(fresh.crop, { x: 0, y: 0, width: W, height: H });
    assert.deepEqual(predictionToMask(fresh, W, H), predictionToMask(clean, W, H));
    assert.equal(predictionToMask(fresh, W, H)[200 * W + 200], 0, 'nothing of the old object');
    p.dispose();
    q.dispose();
  });

  it('a refine from an outline (rasterised in the worker) starts exactly as one from its mask', async () => {
    const W = 300, H = 200;
    const regions = [{ outer: [40.5, 30, 250, 35.25, 230, 170, 60, 160], holes: [[100, 80, 150, 80, 150, 120, 100, 120]] }];
    const a = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    const b = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    try {
      await a.startObjectFrom(regions);
      await b.startObject(rasterizeMultiPolygon(regions, W, H));
      const click = [{ x: 245, y: 100, positive: true }];
      const ra = (await a.predict(click))!, rb = (await b.predict(click))!;
      assert.deepEqual(ra.box, rb.box);
      assert.deepEqual(ra.data, rb.data);
      assert.ok(ra.data.some((v) => v > 127), 'the object is there');
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('shares one session per model and device, keeps it while any predictor holds it, releases it when idle, and says when it falls back to the CPU', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const a = await Predictor.open(pool, grey(64, 64), { modelPath: TINY, device: 'cpu' });
    const b = await Predictor.open(pool, grey(64, 64), { modelPath: TINY, device: 'cpu' });
    assert.equal(pool.size, 1);
    assert.equal((await a.info).provider, 'cpu');
    assert.equal((await a.info).fallback, undefined);
    a.dispose();
    // Past the pool's 200 ms idle time: b still holds the session, and it still answers.
    await sleep(400);
    assert.equal(pool.size, 1, 'released while b holds it');
    assert.ok(await b.predict([{ x: 32, y: 32, positive: true }]), 'b predicts after a is gone');
    b.dispose();
    assert.equal(pool.size, 1, 'kept for the idle time');
    await sleep(500);
    assert.equal(pool.size, 0, `refs ${(a as any).session.refs}`);
    const c = await Predictor.open(pool, grey(64, 64), { modelPath: TINY, device: 'cuda' });
    const info = await c.info;
    assert.equal(info.provider, 'cpu');
    assert.match(info.fallback ?? '', /runs on the CPU.*CUDA/);
    assert.ok(info.fallbackDetail && info.fallbackDetail.length > 0, 'the provider error is kept for the log');
    c.dispose();
  });

  it('a missing model file rejects the open with "was not found" (not "not a valid ONNX model"), and the pool forgets it', async () => {
    // A pool of its own: the shared one may still hold the previous tests' idle sessions.
    const own = new SessionPool(inferenceWorkerScript(), 200);
    try {
      const missing = inputPath('inference/missing.onnx');
      await assert.rejects(Predictor.open(own, grey(64, 64), { modelPath: missing, device: 'cpu' }), (e: Error) => {
        assert.match(explainModelError('load', 'missing.onnx', e), /^Click segmentation is off: the model missing\.onnx was not found\. Set "edgeflow\.model"/);
        return true;
      });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(own.size, 0, 'a failed load must not stay in the pool');
    } finally {
      await own.dispose();
    }
  });
});

describe('Predictor brush strokes (worker + tiny contract graph)', function () {
  this.timeout(20000);
  let pool: SessionPool;
  before(() => {
    pool = new SessionPool(inferenceWorkerScript(), 200);
  });
  after(async () => pool.dispose());
  const W = 640, H = 480;
  const at = (r: { box: { x: number; y: number; width: number; height: number }; data: Uint8Array }, x: number, y: number) => predictionToMask(r, W, H)[y * W + x];

  it('keeps painted pixels object and erased ones background through later clicks; click undo keeps older strokes', async () => {
    const p = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    const c1 = { x: 320, y: 240, positive: true };
    const r1 = (await p.predict([c1]))!;
    assert.equal(at(r1, 320, 240), 1);
    assert.equal(at(r1, 100, 100), 0);
    await p.stroke({ mode: 'paint', radius: 6, points: [100, 100, 120, 100] });
    await p.stroke({ mode: 'erase', radius: 5, points: [320, 240] });
    // The next click's answer (the model knows nothing of the strokes) keeps them.
    const r2 = (await p.predict([c1, { x: 330, y: 250, positive: true }]))!;
    assert.equal(at(r2, 110, 100), 1, 'painted stays object');
    assert.equal(at(r2, 320, 240), 0, 'erased stays background');
    assert.equal(at(r2, 335, 255), 1, 'the model elsewhere');
    // Undoing the click keeps the strokes made before it.
    const back = (await p.rewind([c1]))!;
    assert.equal(back.clickCount, 1);
    assert.equal(at(back, 110, 100), 1);
    assert.equal(at(back, 320, 240), 0);
    // Undoing the strokes, newest first, brings the model's answer back.
    const u1 = (await p.undoStroke())!;
    assert.equal(at(u1, 320, 240), 1, 'the erase is undone');
    assert.equal(at(u1, 110, 100), 1, 'the paint is not yet');
    const u2 = (await p.undoStroke())!;
    assert.deepEqual(predictionToMask(u2, W, H), predictionToMask(r1, W, H));
    await assert.rejects(p.undoStroke(), /can no longer be undone/);
    p.dispose();
  });

  it('a stroke sent while a click runs neither drops its answer nor is lost; Reset drops strokes made before the first click', async () => {
    const p = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu' });
    await p.stroke({ mode: 'paint', radius: 4, points: [50, 50] });
    const c1 = { x: 320, y: 240, positive: true };
    const [r1] = await Promise.all([p.predict([c1]), p.stroke({ mode: 'paint', radius: 4, points: [600, 400] })]);
    assert.ok(r1, 'the click still answers');
    assert.equal(at(r1, 50, 50), 1, 'the stroke before the click is in its answer');
    const r2 = (await p.predict([c1, { x: 300, y: 230, positive: true }]))!;
    assert.equal(at(r2, 600, 400), 1, 'the stroke during the click is kept');
    const none = (await p.rewind([]))!;
    assert.equal(none.data.length, 0, 'Reset: back to nothing');
    p.dispose();
  });
  it('on a very large image\'s working copy: full-image strokes land where the webview draws them, through later clicks', async () => {
    // A 6400x4800 image (31 MP, over WORKING_PIXELS) segmented on a copy at a tenth: a scale the
    // tiny graph answers at once; the mapping is the one of any working copy.
    const w: WorkingScale = { fullWidth: 6400, fullHeight: 4800, width: W, height: H };
    const p = await Predictor.open(pool, grey(W, H), { modelPath: TINY, device: 'cpu', working: w });
    /** The answer at working-copy pixel (x, y) (its box is in image pixels, its data on the copy's grid). */
    const atCopy = (r: { box: BoxXYWH; data: Uint8Array; sample?: { width: number; height: number } }, x: number, y: number): number => {
      const b = toWorkingBox(r.box, w);
      assert.deepEqual([b.width, b.height], [r.sample!.width, r.sample!.height], 'the box maps back onto the copy');
      if (x < b.x || y < b.y || x >= b.x + b.width || y >= b.y + b.height) return 0;
      return r.data[(y - b.y) * b.width + (x - b.x)] > 127 ? 1 : 0;
    };
    const atFull = (r: Parameters<typeof atCopy>[0], x: number, y: number): number => {
      const [u, v] = toWorkingPoints([x, y], w);
      return atCopy(r, Math.round(u), Math.round(v));
    };
    const c1 = { x: 3200, y: 2400, positive: true };
    const r1 = (await p.predict([c1]))!;
    assert.ok(r1.sample, 'answered on the copy\'s grid');
    assert.equal(atFull(r1, 3200, 2400), 1);
    assert.equal(atFull(r1, 1100, 1000), 0);
    const paint: BrushStroke = { mode: 'paint', radius: 60, points: [1000, 1000, 1200, 1000] };
    const erase: BrushStroke = { mode: 'erase', radius: 50, points: [3200, 2400] };
    await p.stroke(paint);
    await p.stroke(erase);
    const r2 = (await p.predict([c1, { x: 3300, y: 2500, positive: true }]))!;
    assert.equal(atFull(r2, 1100, 1000), 1, 'painted stays object');
    assert.equal(atFull(r2, 1100, 1100), 0, 'beyond the brush radius');
    assert.equal(atFull(r2, 3200, 2400), 0, 'erased stays background');
    assert.equal(atFull(r2, 3350, 2550), 1, 'the model elsewhere');
    // The webview's preview of the same strokes (segmentState.ts: its layer on the copy's grid)
    // covers exactly the pixels the host painted and erased.
    const layer = new OverrideLayer(W, H);
    layer.draw(toWorkingStroke(paint, w));
    layer.draw(toWorkingStroke(erase, w));
    let painted = 0;
    for (let y = 80; y < 120; y++) {
      for (let x = 85; x < 135; x++) {
        const v = layer.at(x, y);
        if (v === OVERRIDE_OBJECT) painted++;
        assert.equal(atCopy(r2, x, y), v === OVERRIDE_OBJECT ? 1 : 0, `paint at copy pixel (${x}, ${y})`);
      }
    }
    assert.ok(painted > 200, `${painted} painted copy pixels`);
    for (let y = 230; y < 250; y++) for (let x = 310; x < 330; x++) if (layer.at(x, y) === OVERRIDE_BACKGROUND) assert.equal(atCopy(r2, x, y), 0, `erase at (${x}, ${y})`);
    p.dispose();
  });
});
