/**
 * Geometry checks before export: degenerate rings are dropped, self-intersecting rings are
 * repaired by rasterising the object (the editor's even-odd rule, so the pixels do not change)
 * and tracing it again. Each object is rasterised once, into a crop of its bounding box, and that
 * crop is what every format derives its pixels, area and box from.
 */
import type { MultiPolygonXY, RegionXY, RingXY } from '../annotation/types';
import { maskToPolygons } from '../geometry/contours';
import { boxMaskToCounts } from '../formats/rle';
import { rasterizeMultiPolygonInto, ringSignedArea, translateMultiPolygon } from '../geometry/polygon';

/** An object's pixels: a 0/1 crop covering [x0, x0+w) x [y0, y0+h) of the image. */
export interface ObjectRaster {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly data: Uint8Array;
  /** Pixel count. */
  readonly area: number;
  /** Tight pixel box [x, y, w, h] (pycocotools `toBbox` convention); zeros when empty. */
  readonly bbox: [number, number, number, number];
}

/** Rasterise regions into a crop of the image (pixel centres inside, even-odd per region). */
export function rasterizeObject(regions: MultiPolygonXY, width: number, height: number): ObjectRaster {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const r of regions) {
    const ring = r.outer;
    for (let i = 0; i < ring.length; i += 2) {
      if (ring[i] < minX) minX = ring[i];
      if (ring[i] > maxX) maxX = ring[i];
      if (ring[i + 1] < minY) minY = ring[i + 1];
      if (ring[i + 1] > maxY) maxY = ring[i + 1];
    }
  }
  const x0 = Math.max(0, Math.floor(minX));
  const y0 = Math.max(0, Math.floor(minY));
  const x1 = Math.min(width, Math.ceil(maxX));
  const y1 = Math.min(height, Math.ceil(maxY));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const data = new Uint8Array(w * h);
  if (w > 0 && h > 0) rasterizeMultiPolygonInto(data, w, h, translateMultiPolygon(regions, -x0, -y0), 1);
  let area = 0;
  let bx0 = w, by0 = h, bx1 = -1, by1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[row + x]) {
        area++;
        if (x < bx0) bx0 = x;
        if (x > bx1) bx1 = x;
        if (y < by0) by0 = y;
        if (y > by1) by1 = y;
      }
    }
  }
  const bbox: [number, number, number, number] = area ? [x0 + bx0, y0 + by0, bx1 - bx0 + 1, by1 - by0 + 1] : [0, 0, 0, 0];
  return { x0, y0, w, h, data, area, bbox };
}

/**
 * COCO run lengths (column-major, starting with zeros) of the full-image mask that is `raster`
 * placed at its offset and zero elsewhere, without building the full mask.
 */
export function rasterToCounts(raster: ObjectRaster, width: number, height: number): number[] {
  const { x0, y0, w, h, data } = raster;
  return boxMaskToCounts(data, x0, y0, w, h, width, height);
}

/** Distinct vertex count of a ring (consecutive duplicates, including last==first, removed). */
function dedupeRing(ring: RingXY): RingXY {
  const out: number[] = [];
  const n = ring.length >> 1;
  for (let i = 0; i < n; i++) {
    const x = ring[2 * i], y = ring[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const m = out.length;
    if (m >= 2 && out[m - 2] === x && out[m - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/**
 * Fewer than 3 distinct vertices, or all on one line. (A zero signed area alone is not enough: a
 * symmetric bow-tie has zero signed area but covers pixels.)
 */
function isDegenerate(ring: RingXY): boolean {
  const n = ring.length >> 1;
  if (n < 3) return true;
  if (ringSignedArea(ring) !== 0) return false;
  const x0 = ring[0], y0 = ring[1];
  for (let i = 1; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if ((ring[2 * i] - x0) * (ring[2 * j + 1] - y0) - (ring[2 * i + 1] - y0) * (ring[2 * j] - x0) !== 0) return false;
    }
  }
  return true;
}

/** True when two segments cross or touch anywhere (including collinear overlap). */
function segmentsIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  return false;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/**
 * True when a ring crosses or touches itself (non-adjacent edges meet). Edges are swept in order
 * of their left end, so only edges whose x ranges overlap are compared.
 */
export function ringSelfIntersects(ring: RingXY): boolean {
  const n = ring.length >> 1;
  if (n < 4) return false;
  const order = Array.from({ length: n }, (_, i) => i);
  const minx = (e: number) => Math.min(ring[2 * e], ring[2 * ((e + 1) % n)]);
  const maxx = (e: number) => Math.max(ring[2 * e], ring[2 * ((e + 1) % n)]);
  order.sort((a, b) => minx(a) - minx(b));
  for (let i = 0; i < n; i++) {
    const e = order[i];
    const e2 = (e + 1) % n;
    const ex = maxx(e);
    for (let j = i + 1; j < n; j++) {
      const f = order[j];
      if (minx(f) > ex) break;
      const f2 = (f + 1) % n;
      // Adjacent edges share a vertex by construction.
      if (f === e2 || e === f2) continue;
      if (
        segmentsIntersect(ring[2 * e], ring[2 * e + 1], ring[2 * e2], ring[2 * e2 + 1], ring[2 * f], ring[2 * f + 1], ring[2 * f2], ring[2 * f2 + 1])
      ) {
        return true;
      }
    }
  }
  return false;
}

/** What `cleanRegions` did to one object. */
export interface CleanResult {
  readonly regions: MultiPolygonXY;
  /** Rings dropped because they had fewer than 3 distinct vertices or no area. */
  readonly degenerateRings: number;
  /** True when a self-intersecting ring was found and the object re-traced from its pixels. */
  readonly repaired: boolean;
}

/**
 * Drop degenerate rings, and repair self-intersections by re-tracing the object's pixels. The
 * pixels of the result equal the pixels of the input (the editor's even-odd fill) whenever the
 * input was valid; a repaired object keeps the pixels the editor showed.
 */
export function cleanRegions(regions: MultiPolygonXY, width: number, height: number): CleanResult {
  let degenerateRings = 0;
  const kept: RegionXY[] = [];
  let selfIntersecting = false;
  for (const r of regions) {
    const outer = dedupeRing(r.outer);
    if (isDegenerate(outer)) {
      degenerateRings += 1 + r.holes.length;
      continue;
    }
    const holes: RingXY[] = [];
    for (const h of r.holes) {
      const hole = dedupeRing(h);
      if (isDegenerate(hole)) {
        degenerateRings++;
        continue;
      }
      holes.push(hole);
    }
    if (ringSelfIntersects(outer) || holes.some(ringSelfIntersects)) selfIntersecting = true;
    kept.push({ outer, holes });
  }
  if (!selfIntersecting) return { regions: kept, degenerateRings, repaired: false };
  const raster = rasterizeObject(kept, width, height);
  if (raster.area === 0) return { regions: [], degenerateRings, repaired: true };
  const traced = maskToPolygons(raster.data, raster.w, raster.h);
  return { regions: translateMultiPolygon(traced, raster.x0, raster.y0), degenerateRings, repaired: true };
}
