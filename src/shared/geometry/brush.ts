/**
 * Brush strokes on a raster: a stroke is a polyline with a radius, and covers every pixel whose
 * centre (c + 0.5, r + 0.5) lies within `radius` of the polyline (round caps and joins, a
 * "capsule" per segment). Strokes are rasterised into box-sized layers only (`BoxXYWH` in image
 * pixels), so one stroke costs its own area, never the image's.
 *
 * `OverrideLayer` is the click tool's record of the user's word: 1 = painted (object), 2 = erased
 * (background), 0 = the model decides. It covers a box that grows with the strokes (by a margin,
 * so a long stroke reallocates a few times, not on every segment), and `applyOverride` puts it on
 * a mask after the mask options (so "keep largest region" never drops a painted island).
 */
import type { BoxXYWH } from '../inference/resize';

/** Paint adds to the object, erase removes from it. */
export type BrushMode = 'paint' | 'erase';

/** One stroke in image pixels: `points` is x0, y0, x1, y1, … (at least one point). */
export interface BrushStroke {
  readonly mode: BrushMode;
  /** Radius in image pixels. */
  readonly radius: number;
  readonly points: readonly number[];
}

/** Override values. */
export const OVERRIDE_NONE = 0;
export const OVERRIDE_OBJECT = 1;
export const OVERRIDE_BACKGROUND = 2;

/** Limits of a stroke (also the host's validation). */
export const MIN_BRUSH_RADIUS = 0.5;
export const MAX_BRUSH_RADIUS = 2000;
/** Points (pairs) of one stroke at most; the tool thins a longer drag. */
export const MAX_STROKE_POINTS = 10_000;

/** The override value a stroke writes. */
export function strokeValue(mode: BrushMode): number {
  return mode === 'paint' ? OVERRIDE_OBJECT : OVERRIDE_BACKGROUND;
}

/** Intersection of two boxes, or null when empty. */
export function intersectBox(a: BoxXYWH, b: BoxXYWH): BoxXYWH | null {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** The smallest box holding both (either may be null). */
export function unionBox(a: BoxXYWH | null, b: BoxXYWH | null): BoxXYWH | null {
  if (!a || a.width <= 0 || a.height <= 0) return b && b.width > 0 && b.height > 0 ? b : null;
  if (!b || b.width <= 0 || b.height <= 0) return a;
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * Pixel box of what points [from, to) of a stroke can cover (segments starting at `from - 1`
 * included, so an incremental update covers the joint), clipped to `clip`; null when empty.
 */
export function strokeBounds(stroke: BrushStroke, clip: BoxXYWH, from = 0, to = stroke.points.length / 2): BoxXYWH | null {
  const p = stroke.points, r = stroke.radius;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = Math.max(0, from - 1); i < to; i++) {
    const x = p[2 * i], y = p[2 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 === Infinity) return null;
  // Pixel c is covered only if its centre c + 0.5 is within r: c in [x0 - r - 0.5, x1 + r - 0.5].
  const bx0 = Math.ceil(x0 - r - 0.5), by0 = Math.ceil(y0 - r - 0.5);
  const bx1 = Math.floor(x1 + r - 0.5), by1 = Math.floor(y1 + r - 0.5);
  if (bx1 < bx0 || by1 < by0) return null;
  return intersectBox({ x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 }, clip);
}

/**
 * Writes `value` into every pixel of `out` (a `box`-sized raster, image pixels) that segments
 * of points [from, to) cover; `from` > 0 draws only the part a drag added (the segment from point
 * from - 1 on). Returns the box it may have changed (null: nothing inside `box`).
 */
export function rasterizeStroke(
  stroke: BrushStroke, box: BoxXYWH, out: Uint8Array, value: number, from = 0, to = stroke.points.length / 2,
): BoxXYWH | null {
  const dirty = strokeBounds(stroke, box, from, to);
  if (!dirty) return null;
  const p = stroke.points, r = stroke.radius, r2 = r * r;
  const first = Math.max(0, from - 1);
  // One capsule per segment (a lone point is a disc): each is convex, so each row meets it in one
  // span, found from the row's ends inwards without testing every pixel of a long segment's box.
  for (let i = first; i < to; i++) {
    const ax = p[2 * i], ay = p[2 * i + 1];
    const bx = i + 1 < to ? p[2 * i + 2] : ax, by = i + 1 < to ? p[2 * i + 3] : ay;
    if (i + 1 >= to && i > first) break; // the last point was the end of the previous segment
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const seg = strokeBounds({ mode: stroke.mode, radius: r, points: [ax, ay, bx, by] }, dirty);
    if (!seg) continue;
    const inside = (cx: number, cy: number): boolean => {
      let t = len2 > 0 ? ((cx - ax) * dx + (cy - ay) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (ax + t * dx), ey = cy - (ay + t * dy);
      return ex * ex + ey * ey <= r2;
    };
    for (let row = seg.y; row < seg.y + seg.height; row++) {
      const cy = row + 0.5;
      let c0 = seg.x, c1 = seg.x + seg.width - 1;
      while (c0 <= c1 && !inside(c0 + 0.5, cy)) c0++;
      while (c1 >= c0 && !inside(c1 + 0.5, cy)) c1--;
      if (c0 > c1) continue;
      const at = (row - box.y) * box.width - box.x;
      out.fill(value, at + c0, at + c1 + 1);
    }
  }
  return dirty;
}

/** A box-sized copy of `box` out of a `src` raster covering `srcBox` (both inside it). */
export function copyBox(src: Uint8Array, srcBox: BoxXYWH, box: BoxXYWH): Uint8Array {
  const out = new Uint8Array(box.width * box.height);
  for (let r = 0; r < box.height; r++) {
    const at = (box.y - srcBox.y + r) * srcBox.width + (box.x - srcBox.x);
    out.set(src.subarray(at, at + box.width), r * box.width);
  }
  return out;
}

/** Writes a box-sized `data` back into `dst` (covering `dstBox`). */
export function pasteBox(dst: Uint8Array, dstBox: BoxXYWH, box: BoxXYWH, data: Uint8Array): void {
  for (let r = 0; r < box.height; r++) dst.set(data.subarray(r * box.width, (r + 1) * box.width), (box.y - dstBox.y + r) * dstBox.width + (box.x - dstBox.x));
}

/** A saved part of an override layer (one stroke's undo). */
export interface OverridePatch {
  readonly box: BoxXYWH;
  readonly data: Uint8Array;
}

/**
 * The user's strokes in one click-segmentation session, on a box of the image that grows as
 * needed. `paintBox` is the tight box of the painted pixels' possible extent (the mask must
 * reach that far even where the model said nothing).
 */
export class OverrideLayer {
  box: BoxXYWH | null = null;
  data: Uint8Array = new Uint8Array(0);
  /** Box of every paint stroke so far (may be loose after an undo). */
  paintBox: BoxXYWH | null = null;
  /** Bumped on every change (cache key of the views built on it). */
  revision = 0;

  constructor(readonly width: number, readonly height: number) {}

  get empty(): boolean {
    return this.box === null;
  }

  /**
   * Makes sure the layer covers `need`, reallocating with a margin of half its size (at least
   * 64 pixels) so a drag that keeps leaving the box reallocates a few times only.
   */
  private ensure(need: BoxXYWH): void {
    const have = this.box && intersectBox(this.box, need);
    if (have && have.width === need.width && have.height === need.height) return;
    const u = unionBox(this.box, need)!;
    const mx = Math.max(64, Math.round(u.width / 2)), my = Math.max(64, Math.round(u.height / 2));
    const grown = intersectBox({ x: u.x - mx, y: u.y - my, width: u.width + 2 * mx, height: u.height + 2 * my }, { x: 0, y: 0, width: this.width, height: this.height })!;
    const data = new Uint8Array(grown.width * grown.height);
    if (this.box) pasteBox(data, grown, this.box, this.data);
    this.box = grown;
    this.data = data;
  }

  /** Draws points [from, to) of `stroke` (see `rasterizeStroke`); returns the changed box. */
  draw(stroke: BrushStroke, from = 0, to = stroke.points.length / 2): BoxXYWH | null {
    const need = strokeBounds(stroke, { x: 0, y: 0, width: this.width, height: this.height }, from, to);
    if (!need) return null;
    this.ensure(need);
    const dirty = rasterizeStroke(stroke, this.box!, this.data, strokeValue(stroke.mode), from, to);
    if (stroke.mode === 'paint') this.paintBox = unionBox(this.paintBox, dirty);
    this.revision++;
    return dirty;
  }

  /** The values on `box` (zeros outside the layer). */
  save(box: BoxXYWH): OverridePatch {
    const data = new Uint8Array(box.width * box.height);
    const part = this.box && intersectBox(this.box, box);
    if (part) pasteBox(data, box, part, copyBox(this.data, this.box!, part));
    return { box, data };
  }

  /** Puts a saved patch back (undo of a stroke). */
  restore(patch: OverridePatch): void {
    this.ensure(patch.box);
    pasteBox(this.data, this.box!, patch.box, patch.data);
    this.revision++;
  }

  clear(): void {
    this.box = null;
    this.data = new Uint8Array(0);
    this.paintBox = null;
    this.revision++;
  }

  /** The value at image pixel (x, y). */
  at(x: number, y: number): number {
    const b = this.box;
    if (!b || x < b.x || y < b.y || x >= b.x + b.width || y >= b.y + b.height) return OVERRIDE_NONE;
    return this.data[(y - b.y) * b.width + (x - b.x)];
  }
}

/**
 * Puts the overrides of `layer` on a 0/1 `mask` covering `box` (one value per image pixel) and
 * returns the mask's new area: painted pixels become 1, erased ones 0. Only the overlap with the
 * layer is read.
 */
export function applyOverride(mask: Uint8Array, box: BoxXYWH, area: number, layer: OverrideLayer, within: BoxXYWH | null = null): number {
  const lb = layer.box;
  const part = lb && intersectBox(lb, within ? (intersectBox(box, within) ?? { x: 0, y: 0, width: 0, height: 0 }) : box);
  if (!part) return area;
  const src = layer.data;
  for (let r = part.y; r < part.y + part.height; r++) {
    const s = (r - lb.y) * lb.width - lb.x, d = (r - box.y) * box.width - box.x;
    for (let c = part.x; c < part.x + part.width; c++) {
      const v = src[s + c];
      if (v === OVERRIDE_NONE) continue;
      const m = v === OVERRIDE_OBJECT ? 1 : 0;
      area += m - (mask[d + c] ? 1 : 0);
      mask[d + c] = m;
    }
  }
  return area;
}

/**
 * Probability bytes (0..255) on `box` with the layer's overrides put in as certainties (255 for
 * painted, 0 for erased), copied onto `outBox` (which must hold `box`'s pixels it needs; outside
 * `box` the probability is 0). Contour tracing then places the edges of painted parts on the
 * pixel boundary rather than where the model's probabilities would.
 */
export function bakeOverride(data: Uint8Array, box: BoxXYWH, outBox: BoxXYWH, layer: OverrideLayer): Uint8Array {
  const out = new Uint8Array(outBox.width * outBox.height);
  const inner = intersectBox(box, outBox);
  if (inner) pasteBox(out, outBox, inner, copyBox(data, box, inner));
  const lb = layer.box;
  const part = lb && intersectBox(lb, outBox);
  if (part) {
    for (let r = part.y; r < part.y + part.height; r++) {
      const s = (r - lb.y) * lb.width - lb.x, d = (r - outBox.y) * outBox.width - outBox.x;
      for (let c = part.x; c < part.x + part.width; c++) {
        const v = layer.data[s + c];
        if (v === OVERRIDE_OBJECT) out[d + c] = 255;
        else if (v === OVERRIDE_BACKGROUND) out[d + c] = 0;
      }
    }
  }
  return out;
}
