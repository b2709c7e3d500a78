/**
 * Mask -> polygons by marching squares, with sub-pixel vertices.
 *
 * Samples sit at pixel centres (col+0.5, row+0.5); the mask is padded by one ring of background
 * so every contour closes. Foreground is 8-connected (saddles join diagonal pixels), background
 * 4-connected, matching components.ts. A contour crosses each grid edge between an object and a
 * background sample; the crossing sits at the midpoint for a plain binary mask, or where the
 * probability map passes the threshold when `values` are given (clamped so that the pixel-centre
 * rasterisation of the unsimplified polygons reproduces the mask exactly).
 *
 * Output (annotation/types.ts): one `RegionXY` per 8-connected object component, its holes
 * attached; outer rings run clockwise on screen (positive `ringSignedArea`), holes
 * counter-clockwise. An object inside a hole of another is its own region.
 */
import type { MultiPolygonXY, RegionXY, RingXY } from '../annotation/types';
import { pointInRing, ringBBox, ringSignedArea } from './polygon';

/** Options of `maskToPolygons`. */
export interface ContourOptions {
  /**
   * Probabilities (0..1 floats, or 0..255 bytes) used only to place vertices between samples.
   * Topology always follows `mask`.
   */
  readonly values?: Float32Array | Uint8Array;
  /** Threshold that produced the mask from `values` (0..1; default 0.5). */
  readonly threshold?: number;
}

/** How far a crossing may move toward a sample, as a fraction of the sample spacing. */
const CROSSING_CLAMP = 0.02;

/**
 * Traces the boundaries of `mask` (row-major, non-zero = object) into a multipolygon in image
 * pixel coordinates.
 */
export function maskToPolygons(mask: Uint8Array, width: number, height: number, options: ContourOptions = {}): MultiPolygonXY {
  if (mask.length < width * height) throw new Error(`maskToPolygons: mask has ${mask.length} pixels, expected ${width}x${height}`);
  // Work inside the mask's bounding box (plus the padding ring) so cost follows the object.
  // Per row: the first object pixel from the left, then the last from the right (an empty row
  // costs one pass, an object row at most one).
  let bx0 = width, by0 = height, bx1 = -1, by1 = -1;
  for (let r = 0; r < height; r++) {
    const row = r * width;
    let c = 0;
    while (c < width && mask[row + c] === 0) c++;
    if (c === width) continue;
    if (c < bx0) bx0 = c;
    let e = width - 1;
    while (mask[row + e] === 0) e--;
    if (e > bx1) bx1 = e;
    if (r < by0) by0 = r;
    by1 = r;
  }
  if (bx1 < 0) return [];
  // Local sample grid: gx in [-1, bw], gy in [-1, bh] relative to (bx0, by0) -> indices +1.
  const bw = bx1 - bx0 + 1, bh = by1 - by0 + 1;
  const gw = bw + 2, gh = bh + 2;
  const inside = new Uint8Array(gw * gh);
  for (let r = 0; r < bh; r++) {
    const src = (by0 + r) * width + bx0, dst = (r + 1) * gw + 1;
    for (let c = 0; c < bw; c++) inside[dst + c] = mask[src + c] === 0 ? 0 : 1;
  }
  const values = options.values;
  const t = options.threshold ?? 0.5;
  const scale = values instanceof Uint8Array ? 1 / 255 : 1;
  const valueAt = (gx: number, gy: number): number => {
    // gx, gy are grid indices (1-based inside the box).
    const c = bx0 + gx - 1, r = by0 + gy - 1;
    if (!values || c < 0 || r < 0 || c >= width || r >= height) return inside[gy * gw + gx] ? 1 : 0;
    return values[r * width + c] * scale;
  };
  /** Fraction from sample a (inside) toward sample b (outside) where the contour crosses. */
  const crossing = (ax: number, ay: number, bxg: number, byg: number): number => {
    if (!values) return 0.5;
    const va = Math.max(valueAt(ax, ay), t);
    const vb = Math.min(valueAt(bxg, byg), t);
    const f = va === vb ? 0.5 : (va - t) / (va - vb);
    return Math.min(1 - CROSSING_CLAMP, Math.max(CROSSING_CLAMP, f));
  };

  // Grid edges: horizontal (gx,gy)-(gx+1,gy) has id 2*(gy*gw+gx); vertical (gx,gy)-(gx,gy+1) 2*(..)+1.
  // Only boundary edges are ever stored, so a Map keeps memory proportional to the contour length.
  const next = new Map<number, number>();
  const pointOf = (edge: number, out: number[]): void => {
    const vertical = edge & 1;
    const cell = edge >> 1;
    const ay = Math.floor(cell / gw), ax = cell - ay * gw;
    const bxg = vertical ? ax : ax + 1, byg = vertical ? ay + 1 : ay;
    const aIn = inside[ay * gw + ax] !== 0;
    const f = aIn ? crossing(ax, ay, bxg, byg) : 1 - crossing(bxg, byg, ax, ay);
    // Grid index g maps to image coordinate (box origin + g - 1) + 0.5.
    out.push(bx0 + ax - 0.5 + (bxg - ax) * f, by0 + ay - 0.5 + (byg - ay) * f);
  };

  // Cells between samples (gx,gy)..(gx+1,gy+1). Clockwise on screen: T, R, B, L.
  const cellEdges = [0, 0, 0, 0];
  const crossKind = [0, 0, 0, 0]; // +1 entry (out -> in going clockwise), -1 exit, 0 none
  const corners = [0, 0, 0, 0];
  for (let gy = 0; gy < gh - 1; gy++) {
    const rowT = gy * gw, rowB = rowT + gw;
    // The right corners of one cell are the left corners of the next: two reads per cell.
    let tl = inside[rowT], bl = inside[rowB];
    for (let gx = 0; gx < gw - 1; gx++) {
      const tr = inside[rowT + gx + 1], br = inside[rowB + gx + 1];
      const code = (tl << 3) | (tr << 2) | (br << 1) | bl;
      const ctl = tl, cbl = bl;
      tl = tr;
      bl = br;
      if (code === 0 || code === 15) continue;
      cellEdges[0] = 2 * (rowT + gx);
      cellEdges[1] = 2 * (rowT + gx + 1) + 1;
      cellEdges[2] = 2 * (rowB + gx);
      cellEdges[3] = 2 * (rowT + gx) + 1;
      corners[0] = ctl;
      corners[1] = tr;
      corners[2] = br;
      corners[3] = cbl;
      for (let k = 0; k < 4; k++) {
        const a = corners[k], b = corners[(k + 1) & 3];
        crossKind[k] = a === b ? 0 : b ? 1 : -1;
      }
      const saddle = code === 10 || code === 5;
      for (let k = 0; k < 4; k++) {
        if (crossKind[k] !== 1) continue;
        // The exit this entry pairs with: the next crossing clockwise, or for a saddle whose
        // diagonal object pixels join, the previous crossing.
        let m = k;
        do m = saddle ? (m + 3) & 3 : (m + 1) & 3; while (crossKind[m] !== -1);
        // Walking entry -> exit keeps the object on the left (counter-clockwise outer rings on
        // screen); link the segments backwards so outer rings come out clockwise.
        next.set(cellEdges[m], cellEdges[k]);
      }
    }
  }

  // Link segments into rings (Map iteration follows insertion order: deterministic output).
  const rings: RingXY[] = [];
  for (const e0 of next.keys()) {
    if (!next.has(e0)) continue;
    const ring: number[] = [];
    let e = e0;
    let n = next.get(e);
    while (n !== undefined) {
      pointOf(e, ring);
      next.delete(e);
      e = n;
      n = next.get(e);
    }
    const cleaned = dropCollinear(ring);
    if (cleaned.length >= 6) rings.push(startAtTopLeft(cleaned));
  }
  return assembleRegions(rings);
}

/** Rotates a ring to start at its top-most (then left-most) vertex: a canonical, stable output. */
function startAtTopLeft(ring: number[]): number[] {
  let best = 0;
  for (let i = 2; i < ring.length; i += 2) {
    if (ring[i + 1] < ring[best + 1] || (ring[i + 1] === ring[best + 1] && ring[i] < ring[best])) best = i;
  }
  return best === 0 ? ring : ring.slice(best).concat(ring.slice(0, best));
}

/** Removes vertices that lie exactly on the line through their neighbours. */
function dropCollinear(ring: number[]): number[] {
  const n = ring.length >> 1;
  if (n < 4) return ring;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = (i + n - 1) % n, q = (i + 1) % n;
    const ax = ring[2 * p], ay = ring[2 * p + 1], bx = ring[2 * i], by = ring[2 * i + 1];
    const cx = ring[2 * q], cy = ring[2 * q + 1];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (Math.abs(cross) > 1e-12) out.push(bx, by);
  }
  return out;
}

/**
 * Groups traced rings into regions: rings with positive signed area (clockwise on screen) are
 * outer boundaries, the others holes; each hole goes to the smallest outer ring containing it.
 */
export function assembleRegions(rings: readonly RingXY[]): MultiPolygonXY {
  const outers: { ring: RingXY; area: number; box: number[]; region: RegionXY }[] = [];
  const holes: RingXY[] = [];
  for (const ring of rings) {
    const a = ringSignedArea(ring);
    if (a > 0) {
      const region: RegionXY = { outer: ring, holes: [] };
      outers.push({ ring, area: a, box: ringBBox(ring), region });
    } else if (a < 0) {
      holes.push(ring);
    }
  }
  for (const hole of holes) {
    const x = hole[0], y = hole[1];
    let best: (typeof outers)[number] | undefined;
    for (const o of outers) {
      if (x < o.box[0] || x > o.box[2] || y < o.box[1] || y > o.box[3]) continue;
      if (best && o.area >= best.area) continue;
      if (pointInRing(x, y, o.ring)) best = o;
    }
    // A hole always lies inside the outer ring of its own component.
    if (!best) throw new Error('maskToPolygons: a hole without an enclosing outer ring');
    best.region.holes.push(hole);
  }
  return outers.map((o) => o.region);
}
