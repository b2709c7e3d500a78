import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resizePlane, resizeRgbToTensor } from '../../../src/shared/inference/resize';
import { goldenPath } from '../helpers/golden';

interface Golden {
  height: number;
  width: number;
  input: number[];
  cases: { height: number; width: number; antialias: boolean; data: number[] }[];
}

describe('resize (bilinear, torch-compatible)', () => {
  // Computed by test/fixtures/gen/resize_golden.py with torch.nn.functional.interpolate.
  const golden = JSON.parse(readFileSync(goldenPath('inference/resize.json'), 'utf8')) as Golden;
  const src = Float32Array.from(golden.input);

  for (const c of golden.cases) {
    it(`matches torch ${golden.height}x${golden.width} -> ${c.height}x${c.width} antialias=${c.antialias}`, () => {
      const out = resizePlane(src, golden.width, { x: 0, y: 0, width: golden.width, height: golden.height }, c.width, c.height, c.antialias);
      let maxErr = 0;
      for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - c.data[i]));
      assert.ok(maxErr < 2e-6, `max abs error ${maxErr}`);
    });
  }

  it('resizes a crop of an RGB image into a zero-padded planar tensor like three plane resizes', () => {
    const w = 23, h = 17;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + 11) % 256;
    const box = { x: 3, y: 2, width: 15, height: 12 };
    const t = resizeRgbToTensor({ width: w, height: h, data: rgb }, box, 7, 5, 32, 32);
    assert.equal(t.length, 3 * 32 * 32);
    for (let ch = 0; ch < 3; ch++) {
      const plane = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) plane[i] = rgb[i * 3 + ch] / 255;
      const ref = resizePlane(plane, w, box, 7, 5, true);
      for (let r = 0; r < 32; r++) {
        for (let c = 0; c < 32; c++) {
          const v = t[ch * 1024 + r * 32 + c];
          if (r < 5 && c < 7) assert.ok(Math.abs(v - ref[r * 7 + c]) < 1e-6);
          else assert.equal(v, 0, 'padding must be zero');
        }
      }
    }
  });
});
