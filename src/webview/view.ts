/**
 * The view transform: screen = image * scale + (tx, ty), in CSS pixels of the canvas element.
 * Pure math (no DOM) so it is unit-tested.
 */

/** Image -> screen mapping. */
export interface ViewTransform {
  scale: number;
  tx: number;
  ty: number;
}

/** Zoom limits (screen pixels per image pixel). */
export const MIN_SCALE = 1 / 128;
export const MAX_SCALE = 64;

function clampScale(s: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
}

/** The view that shows the whole image centred in a viewport, with a small margin. */
export function fitView(viewW: number, viewH: number, imageW: number, imageH: number, margin = 16): ViewTransform {
  const availW = Math.max(1, viewW - 2 * margin);
  const availH = Math.max(1, viewH - 2 * margin);
  const scale = clampScale(Math.min(availW / Math.max(1, imageW), availH / Math.max(1, imageH)));
  return { scale, tx: (viewW - imageW * scale) / 2, ty: (viewH - imageH * scale) / 2 };
}

/** 100 %: one image pixel per CSS pixel, keeping the image point under (sx, sy) fixed. */
export function actualSize(v: ViewTransform, sx: number, sy: number): ViewTransform {
  return zoomAt(v, 1 / v.scale, sx, sy);
}

/** Zooms by `factor` keeping the image point under screen point (sx, sy) fixed. */
export function zoomAt(v: ViewTransform, factor: number, sx: number, sy: number): ViewTransform {
  const scale = clampScale(v.scale * factor);
  const k = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * k, ty: sy - (sy - v.ty) * k };
}

/** Moves the view by a screen delta. */
export function panBy(v: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: v.scale, tx: v.tx + dx, ty: v.ty + dy };
}

/** Screen -> image coordinates. */
export function screenToImage(v: ViewTransform, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - v.tx) / v.scale, y: (sy - v.ty) / v.scale };
}

/** Image -> screen coordinates. */
export function imageToScreen(v: ViewTransform, x: number, y: number): { x: number; y: number } {
  return { x: x * v.scale + v.tx, y: y * v.scale + v.ty };
}

/** Zoom factor for a wheel event's deltaY in pixels (smooth for trackpads, ~10 % per mouse notch). */
export function wheelZoomFactor(deltaYPixels: number): number {
  return Math.exp(-deltaYPixels * 0.0015);
}
