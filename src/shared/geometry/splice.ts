/**
 * After a brush stroke on a finished object, its mask is traced and simplified again (as a click
 * object's). Away from the stroke that outline is the old polygon's rasterisation traced anew:
 * within a pixel of the old outline but not equal to it, so every stroke would move the whole
 * outline a little (about +0.3 % of a curved object's area per stroke, measured). `spliceUntouched`
 * puts the old polygon's own vertices back wherever the new outline runs far from the stroke, so
 * a stroke changes the outline only where it painted or erased.
 */
import type { MultiPolygonXY, RingXY } from '../annotation/types';
import { isClockwise, nearestEdge, reverseRing, type NearestEdge } from './polygon';

/**
 * `traced` with each run of vertices for which `near` is false (away from the stroke) replaced by
 * the matching stretch of a ring of `before`, when the whole run lies within `slack` pixels of
 * that ring (otherwise the run stays as traced). A ring with no vertex near the stroke becomes the
 * old ring it matches.
 */
export function spliceUntouched(traced: MultiPolygonXY, before: MultiPolygonXY, near: (x: number, y: number) => boolean, slack: number): MultiPolygonXY {
  const old = before.flatMap((r) => [r.outer, ...r.holes]).filter((r) => r.length >= 6);
  const ring = (r: RingXY) => spliceRing(r, old, near, slack);
  return traced.map((r) => ({ outer: ring(r.outer), holes: r.holes.map(ring) }));
}

/** Distance from (x, y) to the nearest edge of `ring`. */
function dist(ring: RingXY, x: number, y: number): number {
  return nearestEdge(ring, x, y)?.distance ?? Infinity;
}

function spliceRing(ring: RingXY, old: RingXY[], near: (x: number, y: number) => boolean, slack: number): RingXY {
  const n = ring.length >> 1;
  if (n < 3) return ring;
  const far: boolean[] = [];
  for (let i = 0; i < n; i++) far.push(!near(ring[2 * i], ring[2 * i + 1]));
  const start = far.indexOf(false);
  if (start < 0) return wholeRing(ring, old, slack);
  if (!far.includes(true)) return ring;
  // Walk from a vertex near the stroke, so no run of far vertices wraps around.
  const out: number[] = [];
  let i = 0;
  while (i < n) {
    const k = (start + i) % n;
    if (!far[k]) {
      out.push(ring[2 * k], ring[2 * k + 1]);
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && far[(start + j + 1) % n]) j++;
    const run: number[] = [];
    for (let m = i; m <= j; m++) run.push(ring[2 * ((start + m) % n)], ring[2 * ((start + m) % n) + 1]);
    out.push(...(run.length >= 4 ? stretch(run, old, slack) ?? run : run));
    i = j + 1;
  }
  return dedupe(out);
}

/** The old ring a ring far from the stroke matches (each within `slack` of the other), in its orientation. */
function wholeRing(ring: RingXY, old: RingXY[], slack: number): RingXY {
  for (const o of old) {
    if (!within(ring, o, slack) || !within(o, ring, slack)) continue;
    return isClockwise(o) === isClockwise(ring) ? o.slice() : reverseRing(o);
  }
  return ring;
}

function within(points: RingXY, ring: RingXY, slack: number): boolean {
  for (let i = 0; i < points.length; i += 2) if (dist(ring, points[i], points[i + 1]) > slack) return false;
  return true;
}

/**
 * The stretch of an old ring from the projection of the run's first point to that of its last,
 * in the direction whose length is closer to the run's; null when no old ring holds the run.
 */
function stretch(run: number[], old: RingXY[], slack: number): number[] | null {
  const ax = run[0], ay = run[1], bx = run[run.length - 2], by = run[run.length - 1];
  let best: { ring: RingXY; a: NearestEdge; b: NearestEdge } | null = null;
  for (const o of old) {
    const a = nearestEdge(o, ax, ay), b = nearestEdge(o, bx, by);
    if (!a || !b || a.distance > slack || b.distance > slack) continue;
    if (!best || a.distance + b.distance < best.a.distance + best.b.distance) best = { ring: o, a, b };
  }
  if (!best || !within(run, best.ring, slack)) return null;
  const { ring, a, b } = best;
  const n = ring.length >> 1;
  let runLength = 0;
  for (let i = 2; i < run.length; i += 2) runLength += Math.hypot(run[i] - run[i - 2], run[i + 1] - run[i - 1]);
  const forward: number[] = [a.x, a.y], backward: number[] = [a.x, a.y];
  // Forward: the vertices after a's edge up to b's edge's start.
  if (!(a.edge === b.edge && a.t <= b.t)) {
    for (let k = (a.edge + 1) % n, c = 0; c < n; k = (k + 1) % n, c++) {
      forward.push(ring[2 * k], ring[2 * k + 1]);
      if (k === b.edge) break;
    }
  }
  forward.push(b.x, b.y);
  // Backward: a's edge's start down to the vertex after b's edge.
  if (!(a.edge === b.edge && a.t >= b.t)) {
    for (let k = a.edge, c = 0; c < n; k = (k - 1 + n) % n, c++) {
      backward.push(ring[2 * k], ring[2 * k + 1]);
      if (k === (b.edge + 1) % n) break;
    }
  }
  backward.push(b.x, b.y);
  const len = (p: number[]) => {
    let s = 0;
    for (let i = 2; i < p.length; i += 2) s += Math.hypot(p[i] - p[i - 2], p[i + 1] - p[i - 1]);
    return s;
  };
  return Math.abs(len(forward) - runLength) <= Math.abs(len(backward) - runLength) ? forward : backward;
}

/** Drops a point equal to the one before it (and a last point equal to the first). */
function dedupe(ring: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i], y = ring[i + 1], m = out.length;
    if (m && Math.abs(out[m - 2] - x) < 1e-9 && Math.abs(out[m - 1] - y) < 1e-9) continue;
    out.push(x, y);
  }
  while (out.length > 6 && Math.abs(out[0] - out[out.length - 2]) < 1e-9 && Math.abs(out[1] - out[out.length - 1]) < 1e-9) out.length -= 2;
  return out;
}
