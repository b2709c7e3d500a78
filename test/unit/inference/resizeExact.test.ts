import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ResizedImageCache } from '../../../src/shared/inference/pipeline';
import { inputGeometry } from '../../../src/shared/inference/crop';
import { resizePlane, resizeRgbToTensor } from '../../../src/shared/inference/resize';
import { goldenPath } from '../helpers/golden';

interface Golden {
  height: number;
  width: number;
  box: [number, number, number, number];
  rgb: number[];
  plane: number[];
  cases: { kind: 'image-crop' | 'map-whole' | 'map-rows' | 'map-crop'; height: number; width: number; bits: number[] }[];
}

/** Positions where two float32 arrays differ bit for bit. */
function mismatches(a: Float32Array, bits: number[]): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let n = 0;
  for (let i = 0; i < bits.length; i++) if (u[i] !== bits[i]) n++;
  return n + Math.abs(a.length - bits.length);
}

describe('resize: bit-exact with torch as models/evaluate.py calls it', () => {
  // Computed by test/fixtures/gen/resize_exact_golden.py (float32 bit patterns).
  const g = JSON.parse(readFileSync(goldenPath('inference/resize-exact.json'), 'utf8')) as Golden;
  const [top, left, ch, cw] = g.box;
  const image = { width: g.width, height: g.height, data: Uint8Array.from(g.rgb) };
  const plane = new Float32Array(Uint32Array.from(g.plane).buffer);

  for (const c of g.cases) {
    it(`${c.kind} -> ${c.height}x${c.width}`, () => {
      let out: Float32Array;
      if (c.kind === 'image-crop') {
        out = resizeRgbToTensor(image, { x: left, y: top, width: cw, height: ch }, c.width, c.height, c.width, c.height);
      } else if (c.kind === 'map-whole') {
        out = resizePlane(plane, g.width, { x: 0, y: 0, width: g.width, height: g.height }, c.width, c.height, false);
      } else if (c.kind === 'map-rows') {
        out = resizePlane(plane, g.width, { x: 0, y: top, width: g.width, height: ch }, c.width, c.height, false);
      } else {
        out = resizePlane(plane, g.width, { x: left, y: top, width: cw, height: ch }, c.width, c.height, false);
      }
      assert.equal(mismatches(out, c.bits), 0);
    });
  }

  it('a strided crop and a contiguous copy of it are resized differently, as torch does', () => {
    const crop = new Float32Array(cw * ch);
    for (let r = 0; r < ch; r++) crop.set(plane.subarray((top + r) * g.width + left, (top + r) * g.width + left + cw), r * cw);
    const viaCrop = resizePlane(plane, g.width, { x: left, y: top, width: cw, height: ch }, 53, 41, false);
    const viaCopy = resizePlane(crop, cw, { x: 0, y: 0, width: cw, height: ch }, 53, 41, false);
    const asCrop = resizePlane(crop, cw, { x: 0, y: 0, width: cw, height: ch }, 53, 41, false, undefined, 53, 0, 'strided');
    assert.deepEqual(asCrop, viaCrop);
    let differ = 0;
    for (let i = 0; i < viaCrop.length; i++) {
      if (viaCrop[i] !== viaCopy[i]) differ++;
      assert.ok(Math.abs(viaCrop[i] - viaCopy[i]) < 1e-6);
    }
    assert.ok(differ > 0, 'the two kernels round differently somewhere');
  });
});

describe('ResizedImageCache', () => {
  const w = 64, h = 48;
  const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 31 + 7) % 256);
  const image = { width: w, height: h, data: rgb };

  it('returns the stored tensor for a crop seen before and the same values as a fresh resize', () => {
    const cache = new ResizedImageCache(image);
    const g = inputGeometry({ x: 4, y: 6, width: 40, height: 30 }, 96);
    const a = cache.get(g);
    const b = cache.get(g);
    assert.equal(a, b);
    assert.deepEqual(a, resizeRgbToTensor(image, g.box, g.width, g.height, g.padWidth, g.padHeight));
    assert.deepEqual([cache.hits, cache.misses], [1, 1]);
    const other = cache.get(inputGeometry({ x: 5, y: 6, width: 40, height: 30 }, 96));
    assert.notEqual(other, a);
    assert.equal(cache.misses, 2);
  });

  it('drops the least recently used tensors beyond its byte budget', () => {
    const g1 = inputGeometry({ x: 0, y: 0, width: 64, height: 48 }, 64);
    const one = 3 * g1.padWidth * g1.padHeight * 4;
    const cache = new ResizedImageCache(image, 2 * one);
    const t1 = cache.get(g1);
    cache.get(inputGeometry({ x: 1, y: 0, width: 63, height: 48 }, 64));
    cache.get(g1); // g1 is now the most recent
    cache.get(inputGeometry({ x: 2, y: 0, width: 62, height: 48 }, 64));
    assert.equal(cache.size, 2);
    assert.equal(cache.get(g1), t1);
  });

  it('belongs to one image: a changed image (reloaded from disk) needs its own cache', async () => {
    const { prepareInput } = await import('../../../src/shared/inference/pipeline');
    const cache = new ResizedImageCache(image);
    const changed = { width: w, height: h, data: rgb.map((v) => 255 - v) };
    assert.throws(() => prepareInput(changed, [{ x: 10, y: 10, positive: true }], null, 64, { images: cache }), /another image/);
    const fresh = prepareInput(changed, [{ x: 10, y: 10, positive: true }], null, 64, { images: new ResizedImageCache(changed) });
    const plain = prepareInput(changed, [{ x: 10, y: 10, positive: true }], null, 64);
    assert.deepEqual(fresh.image, plain.image);
  });
});

describe('sigmoid rounds like torch.sigmoid (float32 steps)', () => {
  it('puts tiny logits on the same side of 0.5 as torch', async () => {
    const { sigmoidInPlace } = await import('../../../src/shared/inference/postprocess');
    // torch 1.13 CPU: torch.sigmoid(torch.tensor([...], dtype=torch.float32)).
    const logits = Float32Array.from([1e-8, 5e-8, 1.1e-7, -1e-8, 0, 2.5e-7, -3e-7, 3, -12.5, 40, -100]);
    const torch = [0.5, 0.5, 0.5000000596046448, 0.5, 0.5, 0.5000000596046448, 0.49999988079071045, 0.9525741338729858, 3.7266393064783188e-06, 1, 0];
    assert.deepEqual([...sigmoidInPlace(logits)], torch);
  });
});
