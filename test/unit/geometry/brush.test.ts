import * as assert from 'node:assert/strict';
import {
  applyOverride, bakeOverride, OverrideLayer, rasterizeStroke, strokeBounds, type BrushStroke,
} from '../../../src/shared/geometry/brush';

/** Brute force: every pixel centre within `radius` of the polyline. */
function bruteForce(s: BrushStroke, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const p = s.points;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const x = c + 0.5, y = r + 0.5;
      let best = Infinity;
      for (let i = 0; i < p.length / 2; i++) {
        const ax = p[2 * i], ay = p[2 * i + 1];
        const bx = i + 1 < p.length / 2 ? p[2 * i + 2] : ax, by = i + 1 < p.length / 2 ? p[2 * i + 3] : ay;
        const dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
        const t = l2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
        best = Math.min(best, (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2);
      }
      if (best <= s.radius * s.radius) out[r * w + c] = 1;
    }
  }
  return out;
}

describe('brush strokes (shared)', () => {
  const W = 60, H = 40, whole = { x: 0, y: 0, width: W, height: H };

  it('covers exactly the pixels whose centres are within the radius of the polyline', () => {
    const strokes: BrushStroke[] = [
      { mode: 'paint', radius: 5, points: [30, 20] },
      { mode: 'paint', radius: 3.2, points: [5, 5, 40, 12, 41, 30, 10, 35] },
      { mode: 'erase', radius: 0.5, points: [2.3, 7.9, 50.1, 8.2] },
      { mode: 'paint', radius: 8, points: [-5, -5, 70, 50] }, // off the image at both ends
    ];
    for (const s of strokes) {
      const out = new Uint8Array(W * H);
      rasterizeStroke(s, whole, out, 1);
      assert.deepEqual(out, bruteForce(s, W, H), JSON.stringify(s));
    }
  });

  it('drawn piece by piece while dragging, gives the same pixels as drawn whole', () => {
    const s: BrushStroke = { mode: 'paint', radius: 4, points: [5, 5, 12, 9, 20, 9, 33, 25, 50, 30] };
    const whole1 = new Uint8Array(W * H);
    rasterizeStroke(s, whole, whole1, 1);
    const parts = new Uint8Array(W * H);
    for (let n = 1; n <= 5; n++) rasterizeStroke(s, whole, parts, 1, n - 1, n);
    assert.deepEqual(parts, whole1);
  });

  it('touches only the stroke box (clipped to the image) and writes into a sub-box raster', () => {
    const s: BrushStroke = { mode: 'paint', radius: 3, points: [10, 10] };
    assert.deepEqual(strokeBounds(s, whole), { x: 7, y: 7, width: 6, height: 6 });
    assert.deepEqual(strokeBounds({ ...s, points: [1, 1] }, whole), { x: 0, y: 0, width: 4, height: 4 });
    assert.equal(strokeBounds({ ...s, points: [-10, -10] }, whole), null);
    const box = { x: 5, y: 5, width: 10, height: 10 };
    const out = new Uint8Array(100);
    rasterizeStroke(s, box, out, 7);
    const full = bruteForce(s, W, H);
    for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) assert.equal(out[r * 10 + c], full[(r + 5) * W + c + 5] * 7);
  });

  it('the override layer grows without losing strokes and undoes a stroke from its saved patch', () => {
    const o = new OverrideLayer(1000, 800);
    o.draw({ mode: 'paint', radius: 4, points: [100, 100] });
    const first = o.box!;
    assert.ok(first.width < 1000, 'a box around the stroke, not the image');
    const s2: BrushStroke = { mode: 'erase', radius: 4, points: [900, 700, 98, 100] };
    const before = o.save(strokeBounds(s2, { x: 0, y: 0, width: 1000, height: 800 })!);
    o.draw(s2);
    assert.equal(o.at(100, 100), 2, 'a later stroke wins');
    assert.equal(o.at(102, 97), 1, 'the first stroke outside the second is kept');
    assert.equal(o.at(900, 700), 2);
    o.restore(before);
    assert.equal(o.at(100, 100), 1);
    assert.equal(o.at(900, 700), 0);
  });

  it('puts strokes on a mask after the options and bakes them into probabilities', () => {
    const o = new OverrideLayer(20, 10);
    o.draw({ mode: 'paint', radius: 1, points: [15.5, 5.5] });
    o.draw({ mode: 'erase', radius: 1, points: [2.5, 2.5] });
    const box = { x: 0, y: 0, width: 10, height: 10 };
    const mask = new Uint8Array(100).fill(1);
    const area = applyOverride(mask, box, 100, o);
    assert.equal(mask[2 * 10 + 2], 0);
    assert.equal(area, 100 - mask.reduce((a, v) => a + (v ? 0 : 1), 0));
    const probs = new Uint8Array(100).fill(200);
    const out = bakeOverride(probs, box, { x: 0, y: 0, width: 20, height: 10 }, o);
    assert.equal(out[5 * 20 + 15], 255, 'painted outside the prediction box');
    assert.equal(out[2 * 20 + 2], 0, 'erased');
    assert.equal(out[5 * 20 + 5], 200, 'the model elsewhere');
    assert.equal(out[5 * 20 + 12], 0, 'outside the prediction box and unpainted');
  });
});
