/**
 * Click encoding for the EdgeFlow model (models/README.md): positive and negative click disks of
 * radius 5 in model-input pixels.
 */

/** One user click in image pixel coordinates (x = column, y = row; fractions allowed). */
export interface ClickXY {
  readonly x: number;
  readonly y: number;
  /** true = on the object (left button), false = background (right button). */
  readonly positive: boolean;
}

/** Radius of a click disk in model-input pixels. */
export const CLICK_RADIUS = 5;

/** A click mapped to integer model-input pixels. */
export interface ModelClick {
  readonly row: number;
  readonly col: number;
  readonly positive: boolean;
}

/**
 * Writes the two click-disk channels ([2,H,W], channel 0 positive, channel 1 negative) into
 * `dst` (length >= 2*height*width, zero-initialised by the caller or freshly allocated).
 */
export function encodeClicks(
  clicks: readonly ModelClick[], width: number, height: number,
  dst: Float32Array = new Float32Array(2 * width * height),
): Float32Array {
  const plane = width * height;
  const r2 = CLICK_RADIUS * CLICK_RADIUS;
  for (const c of clicks) {
    const base = c.positive ? 0 : plane;
    const i0 = Math.max(0, c.row - CLICK_RADIUS), i1 = Math.min(height - 1, c.row + CLICK_RADIUS);
    for (let i = i0; i <= i1; i++) {
      const di = i - c.row;
      const rem = r2 - di * di;
      const span = Math.floor(Math.sqrt(rem));
      const j0 = Math.max(0, c.col - span), j1 = Math.min(width - 1, c.col + span);
      const row = base + i * width;
      for (let j = j0; j <= j1; j++) dst[row + j] = 1;
    }
  }
  return dst;
}
