import * as assert from 'node:assert/strict';
import { encodeClicks } from '../../../src/shared/inference/clicks';
import {
  clickToModel, firstFocusRegion, FIRST_FOCUS_MIN_ZOOM, focusBox, inputGeometry, modelToImage, padTo32, probabilityBounds, targetSize,
} from '../../../src/shared/inference/crop';
import { applyPatch, emptyPredictionState, outputToPatch, prepareInput, stateFromMask } from '../../../src/shared/inference/pipeline';

describe('click encoding', () => {
  it('marks a radius-5 disk (81 pixels) in the positive channel only', () => {
    const t = encodeClicks([{ row: 10, col: 12, positive: true }], 32, 32);
    let pos = 0, neg = 0;
    for (let i = 0; i < 1024; i++) pos += t[i];
    for (let i = 1024; i < 2048; i++) neg += t[i];
    assert.equal(pos, 81);
    assert.equal(neg, 0);
    assert.equal(t[10 * 32 + 17], 1);
    assert.equal(t[10 * 32 + 18], 0);
    assert.equal(t[(10 + 3) * 32 + 12 + 4], 1); // 9 + 16 = 25
    assert.equal(t[(10 + 4) * 32 + 12 + 4], 0); // 32 > 25
  });

  it('clips disks at the border and puts negative clicks in channel 1', () => {
    const t = encodeClicks([{ row: 0, col: 0, positive: false }], 32, 32);
    let neg = 0;
    for (let i = 1024; i < 2048; i++) neg += t[i];
    // Quarter disk incl. axes: rows 0..5 with spans floor(sqrt(25 - r^2)) + 1.
    assert.equal(neg, 6 + 5 + 5 + 5 + 4 + 1);
    assert.equal(t[0], 0);
  });
});

describe('focus crop and its inverse', () => {
  it('sizes the model input: longer side = target, sides rounded, padded to /32', () => {
    assert.deepEqual(targetSize(4000, 3000, 400), { width: 400, height: 300 });
    assert.deepEqual(targetSize(481, 321, 400), { width: 400, height: 267 });
    assert.equal(padTo32(267), 288);
    assert.equal(padTo32(256), 256);
    const g = inputGeometry({ x: 0, y: 0, width: 481, height: 321 }, 400);
    assert.deepEqual([g.width, g.height, g.padWidth, g.padHeight], [400, 267, 416, 288]);
  });

  it('maps clicks by the resize then floor, drops clicks outside the crop, and inverts within a model pixel', () => {
    const g = inputGeometry({ x: 100, y: 50, width: 800, height: 600 }, 400);
    assert.deepEqual(clickToModel({ x: 100, y: 50, positive: true }, g), { row: 0, col: 0, positive: true });
    assert.deepEqual(clickToModel({ x: 501, y: 349.9, positive: false }, g), { row: 149, col: 200, positive: false });
    assert.equal(clickToModel({ x: 99.9, y: 60, positive: true }, g), null);
    assert.equal(clickToModel({ x: 900, y: 60, positive: true }, g), null);
    for (const [x, y] of [[123.4, 77.7], [899.99, 649.99], [450, 300]]) {
      const m = clickToModel({ x, y, positive: true }, g)!;
      const back = modelToImage(m.row, m.col, g);
      assert.ok(x - back.x >= 0 && x - back.x < 2 && y - back.y >= 0 && y - back.y < 2, `${x},${y} -> ${back.x},${back.y}`);
    }
  });

  it('expands the box of mask and clicks by 1.4, keeps 200 px minimum, stays inside the image', () => {
    // Object 100x50 at (500..599, 300..349): 1.4x -> 140 x 70 -> min side 200.
    const b = focusBox({ x0: 500, y0: 300, x1: 599, y1: 349 }, [], 1000, 800);
    assert.deepEqual(b, { x: 450, y: 225, width: 200, height: 200 });
    // Big object: 1.4x around the centre.
    const c = focusBox({ x0: 100, y0: 100, x1: 599, y1: 399 }, [{ x: 50, y: 250, positive: false }], 1000, 800);
    // x: 50..599 (550 px) -> 770, centre 325 -> start -60 -> clamped 0; y: 300 -> 420, centre 250 -> 40.
    assert.deepEqual(c, { x: 0, y: 40, width: 770, height: 420 });
    // Small image: min side capped by the image side and clamped at the far edge.
    assert.deepEqual(focusBox({ x0: 140, y0: 90, x1: 149, y1: 99 }, [], 150, 100), { x: 0, y: 0, width: 150, height: 100 });
    // Nothing at all -> whole image.
    assert.deepEqual(focusBox(null, [], 30, 20), { x: 0, y: 0, width: 30, height: 20 });
  });

  it('finds the bounds of probabilities above the threshold', () => {
    const p = new Float32Array(6 * 4);
    p[1 * 6 + 2] = 0.7;
    p[2 * 6 + 4] = 0.51;
    p[3 * 6 + 5] = 0.5;
    assert.deepEqual(probabilityBounds(p, 6, 4), { x0: 2, y0: 1, x1: 4, y1: 2 });
    assert.equal(probabilityBounds(new Float32Array(4), 2, 2), null);
  });

  it('prepares whole-image input for the first click and a crop with the edge prior afterwards', () => {
    const W = 640, H = 480;
    const image = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(255) };
    const first = prepareInput(image, [{ x: 320, y: 240, positive: true }], null, 400);
    assert.deepEqual(first.geometry.box, { x: 0, y: 0, width: W, height: H });
    assert.deepEqual([first.geometry.width, first.geometry.height, first.geometry.padWidth, first.geometry.padHeight], [400, 300, 416, 320]);
    assert.deepEqual(first.modelClicks, [{ row: 150, col: 200, positive: true }]);
    assert.equal(first.prevEdge.reduce((a, b) => a + b, 0), 0);
    assert.ok(Math.abs(first.image[0] - 1) < 1e-6 && first.image[399] > 0.99 && first.image[400] === 0);

    const mask = new Uint8Array(W * H);
    for (let r = 200; r < 280; r++) for (let c = 300; c < 340; c++) mask[r * W + c] = 1;
    const prev = stateFromMask(mask, W, H);
    const second = prepareInput(image, [{ x: 320, y: 240, positive: true }, { x: 10, y: 10, positive: false }], prev, 400);
    const box = second.geometry.box;
    // mask 300..339 x 200..279 united with (10,10): x 10..339 (330 -> 462), y 10..279 (270 -> 378).
    assert.deepEqual(box, { x: 0, y: 0, width: 462, height: 378 });
    assert.equal(second.modelClicks.length, 2);
    // The edge prior is the mask's 2-px boundary band, resized: some, but far fewer than the mask.
    const edgeSum = second.prevEdge.reduce((a, b) => a + b, 0);
    assert.ok(edgeSum > 100 && edgeSum < 1000, `edge pixels ${edgeSum}`);
  });

  it('the first focused click of a new object crops only when the crop zooms in enough', () => {
    assert.equal(FIRST_FOCUS_MIN_ZOOM, 2);
    const whole = { x: 0, y: 0, width: 640, height: 480 };
    // Longer crop side 320 = 640 / 2: zooms in exactly twice, the crop is kept.
    assert.deepEqual(firstFocusRegion({ x: 10, y: 20, width: 320, height: 200 }, 640, 480), { x: 10, y: 20, width: 320, height: 200 });
    // 321: less than twice, the whole image.
    assert.deepEqual(firstFocusRegion({ x: 10, y: 20, width: 200, height: 321 }, 640, 480), whole);
    assert.deepEqual(firstFocusRegion({ x: 10, y: 20, width: 200, height: 321 }, 640, 480, 0), { x: 10, y: 20, width: 200, height: 321 });

    const W = 640, H = 480;
    const image = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(128) };
    const clicks = [{ x: 320, y: 240, positive: true }, { x: 330, y: 250, positive: true }];
    const maskOf = (x0: number, y0: number, x1: number, y1: number) => {
      const m = new Uint8Array(W * H);
      for (let r = y0; r < y1; r++) for (let c = x0; c < x1; c++) m[r * W + c] = 1;
      return stateFromMask(m, W, H);
    };
    // A large first mask (300 px wide, x1.4 = 420 > 640 / 2): the whole image at click 2.
    const large = maskOf(170, 150, 470, 330);
    assert.deepEqual(prepareInput(image, clicks, large, 400, { firstFocus: true }).geometry.box, whole);
    // The same click 3, or a refine (not the first focus), crops.
    assert.notDeepEqual(prepareInput(image, clicks, large, 400).geometry.box, whole);
    // A small first mask: the crop zooms in (min side 200 < 320), so click 2 crops.
    const small = maskOf(310, 230, 340, 260);
    assert.deepEqual(prepareInput(image, clicks, small, 400, { firstFocus: true }).geometry.box, { x: 225, y: 145, width: 200, height: 200 });
  });

  it('crops click 2 only when the crop needs no upsampling (firstFocusNoUpscale); click 3 zooms', () => {
    // The contract since session 8: the worker sets firstFocusNoUpscale on click 2 (minSide = the target size).
    assert.deepEqual(firstFocusRegion({ x: 10, y: 20, width: 200, height: 150 }, 640, 480, 2, 400), { x: 0, y: 0, width: 640, height: 480 });
    assert.deepEqual(firstFocusRegion({ x: 10, y: 20, width: 200, height: 150 }, 640, 480, 2, 0), { x: 10, y: 20, width: 200, height: 150 });
    // A 4000x3000 photo: a 900 px crop zooms in 4.4x and is shrunk to 400, so click 2 uses it.
    assert.deepEqual(firstFocusRegion({ x: 100, y: 200, width: 900, height: 700 }, 4000, 3000, 2, 400), { x: 100, y: 200, width: 900, height: 700 });
    // ... a 300 px crop of it would be blown up: the whole image.
    assert.deepEqual(firstFocusRegion({ x: 100, y: 200, width: 300, height: 250 }, 4000, 3000, 2, 400), { x: 0, y: 0, width: 4000, height: 3000 });
    const W = 640, H = 480;
    const image = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(128) };
    const m = new Uint8Array(W * H);
    for (let r = 230; r < 260; r++) for (let c = 310; c < 340; c++) m[r * W + c] = 1;
    const prev = stateFromMask(m, W, H);
    const clicks = [{ x: 320, y: 240, positive: true }, { x: 330, y: 250, positive: true }];
    assert.deepEqual(prepareInput(image, clicks, prev, 400, { firstFocus: true, firstFocusNoUpscale: true }).geometry.box, { x: 0, y: 0, width: W, height: H });
    assert.deepEqual(prepareInput(image, clicks, prev, 400, { firstFocus: true }).geometry.box, { x: 225, y: 145, width: 200, height: 200 });
  });

  it('pastes a patch back at the crop and undoes it exactly', () => {
    const W = 50, H = 40;
    const state = emptyPredictionState(W, H);
    state.probs.fill(0.25);
    const g = inputGeometry({ x: 10, y: 5, width: 20, height: 10 }, 20);
    const logits = new Float32Array(g.padWidth * g.padHeight).fill(10);
    const patch = outputToPatch(g, logits, logits);
    assert.equal(patch.probs.length, 200);
    const undo = applyPatch(state, patch);
    assert.ok(state.probs[5 * W + 10] > 0.99 && state.probs[14 * W + 29] > 0.99);
    assert.equal(state.probs[4 * W + 10], 0.25);
    assert.equal(state.probs[5 * W + 30], 0.25);
    applyPatch(state, undo);
    assert.ok(state.probs.every((v) => v === 0.25));
  });
});
