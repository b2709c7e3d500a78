/**
 * Click segmentation on very large images runs on a *working copy*: the displayed image
 * downscaled (once, by sharp, never decoded whole into memory) to at most WORKING_PIXELS, because
 * the per-click state is about 12 bytes a pixel. Clicks go into the copy's coordinates; each
 * prediction's box comes back in full-resolution image pixels with its probabilities left on the
 * copy's grid (`sample`), which the webview traces and scales up, so polygons and sidecars never
 * see the copy and no message grows with the full image (`toFullPatch` resamples one to full
 * resolution where a consumer needs that). The price is precision: one working pixel spans
 * 1/scale image pixels (2 for a 100-megapixel image, 4 for 20000x20000).
 */
import type { MultiPolygonXY } from '../../shared/annotation';
import type { BrushStroke } from '../../shared/geometry/brush';
import type { ClickXY } from '../../shared/inference/clicks';
import type { BoxXYWH } from '../../shared/inference/resize';

/** Images up to this many pixels are segmented at full resolution. */
export const WORKING_PIXELS = 24_000_000;

/** A working copy's size against the full image's. */
export interface WorkingScale {
  readonly fullWidth: number;
  readonly fullHeight: number;
  readonly width: number;
  readonly height: number;
}

/** Size of the working copy of a fullWidth x fullHeight image (the image itself when small). */
export function workingSize(fullWidth: number, fullHeight: number, maxPixels = WORKING_PIXELS): WorkingScale {
  const s = Math.min(1, Math.sqrt(maxPixels / (fullWidth * fullHeight)));
  return {
    fullWidth,
    fullHeight,
    width: s < 1 ? Math.max(1, Math.floor(fullWidth * s)) : fullWidth,
    height: s < 1 ? Math.max(1, Math.floor(fullHeight * s)) : fullHeight,
  };
}

/** True when the working copy is the image itself. */
export function isIdentity(w: WorkingScale): boolean {
  return w.width === w.fullWidth && w.height === w.fullHeight;
}

/** Full-image clicks -> working-copy clicks (pixel centres map to pixel centres). */
export function toWorkingClicks(clicks: readonly ClickXY[], w: WorkingScale): ClickXY[] {
  const sx = w.width / w.fullWidth;
  const sy = w.height / w.fullHeight;
  return clicks.map((c) => ({
    x: Math.min(w.width - 1, Math.max(0, (c.x + 0.5) * sx - 0.5)),
    y: Math.min(w.height - 1, Math.max(0, (c.y + 0.5) * sy - 0.5)),
    positive: c.positive,
  }));
}

/** Full-image stroke points (x, y, x, y, ...) -> the working copy's, unclamped (a stroke may leave the image). */
export function toWorkingPoints(points: readonly number[], w: WorkingScale): number[] {
  const sx = w.width / w.fullWidth, sy = w.height / w.fullHeight;
  return points.map((v, i) => (i % 2 === 0 ? (v + 0.5) * sx - 0.5 : (v + 0.5) * sy - 0.5));
}

/** A full-image brush radius -> the working copy's (never under half a working pixel). */
export function toWorkingRadius(radius: number, w: WorkingScale): number {
  return Math.max(0.5, radius * Math.min(w.width / w.fullWidth, w.height / w.fullHeight));
}

/**
 * A full-image brush stroke -> the working copy's (points as clicks, the radius scaled). The
 * webview draws a stroke's immediate preview with the same mapping (segmentState.ts).
 */
export function toWorkingStroke(stroke: BrushStroke, w: WorkingScale): BrushStroke {
  return { mode: stroke.mode, radius: toWorkingRadius(stroke.radius, w), points: toWorkingPoints(stroke.points, w) };
}

/** A working-copy box -> the full-image box it covers. */
export function toFullBox(b: BoxXYWH, w: WorkingScale): BoxXYWH {
  if (b.width <= 0 || b.height <= 0) return { x: 0, y: 0, width: 0, height: 0 };
  const fx = w.fullWidth / w.width;
  const fy = w.fullHeight / w.height;
  const x0 = Math.max(0, Math.floor(b.x * fx));
  const y0 = Math.max(0, Math.floor(b.y * fy));
  const x1 = Math.min(w.fullWidth, Math.ceil((b.x + b.width) * fx));
  const y1 = Math.min(w.fullHeight, Math.ceil((b.y + b.height) * fy));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The working-copy box that `toFullBox` maps to `full` (`full` must be such an image, as the box of
 * a prediction on the copy is): the inverse of `toFullBox`.
 */
export function toWorkingBox(full: BoxXYWH, w: WorkingScale): BoxXYWH {
  if (full.width <= 0 || full.height <= 0) return { x: 0, y: 0, width: 0, height: 0 };
  const fx = w.fullWidth / w.width, fy = w.fullHeight / w.height;
  // toFullBox floors the start and ceils the end; with fx, fy >= 1 each working edge has its own
  // full-image edge, found back by rounding the other way (a hair of slack for the division).
  const x0 = Math.max(0, Math.ceil(full.x / fx - 1e-9)), y0 = Math.max(0, Math.ceil(full.y / fy - 1e-9));
  const x1 = Math.min(w.width, Math.floor((full.x + full.width) / fx + 1e-9)), y1 = Math.min(w.height, Math.floor((full.y + full.height) / fy + 1e-9));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * Probabilities (0..255, row-major on `box`, working pixels) -> the same on the full-image box,
 * bilinear between working pixel centres (clamped at the box's edge).
 */
export function toFullPatch(box: BoxXYWH, data: Uint8Array, w: WorkingScale): { box: BoxXYWH; data: Uint8Array } {
  const full = toFullBox(box, w);
  const out = new Uint8Array(full.width * full.height);
  if (!full.width || !full.height) return { box: full, data: out };
  const sx = w.width / w.fullWidth;
  const sy = w.height / w.fullHeight;
  // Per column: the two source columns and the weight (computed once, not per pixel).
  const c0 = new Int32Array(full.width);
  const c1 = new Int32Array(full.width);
  const cw = new Float32Array(full.width);
  for (let i = 0; i < full.width; i++) {
    const u = Math.min(box.width - 1, Math.max(0, (full.x + i + 0.5) * sx - 0.5 - box.x));
    c0[i] = Math.floor(u);
    c1[i] = Math.min(box.width - 1, c0[i] + 1);
    cw[i] = u - c0[i];
  }
  for (let j = 0; j < full.height; j++) {
    const v = Math.min(box.height - 1, Math.max(0, (full.y + j + 0.5) * sy - 0.5 - box.y));
    const r0 = Math.floor(v);
    const r1 = Math.min(box.height - 1, r0 + 1);
    const rw = v - r0;
    const a = r0 * box.width;
    const b = r1 * box.width;
    const o = j * full.width;
    for (let i = 0; i < full.width; i++) {
      const top = data[a + c0[i]] + (data[a + c1[i]] - data[a + c0[i]]) * cw[i];
      const bot = data[b + c0[i]] + (data[b + c1[i]] - data[b + c0[i]]) * cw[i];
      out[o + i] = Math.round(top + (bot - top) * rw);
    }
  }
  return { box: full, data: out };
}

/** A full-image 0/1 mask -> the working copy's (each working pixel takes the mask at its centre). */
export function toWorkingMask(mask: Uint8Array, w: WorkingScale): Uint8Array {
  const out = new Uint8Array(w.width * w.height);
  const fx = w.fullWidth / w.width;
  const fy = w.fullHeight / w.height;
  const cols = new Int32Array(w.width);
  for (let i = 0; i < w.width; i++) cols[i] = Math.min(w.fullWidth - 1, Math.floor((i + 0.5) * fx));
  for (let j = 0; j < w.height; j++) {
    const row = Math.min(w.fullHeight - 1, Math.floor((j + 0.5) * fy)) * w.fullWidth;
    for (let i = 0; i < w.width; i++) out[j * w.width + i] = mask[row + cols[i]] ? 1 : 0;
  }
  return out;
}

/** An object's outline in full-image pixels -> the working copy's (continuous coordinates). */
export function toWorkingRegions(regions: MultiPolygonXY, w: WorkingScale): MultiPolygonXY {
  const sx = w.width / w.fullWidth;
  const sy = w.height / w.fullHeight;
  const scale = (ring: number[]) => ring.map((v, i) => (i % 2 === 0 ? v * sx : v * sy));
  return regions.map((r) => ({ outer: scale(r.outer), holes: r.holes.map(scale) }));
}
