/**
 * Polygon geometry on flat rings (`RingXY`: [x0,y0,x1,y1,...], image pixel coordinates, y down,
 * origin at the top-left corner of the top-left pixel; see annotation/types.ts).
 *
 * Orientation: `ringSignedArea` is the shoelace sum (x_i*y_{i+1} - x_{i+1}*y_i)/2. Because y points
 * down, a POSITIVE value means the ring runs CLOCKWISE as seen on screen.
 *
 * Inside tests (`pointInRing`, rasterisation) use the even-odd rule on each ring, so a region is
 * "inside its outer ring and not inside any of its holes" whatever the rings' orientation.
 */
import type { MultiPolygonXY, RegionXY, RingXY } from '../annotation/types';

/** Axis-aligned box [minX, minY, maxX, maxY]. */
export type BBoxXYXY = [number, number, number, number];
/** COCO-style box [x, y, width, height]. */
export type BBoxXYWH = [number, number, number, number];

/** Number of vertices in a ring. */
export function ringVertexCount(ring: RingXY): number {
  return ring.length >> 1;
}

/** Signed area (positive = clockwise on screen, y down). */
export function ringSignedArea(ring: RingXY): number {
  const n = ring.length;
  let s = 0;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    s += ring[i] * ring[j + 1] - ring[j] * ring[i + 1];
  }
  return s / 2;
}

/** Unsigned ring area. */
export function ringArea(ring: RingXY): number {
  return Math.abs(ringSignedArea(ring));
}

/** True when the ring runs clockwise on screen (y down). */
export function isClockwise(ring: RingXY): boolean {
  return ringSignedArea(ring) > 0;
}

/** The ring with its vertex order reversed (same first vertex). */
export function reverseRing(ring: RingXY): RingXY {
  const n = ring.length >> 1;
  const out: RingXY = new Array(ring.length);
  out[0] = ring[0];
  out[1] = ring[1];
  for (let k = 1; k < n; k++) {
    out[2 * k] = ring[2 * (n - k)];
    out[2 * k + 1] = ring[2 * (n - k) + 1];
  }
  return out;
}

/** Area of a region: outer area minus hole areas (holes assumed inside and disjoint). */
export function regionArea(region: RegionXY): number {
  let a = ringArea(region.outer);
  for (const h of region.holes) a -= ringArea(h);
  return Math.max(0, a);
}

/** Area of a multipolygon (regions assumed disjoint). */
export function multiPolygonArea(regions: MultiPolygonXY): number {
  let a = 0;
  for (const r of regions) a += regionArea(r);
  return a;
}

/** Even-odd point-in-ring test. Points exactly on an edge may go either way. */
export function pointInRing(x: number, y: number, ring: RingXY): boolean {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = ring[i];
    const yi = ring[i + 1];
    const xj = ring[j];
    const yj = ring[j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInRegion(x: number, y: number, region: RegionXY): boolean {
  if (!pointInRing(x, y, region.outer)) return false;
  for (const h of region.holes) if (pointInRing(x, y, h)) return false;
  return true;
}

/** Inside any region. */
export function pointInMultiPolygon(x: number, y: number, regions: MultiPolygonXY): boolean {
  for (const r of regions) if (pointInRegion(x, y, r)) return true;
  return false;
}

/** Bounding box of a ring; [Infinity, Infinity, -Infinity, -Infinity] for an empty ring. */
export function ringBBox(ring: RingXY): BBoxXYXY {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i];
    const y = ring[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

/** Bounding box of a multipolygon's outer rings (holes are inside them). */
export function multiPolygonBBox(regions: MultiPolygonXY): BBoxXYXY {
  const b: BBoxXYXY = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of regions) {
    const rb = ringBBox(r.outer);
    if (rb[0] < b[0]) b[0] = rb[0];
    if (rb[1] < b[1]) b[1] = rb[1];
    if (rb[2] > b[2]) b[2] = rb[2];
    if (rb[3] > b[3]) b[3] = rb[3];
  }
  return b;
}

/** XYXY box to COCO XYWH (an empty box becomes [0,0,0,0]). */
export function bboxToXYWH(b: BBoxXYXY): BBoxXYWH {
  if (!(b[2] >= b[0] && b[3] >= b[1])) return [0, 0, 0, 0];
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}

/** Result of projecting a point on a segment. */
export interface SegmentProjection {
  /** Distance from the point to the closest point of the segment. */
  distance: number;
  /** Parameter of the closest point, 0 at the segment start, 1 at its end. */
  t: number;
  /** The closest point. */
  x: number;
  y: number;
}

/** Distance from (px,py) to the segment (ax,ay)-(bx,by), with the closest point. */
export function pointToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): SegmentProjection {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const x = ax + t * dx;
  const y = ay + t * dy;
  return { distance: Math.hypot(px - x, py - y), t, x, y };
}

/** Closest edge of a ring to a point: edge `edge` runs from vertex `edge` to vertex `edge+1` (mod n). */
export interface NearestEdge extends SegmentProjection {
  edge: number;
}

/** The ring edge nearest to (px,py); undefined for a ring with fewer than 2 vertices. */
export function nearestEdge(ring: RingXY, px: number, py: number): NearestEdge | undefined {
  const n = ring.length >> 1;
  if (n < 2) return undefined;
  let best: NearestEdge | undefined;
  for (let k = 0; k < n; k++) {
    const k2 = (k + 1) % n;
    const p = pointToSegment(px, py, ring[2 * k], ring[2 * k + 1], ring[2 * k2], ring[2 * k2 + 1]);
    if (!best || p.distance < best.distance) best = { ...p, edge: k };
  }
  return best;
}

/** The vertex of a ring nearest to (px,py): its index and distance; undefined for an empty ring. */
export function nearestVertex(ring: RingXY, px: number, py: number): { index: number; distance: number } | undefined {
  let best: { index: number; distance: number } | undefined;
  for (let k = 0; k < ring.length >> 1; k++) {
    const d = Math.hypot(ring[2 * k] - px, ring[2 * k + 1] - py);
    if (!best || d < best.distance) best = { index: k, distance: d };
  }
  return best;
}

/** Which rule decides "inside" when rasterising; see `rasterizeMultiPolygon`. */
export type FillRule = 'evenodd' | 'nonzero';

/**
 * Rasterises a multipolygon into `target` (row-major, `width*height`, one byte per pixel),
 * writing `value` into every pixel whose CENTRE (col+0.5,row+0.5) is inside. Pixels are never
 * cleared, so several objects can be painted into one label map (later ones win).
 *
 * - `evenodd` (default): each region is filled with the even-odd rule over its outer ring and its
 *   holes (= outer minus holes for well-formed regions, whatever the orientation), and regions are
 *   unioned. Self-intersecting rings get the even-odd result.
 * - `nonzero`: the nonzero winding rule over ALL rings of ALL regions at once; orientation matters
 *   (holes must run opposite to their outer ring to be cut out), as in SVG/canvas `nonzero`.
 *
 * Centre sampling with half-open spans means two polygons sharing an edge never both cover a
 * pixel, and a polygon's pixel count approximates its area.
 */
export function rasterizeMultiPolygonInto(
  target: Uint8Array,
  width: number,
  height: number,
  regions: MultiPolygonXY,
  value = 1,
  fillRule: FillRule = 'evenodd',
): void {
  if (target.length < width * height) throw new Error(`rasterize: target holds ${target.length} < ${width}x${height}`);
  if (fillRule === 'nonzero') {
    const rings: RingXY[] = [];
    for (const r of regions) rings.push(r.outer, ...r.holes);
    fillRings(target, width, height, rings, value, true);
  } else {
    for (const r of regions) fillRings(target, width, height, [r.outer, ...r.holes], value, false);
  }
}

/** Rasterises into a fresh 0/1 mask (row-major). */
export function rasterizeMultiPolygon(
  regions: MultiPolygonXY,
  width: number,
  height: number,
  fillRule: FillRule = 'evenodd',
): Uint8Array {
  const m = new Uint8Array(width * height);
  rasterizeMultiPolygonInto(m, width, height, regions, 1, fillRule);
  return m;
}

function fillRings(
  target: Uint8Array,
  width: number,
  height: number,
  rings: RingXY[],
  value: number,
  nonzero: boolean,
): void {
  // Edge list: x0,y0,x1,y1 with y0 < y1 plus winding direction; horizontal edges never cross a scanline.
  const ex0: number[] = [];
  const ey0: number[] = [];
  const ey1: number[] = [];
  const eslope: number[] = [];
  const edir: number[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    const n = ring.length;
    if (n < 6) continue;
    for (let i = 0; i < n; i += 2) {
      const j = (i + 2) % n;
      let xa = ring[i];
      let ya = ring[i + 1];
      let xb = ring[j];
      let yb = ring[j + 1];
      if (ya === yb) continue;
      let dir = 1;
      if (ya > yb) {
        [xa, xb] = [xb, xa];
        [ya, yb] = [yb, ya];
        dir = -1;
      }
      ex0.push(xa);
      ey0.push(ya);
      ey1.push(yb);
      eslope.push((xb - xa) / (yb - ya));
      edir.push(dir);
      if (ya < minY) minY = ya;
      if (yb > maxY) maxY = yb;
    }
  }
  if (ex0.length === 0) return;
  const rowStart = Math.max(0, Math.ceil(minY - 0.5));
  const rowEnd = Math.min(height, Math.ceil(maxY - 0.5));
  const xs: number[] = [];
  const ds: number[] = [];
  const order: number[] = [];
  for (let row = rowStart; row < rowEnd; row++) {
    const y = row + 0.5;
    xs.length = 0;
    ds.length = 0;
    // Half-open in y ([y0, y1)) so a vertex shared by two edges is counted once.
    for (let e = 0; e < ex0.length; e++) {
      if (y >= ey0[e] && y < ey1[e]) {
        xs.push(ex0[e] + (y - ey0[e]) * eslope[e]);
        ds.push(edir[e]);
      }
    }
    if (xs.length < 2) continue;
    order.length = xs.length;
    for (let k = 0; k < xs.length; k++) order[k] = k;
    order.sort((a, b) => xs[a] - xs[b]);
    const base = row * width;
    if (!nonzero) {
      for (let k = 0; k + 1 < order.length; k += 2) fillSpan(target, base, width, xs[order[k]], xs[order[k + 1]], value);
    } else {
      let w = 0;
      for (let k = 0; k + 1 < order.length; k++) {
        w += ds[order[k]];
        if (w !== 0) fillSpan(target, base, width, xs[order[k]], xs[order[k + 1]], value);
      }
    }
  }
}

function fillSpan(target: Uint8Array, base: number, width: number, xa: number, xb: number, value: number): void {
  // Pixel col is inside when its centre col+0.5 lies in [xa, xb).
  const c0 = Math.max(0, Math.ceil(xa - 0.5));
  const c1 = Math.min(width, Math.ceil(xb - 0.5));
  if (c1 > c0) target.fill(value, base + c0, base + c1);
}

/** Translates every ring by (dx, dy), returning a new multipolygon. */
export function translateMultiPolygon(regions: MultiPolygonXY, dx: number, dy: number): MultiPolygonXY {
  const t = (ring: RingXY) => ring.map((v, i) => (i & 1 ? v + dy : v + dx));
  return regions.map((r) => ({ outer: t(r.outer), holes: r.holes.map(t) }));
}
