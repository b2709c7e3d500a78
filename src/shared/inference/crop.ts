/**
 * The focus crop (RITM's zoom-in) and the geometry that maps between full-resolution image
 * pixels and model-input pixels. Every transform here has its inverse next to it.
 */
import type { BoxXYWH } from './resize';
import type { ClickXY, ModelClick } from './clicks';

/** Expansion of the object's box around its centre, per dimension. */
export const FOCUS_EXPAND = 1.4;
/** Minimum side of a focus crop in image pixels (capped by the image side). */
export const FOCUS_MIN_SIDE = 200;
/**
 * The first focused clicks of a new object (clicks 2 and 3) keep the whole image unless their focus
 * crop zooms in at least this much (longer image side / longer crop side). The first mask of a large
 * object is often too small, and a crop around it would cut the object; a small object still gets
 * the zoom it needs. Click 2 also needs a crop that is not upsampled (`firstFocusRegion`'s
 * `minSide`). 0 = always crop (see models/README.md, inference protocol).
 */
export const FIRST_FOCUS_MIN_ZOOM = 2;
/** Model input sides must be multiples of this. */
export const MODEL_STRIDE = 32;

/** How one crop of the image becomes the model input. */
export interface InputGeometry {
  /** The crop in full-resolution image pixels. */
  readonly box: BoxXYWH;
  /** The crop resized (longer side = target size). */
  readonly width: number;
  readonly height: number;
  /** The model input size after zero padding at the bottom/right to multiples of 32. */
  readonly padWidth: number;
  readonly padHeight: number;
}

/** Rounds half away from zero like Python's `int(x + 0.5)` for positive x. */
function roundHalfUp(x: number): number {
  return Math.floor(x + 0.5);
}

/** The size a `width`×`height` crop is resized to so that its longer side is `target`. */
export function targetSize(width: number, height: number, target: number): { width: number; height: number } {
  const scale = target / Math.max(width, height);
  return {
    width: Math.max(1, roundHalfUp(width * scale)),
    height: Math.max(1, roundHalfUp(height * scale)),
  };
}

/** Rounds `n` up to a multiple of 32. */
export function padTo32(n: number): number {
  return Math.ceil(n / MODEL_STRIDE) * MODEL_STRIDE;
}

/** Geometry of the model input for `box` at target long side `target`. */
export function inputGeometry(box: BoxXYWH, target: number): InputGeometry {
  const s = targetSize(box.width, box.height, target);
  return { box, width: s.width, height: s.height, padWidth: padTo32(s.width), padHeight: padTo32(s.height) };
}

/**
 * Maps an image click into model-input pixels ("by the resize, then floor"); null when the
 * click lies outside the crop (it is dropped for this prediction).
 */
export function clickToModel(click: ClickXY, g: InputGeometry): ModelClick | null {
  const { box } = g;
  if (click.x < box.x || click.y < box.y || click.x >= box.x + box.width || click.y >= box.y + box.height) return null;
  const col = Math.min(g.width - 1, Math.floor((click.x - box.x) * g.width / box.width));
  const row = Math.min(g.height - 1, Math.floor((click.y - box.y) * g.height / box.height));
  return { row, col, positive: click.positive };
}

/** Inverse of `clickToModel` up to the floor: the model pixel's top-left corner in image space. */
export function modelToImage(row: number, col: number, g: InputGeometry): { x: number; y: number } {
  return { x: g.box.x + col * g.box.width / g.width, y: g.box.y + row * g.box.height / g.height };
}

/** Inclusive pixel bounds; empty when `x1 < x0`. */
export interface PixelBounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Bounding box of `probs > threshold` (inclusive pixel bounds), or null when empty. `within`
 * limits the search to a box known to hold every such pixel (a speed-up for large images).
 */
export function probabilityBounds(
  probs: Float32Array, width: number, height: number, threshold = 0.5, within?: BoxXYWH,
): PixelBounds | null {
  const cx0 = within ? within.x : 0, cy0 = within ? within.y : 0;
  const cx1 = within ? within.x + within.width : width, cy1 = within ? within.y + within.height : height;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let r = cy0; r < cy1; r++) {
    const row = r * width;
    let first = -1, last = -1;
    for (let c = cx0; c < cx1; c++) {
      if (probs[row + c] > threshold) {
        if (first < 0) first = c;
        last = c;
      }
    }
    if (first >= 0) {
      if (r < y0) y0 = r;
      y1 = r;
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** Expands one axis of the focus box: centred, at least `minSide`, clamped to `[0, size)`. */
function expandAxis(lo: number, hi: number, size: number): { start: number; length: number } {
  const extent = hi - lo + 1;
  const centre = (lo + hi + 1) / 2;
  let length = Math.max(roundHalfUp(extent * FOCUS_EXPAND), Math.min(FOCUS_MIN_SIDE, size));
  length = Math.min(length, size);
  let start = roundHalfUp(centre - length / 2);
  start = Math.max(0, Math.min(start, size - length));
  return { start, length };
}

/**
 * The focus crop for clicks after the first: bounding box of the previous mask (`prevMask`
 * bounds, may be null) united with all clicks, expanded by 1.4 around its centre, each side at
 * least min(200, image side), shifted to lie inside the image.
 */
export function focusBox(
  prevBounds: PixelBounds | null, clicks: readonly ClickXY[], imageWidth: number, imageHeight: number,
): BoxXYWH {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  if (prevBounds) ({ x0, y0, x1, y1 } = prevBounds);
  for (const c of clicks) {
    const cx = Math.min(imageWidth - 1, Math.max(0, Math.floor(c.x)));
    const cy = Math.min(imageHeight - 1, Math.max(0, Math.floor(c.y)));
    if (cx < x0) x0 = cx;
    if (cx > x1) x1 = cx;
    if (cy < y0) y0 = cy;
    if (cy > y1) y1 = cy;
  }
  if (!(x1 >= x0)) return { x: 0, y: 0, width: imageWidth, height: imageHeight };
  const ax = expandAxis(x0, x1, imageWidth);
  const ay = expandAxis(y0, y1, imageHeight);
  return { x: ax.start, y: ay.start, width: ax.length, height: ay.length };
}

/**
 * The region for a first focused click of a new object: `box` (its focus crop) when that zooms in
 * at least `minZoom` times and its longer side is at least `minSide` pixels, else the whole image.
 * Click 2 passes the model's target size as `minSide`: a small crop blown up 2-4x can make the
 * network lose the object it had, so click 2 crops only a large photo (shrunk) and click 3 zooms.
 */
export function firstFocusRegion(box: BoxXYWH, imageWidth: number, imageHeight: number, minZoom = FIRST_FOCUS_MIN_ZOOM, minSide = 0): BoxXYWH {
  const longer = Math.max(box.width, box.height);
  const zoomsIn = Math.max(imageWidth, imageHeight) >= minZoom * longer;
  return zoomsIn && longer >= minSide ? box : { x: 0, y: 0, width: imageWidth, height: imageHeight };
}
