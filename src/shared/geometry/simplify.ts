/**
 * Douglas–Peucker simplification of closed rings and multipolygons (tolerance in image pixels).
 * Rings that collapse below three vertices or to a negligible area are dropped; a region whose
 * outer ring collapses is dropped with its holes.
 */
import type { MultiPolygonXY, RingXY } from '../annotation/types';
import { ringSignedArea } from './polygon';

function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Marks the vertices kept by Douglas–Peucker on the open chain `first..last` (iterative). */
function douglasPeucker(ring: RingXY, first: number, last: number, tol2: number, keep: Uint8Array, n: number): void {
  const stack: number[] = [first, last];
  while (stack.length) {
    const b = stack.pop()!, a = stack.pop()!;
    const ia = a % n, ib = b % n;
    let maxD = -1, idx = -1;
    for (let k = a + 1; k < b; k++) {
      const i = k % n;
      const d = segDist2(ring[2 * i], ring[2 * i + 1], ring[2 * ia], ring[2 * ia + 1], ring[2 * ib], ring[2 * ib + 1]);
      if (d > maxD) {
        maxD = d;
        idx = k;
      }
    }
    if (idx >= 0 && maxD > tol2) {
      keep[idx % n] = 1;
      stack.push(a, idx, idx, b);
    }
  }
}

/**
 * Simplifies a closed ring with Douglas–Peucker at `tolerance` pixels. The ring is split at its
 * first vertex and the vertex farthest from it, so the result does not depend on where a long
 * straight run happens to start. Returns the ring unchanged for tolerance <= 0.
 */
export function simplifyRing(ring: RingXY, tolerance: number): RingXY {
  const n = ring.length >> 1;
  if (tolerance <= 0 || n <= 3) return ring.slice();
  let far = 0, farD = -1;
  for (let i = 1; i < n; i++) {
    const dx = ring[2 * i] - ring[0], dy = ring[2 * i + 1] - ring[1];
    const d = dx * dx + dy * dy;
    if (d > farD) {
      farD = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[far] = 1;
  const tol2 = tolerance * tolerance;
  douglasPeucker(ring, 0, far, tol2, keep, n);
  douglasPeucker(ring, far, n, tol2, keep, n);
  const out: RingXY = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(ring[2 * i], ring[2 * i + 1]);
  return out;
}

/** True when a simplified ring still encloses something (>= 3 vertices, area above 1e-6 px²). */
function isUsable(ring: RingXY): boolean {
  return ring.length >= 6 && Math.abs(ringSignedArea(ring)) > 1e-6;
}

/** Simplifies every ring of a multipolygon, dropping rings that collapse. */
export function simplifyMultiPolygon(regions: MultiPolygonXY, tolerance: number): MultiPolygonXY {
  const out: MultiPolygonXY = [];
  for (const r of regions) {
    const outer = simplifyRing(r.outer, tolerance);
    if (!isUsable(outer)) continue;
    const holes = r.holes.map((h) => simplifyRing(h, tolerance)).filter(isUsable);
    out.push({ outer, holes });
  }
  return out;
}

/** Total vertex count of a multipolygon (outer rings and holes). */
export function multiPolygonVertexCount(regions: MultiPolygonXY): number {
  let n = 0;
  for (const r of regions) {
    n += r.outer.length >> 1;
    for (const h of r.holes) n += h.length >> 1;
  }
  return n;
}
