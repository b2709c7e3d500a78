import * as assert from 'node:assert/strict';
import { fillHoles, keepLargestRegion, labelComponents } from '../../../src/shared/geometry/components';
import { rng } from '../helpers/masks';

// The run-based keepLargestRegion/fillHoles must give exactly what the per-pixel flood-fill versions
// gave (8-connected foreground, 4-connected background). The references below are those versions
// (before the scanline rewrite), kept here as the oracle; they label with labelComponents, the
// per-pixel flood fill that the rewrite left in place (and components.test.ts checks on its own).

/** A copy of `mask` (0/1) keeping only its largest 8-connected region (ties: the first found). */
function refKeepLargest(mask: Uint8Array, width: number, height: number): Uint8Array {
  const { labels, count, areas } = labelComponents(mask, width, height, 8);
  const out = new Uint8Array(width * height);
  if (count === 0) return out;
  let best = 1;
  for (let k = 2; k <= count; k++) if (areas[k] > areas[best]) best = k;
  for (let i = 0; i < out.length; i++) out[i] = labels[i] === best ? 1 : 0;
  return out;
}

/** A copy of `mask` (0/1) with every background region that does not touch the border filled. */
function refFillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n);
  // Flood the background from the border (4-connected); whatever is not reached is object.
  const outside = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  const push = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let c = 0; c < width; c++) {
    push(c);
    push((height - 1) * width + c);
  }
  for (let r = 0; r < height; r++) {
    push(r * width);
    push(r * width + width - 1);
  }
  while (top > 0) {
    const p = stack[--top];
    const r = (p / width) | 0, c = p - r * width;
    if (r > 0) push(p - width);
    if (r < height - 1) push(p + width);
    if (c > 0) push(p - 1);
    if (c < width - 1) push(p + 1);
  }
  for (let i = 0; i < n; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}


type Gen = (w: number, h: number, rand: () => number) => Uint8Array;

const noise = (density: number): Gen => (w, h, rand) => {
  const m = new Uint8Array(w * h);
  for (let i = 0; i < m.length; i++) m[i] = rand() < density ? 1 : 0;
  return m;
};

/** Filled discs and rings (rings leave holes), some carved back out. */
const blobs: Gen = (w, h, rand) => {
  const m = new Uint8Array(w * h);
  const k = 1 + Math.floor(rand() * 6);
  for (let b = 0; b < k; b++) {
    const cx = rand() * w, cy = rand() * h, r = 1 + rand() * Math.max(w, h) / 3;
    const inner = rand() < 0.5 ? r * rand() : -1;
    const v = rand() < 0.8 ? 1 : 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d <= r && d > inner) m[y * w + x] = v;
    }
  }
  return m;
};

/** One-pixel lines in every direction: diagonals join only under 8-connectivity. */
const lines: Gen = (w, h, rand) => {
  const m = new Uint8Array(w * h);
  const k = 1 + Math.floor(rand() * 8);
  for (let l = 0; l < k; l++) {
    let x = Math.floor(rand() * w), y = Math.floor(rand() * h);
    const dx = Math.floor(rand() * 3) - 1, dy = Math.floor(rand() * 3) - 1;
    const len = Math.floor(rand() * Math.max(w, h));
    for (let s = 0; s < len && x >= 0 && y >= 0 && x < w && y < h; s++, x += dx, y += dy) m[y * w + x] = 1;
  }
  return m;
};

/** Checkerboards and diagonal stripes: 8-connected foreground, 4-separated background everywhere. */
const checker: Gen = (w, h, rand) => {
  const m = new Uint8Array(w * h);
  const period = 2 + Math.floor(rand() * 3);
  const diag = rand() < 0.5;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    m[y * w + x] = diag ? ((x + y) % period === 0 ? 1 : 0) : ((x + y) % 2);
  }
  return m;
};

/** Non-0/1 values: anything non-zero is set. */
const bytes: Gen = (w, h, rand) => {
  const m = noise(0.55)(w, h, rand);
  for (let i = 0; i < m.length; i++) if (m[i]) m[i] = 1 + Math.floor(rand() * 255);
  return m;
};

const empty: Gen = (w, h) => new Uint8Array(w * h);
const full: Gen = (w, h) => new Uint8Array(w * h).fill(1);

const GENERATORS: Array<[string, Gen]> = [
  ['noise 0.05', noise(0.05)], ['noise 0.3', noise(0.3)], ['noise 0.5', noise(0.5)],
  ['noise 0.6', noise(0.6)], ['noise 0.8', noise(0.8)], ['noise 0.97', noise(0.97)],
  ['blobs', blobs], ['lines', lines], ['checker', checker], ['bytes', bytes], ['empty', empty], ['full', full],
];

function check(name: string, m: Uint8Array, w: number, h: number): void {
  assert.deepEqual(keepLargestRegion(m, w, h), refKeepLargest(m, w, h), `keepLargestRegion ${name} ${w}x${h}`);
  assert.deepEqual(fillHoles(m, w, h), refFillHoles(m, w, h), `fillHoles ${name} ${w}x${h}`);
}

describe('components: run-based regions equal the flood-fill reference', () => {
  it('on random masks of every kind and size (including 1-pixel and 1-wide images)', () => {
    const rand = rng(20261121);
    let cases = 0;
    for (const [name, gen] of GENERATORS) {
      for (const [w, h] of [[1, 1], [1, 7], [9, 1], [2, 2], [3, 3]]) { check(name, gen(w, h, rand), w, h); cases++; }
      for (let t = 0; t < 60; t++) {
        const w = 1 + Math.floor(rand() * 48), h = 1 + Math.floor(rand() * 48);
        check(name, gen(w, h, rand), w, h);
        cases++;
      }
    }
    assert.ok(cases > 700);
  });

  it('on sums of generators (blobs with noise and lines, holes inside holes) and the pipeline order', () => {
    const rand = rng(7);
    for (let t = 0; t < 150; t++) {
      const w = 1 + Math.floor(rand() * 80), h = 1 + Math.floor(rand() * 80);
      const a = blobs(w, h, rand), b = GENERATORS[Math.floor(rand() * GENERATORS.length)][1](w, h, rand);
      const m = new Uint8Array(w * h);
      for (let i = 0; i < m.length; i++) m[i] = rand() < 0.5 ? a[i] | b[i] : a[i] ^ b[i];
      check('mixed', m, w, h);
      // probabilitiesToMask runs keepLargestRegion then fillHoles.
      assert.deepEqual(fillHoles(keepLargestRegion(m, w, h), w, h), refFillHoles(refKeepLargest(m, w, h), w, h));
    }
  });

  it('keeps the first region found on an area tie, and fills a hole in a hole-ring', () => {
    // Two 2-pixel regions: the raster-first one stays.
    const w = 5, h = 3;
    const m = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(keepLargestRegion(m, w, h)), [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ring = Uint8Array.from([
      1, 1, 1, 1, 1,
      1, 0, 0, 0, 1,
      1, 0, 1, 0, 1,
      1, 0, 0, 0, 1,
      1, 1, 1, 1, 1,
    ]);
    assert.deepEqual(Array.from(fillHoles(ring, 5, 5)), new Array(25).fill(1));
    // A background pixel that reaches the border only diagonally is a hole (4-connected background).
    const diag = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    assert.deepEqual(Array.from(fillHoles(diag, 3, 3)), [0, 1, 0, 1, 1, 1, 0, 1, 0]);
  });

  it('times a 4000x3000 mask (printed, not asserted)', function () {
    this.timeout(60_000);
    const w = 4000, h = 3000;
    const rand = rng(3);
    const m = new Uint8Array(w * h);
    // A large object with pinholes and a ring-shaped hole, plus fragments around it (a typical click mask).
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const d = Math.hypot((x - 2000) / 1400, (y - 1500) / 1000);
      let v = d < 1 && !(d > 0.4 && d < 0.45) ? 1 : 0;
      if (rand() < 0.002) v ^= 1;
      m[y * w + x] = v;
    }
    const time = (f: () => Uint8Array): [number, Uint8Array] => {
      const t0 = process.hrtime.bigint();
      const r = f();
      return [Number(process.hrtime.bigint() - t0) / 1e6, r];
    };
    const [oldK, refK] = time(() => refKeepLargest(m, w, h));
    const [newK, k] = time(() => keepLargestRegion(m, w, h));
    const [oldF, refF] = time(() => refFillHoles(refK, w, h));
    const [newF, f] = time(() => fillHoles(k, w, h));
    assert.ok(Buffer.from(k).equals(Buffer.from(refK)));
    assert.ok(Buffer.from(f).equals(Buffer.from(refF)));
    console.log(`      4000x3000: keepLargestRegion ${oldK.toFixed(0)} -> ${newK.toFixed(0)} ms, fillHoles ${oldF.toFixed(0)} -> ${newF.toFixed(0)} ms`);
  });
});
