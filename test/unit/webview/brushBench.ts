/**
 * What a brush stroke costs on a 6000x4000 (24-megapixel) image, the largest one segmented at
 * full resolution (issue 30: strokes must stay fluid there). Prints milliseconds per step:
 *
 * - `move`: one pointer move during a stroke in a click session whose mask covers 4000x3000
 *   pixels: the new segment into the override layer and the mask (what the webview does per move
 *   before repainting that box of the overlay);
 * - `move outward`: the same while painting outwards past the mask's box (the box grows by half
 *   its size at a time, so the whole mask is recomputed a few times per stroke, not per move);
 * - `end mask` / `end outline`: the stroke's end (once per stroke, not per move): the mask
 *   options over the whole 12-megapixel box, then the outline the tool shows (traced on the
 *   coarser preview grid for a box this large; finishing traces exactly);
 * - `worker`: the host worker's share of a stroke (state, edge prior, bytes) on the 24-megapixel
 *   state;
 * - `object move` / `object end`: a stroke on a finished 3000x2000 object (rasterised on its box
 *   when the stroke starts, traced when it ends).
 *
 * Run: npm run bench:brush (it lives beside the webview tests: it runs webview modules, which only
 * that program may import; it is no test, mocha does not run it)
 */
import { performance } from 'node:perf_hooks';
import { OverrideLayer } from '../../../src/shared/geometry/brush';
import { emptyPredictionState } from '../../../src/shared/inference/pipeline';
import { strokeIntoState } from '../../../src/shared/inference/strokeState';
import { ObjectMaskEdit } from '../../../src/webview/segment/objectMaskEdit';
import { SegmentState } from '../../../src/webview/segment/segmentState';

const W = 6000, H = 4000;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(name: string, xs: number[]): string {
  return `${name.padEnd(14)} median ${median(xs).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms (${xs.length} runs)`;
}

/** A stroke's points: a wavy line across the object, `n` points about 6 px apart. */
function path(x0: number, y0: number, n: number): number[] {
  const pts: number[] = [];
  for (let i = 0; i < n; i++) pts.push(x0 + 6 * i, y0 + 40 * Math.sin(i / 15));
  return pts;
}

// A click session whose probabilities cover a 4000x3000 box (an object filling most of the photo).
const s = new SegmentState();
const box = { x: 1000, y: 500, width: 4000, height: 3000 };
const data = new Uint8Array(box.width * box.height);
for (let r = 300; r < 2700; r++) data.fill(220, r * box.width + 400, r * box.width + 3600);
s.result = { box, data };
s.resultClicks = 2;
s.clicks = [{ x: 3000, y: 2000, positive: true }, { x: 3100, y: 2000, positive: true }];
s.recompute();

const moves: number[] = [], ends: number[] = [], outlines: number[] = [];
s.override = new OverrideLayer(W, H);
for (let k = 0; k < 5; k++) {
  const radius = 25;
  const stroke = { mode: (k % 2 ? 'erase' : 'paint') as 'paint' | 'erase', radius, points: [] as number[] };
  const all = path(1200 + 300 * k, 900 + 400 * k, 300);
  for (let i = 0; i < all.length; i += 2) {
    stroke.points.push(all[i], all[i + 1]);
    const n = stroke.points.length / 2;
    const t0 = performance.now();
    const dirty = s.override.draw(stroke, n - 1, n);
    if (dirty) s.strokeLive(dirty);
    moves.push(performance.now() - t0);
  }
  const t1 = performance.now();
  s.recomputeMask();
  const t2 = performance.now();
  s.recomputePolygon(true);
  ends.push(t2 - t1);
  outlines.push(performance.now() - t2);
}

// A stroke painting outwards from the object, past its box, one pointer move at a time: the mask
// box must grow a few times, not on every move.
const outward: number[] = [];
let fullRecomputes = 0;
{
  s.override.clear();
  s.recompute();
  fullRecomputes = s.maskRevision;
  const stroke = { mode: 'paint' as const, radius: 25, points: [] as number[] };
  for (let i = 0; i < 400; i++) {
    stroke.points.push(4500 + 3 * i, 2000 + 2 * i);
    const n = stroke.points.length / 2;
    const t0 = performance.now();
    const dirty = s.override.draw(stroke, n - 1, n);
    if (dirty) s.strokeLive(dirty);
    outward.push(performance.now() - t0);
  }
  fullRecomputes = s.maskRevision - fullRecomputes;
}

// The worker's share: the same strokes on a full-resolution state.
const state = emptyPredictionState(W, H);
const layer = new OverrideLayer(W, H);
const workers: number[] = [];
for (let k = 0; k < 5; k++) {
  const t0 = performance.now();
  strokeIntoState(state, layer, { mode: 'paint', radius: 25, points: path(1200 + 300 * k, 900 + 400 * k, 300) });
  workers.push(performance.now() - t0);
}

// A finished 3000x2000 object with a wavy edge (a few hundred vertices).
const ring: number[] = [];
for (let i = 0; i < 400; i++) {
  const a = (i / 400) * 2 * Math.PI;
  ring.push(3000 + (1500 + 30 * Math.sin(12 * a)) * Math.cos(a), 2000 + (1000 + 30 * Math.sin(12 * a)) * Math.sin(a));
}
const objMoves: number[] = [], objStarts: number[] = [], objEnds: number[] = [];
for (let k = 0; k < 3; k++) {
  const all = path(4400 + 20 * k, 1500 + 200 * k, 100);
  const stroke = { mode: 'paint' as const, radius: 25, points: [all[0], all[1]] };
  const t0 = performance.now();
  const e = new ObjectMaskEdit(1, [{ outer: ring, holes: [] }], stroke, W, H);
  objStarts.push(performance.now() - t0);
  for (let i = 2; i < all.length; i += 2) {
    stroke.points.push(all[i], all[i + 1]);
    const t1 = performance.now();
    e.extend();
    objMoves.push(performance.now() - t1);
  }
  const t2 = performance.now();
  e.trace(1);
  objEnds.push(performance.now() - t2);
}

console.log(`brush strokes on a ${W}x${H} image (radius 25 px)`);
console.log(fmt('move', moves));
console.log(fmt('move outward', outward), `(${fullRecomputes} full mask recomputes in 400 moves)`);
console.log(fmt('end mask', ends));
console.log(fmt('end outline', outlines));
console.log(fmt('worker', workers));
console.log(fmt('object start', objStarts));
console.log(fmt('object move', objMoves));
console.log(fmt('object end', objEnds));
