/**
 * The standard NoC click simulator (RITM's clicker, models/README.md): each click goes to the
 * error pixel farthest from the boundary of its error region; positive in a miss, negative in a
 * false positive. Pure TypeScript with an exact Euclidean distance transform.
 */
import type { ClickXY } from './inference/clicks';

/**
 * 1-D squared distance transform (Felzenszwalb & Huttenlocher) of `f[0..n)` into `d`, where
 * `f[0]` and `f[n-1]` are 0 (the padding) so every parabola is finite.
 */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/**
 * Squared Euclidean distance from each set pixel of `mask` to the nearest unset pixel, with the
 * mask padded by one pixel of zeros (so the image border counts as outside). Unset pixels get 0.
 * Exact (integers in float64). The vertical pass runs as two sweeps over whole rows and the
 * horizontal one row by row, so memory is read in order (a 12-megapixel mask takes well under
 * a second) and nothing but the output is image-sized.
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  // Vertical: distance to the nearest unset pixel in the column (the padding rows are unset).
  for (let c = 0; c < width; c++) out[c] = mask[c] ? 1 : 0;
  for (let r = 1; r < height; r++) {
    const row = r * width, up = row - width;
    for (let c = 0; c < width; c++) out[row + c] = mask[row + c] ? out[up + c] + 1 : 0;
  }
  for (let c = 0, last = (height - 1) * width; c < width; c++) if (out[last + c] > 1) out[last + c] = 1;
  for (let r = height - 2; r >= 0; r--) {
    const row = r * width, down = row + width;
    for (let c = 0; c < width; c++) {
      const b = out[down + c] + 1;
      if (out[row + c] > b) out[row + c] = b;
    }
  }
  // Horizontal: lower envelope of parabolas over the row padded by one unset pixel each side.
  const n = width + 2;
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    let any = false;
    for (let c = 0; c < width; c++) {
      const g = out[row + c];
      f[c + 1] = g * g;
      if (g) any = true;
    }
    if (!any) continue;
    edt1d(f, n, d, v, z);
    for (let c = 0; c < width; c++) out[row + c] = d[c + 1];
  }
  return out;
}

/** A ground-truth mask as stored in the eval sets: 0 background, 128 ignore, else object. */
export interface GroundTruth {
  readonly width: number;
  readonly height: number;
  /** 0/1 object pixels. */
  readonly object: Uint8Array;
  /** 0/1 ignore pixels (excluded from clicks and IoU). */
  readonly ignore: Uint8Array;
}

/** Splits an 8-bit GT mask (0 / 128 / other) into object and ignore masks. */
export function groundTruthFromMask(values: Uint8Array, width: number, height: number): GroundTruth {
  const object = new Uint8Array(width * height), ignore = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    if (values[i] === 128) ignore[i] = 1;
    else if (values[i] !== 0) object[i] = 1;
  }
  return { width, height, object, ignore };
}

/** IoU of a 0/1 prediction with the ground truth, ignore pixels excluded. */
export function iouWithGroundTruth(pred: Uint8Array, gt: GroundTruth): number {
  let inter = 0, union = 0;
  for (let i = 0; i < pred.length; i++) {
    if (gt.ignore[i]) continue;
    const p = pred[i] !== 0, g = gt.object[i] !== 0;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Simulates a user clicking on the worst error, RITM style. */
export class NocClicker {
  private readonly clicked: Uint8Array;
  readonly clicks: ClickXY[] = [];

  constructor(readonly gt: GroundTruth) {
    this.clicked = new Uint8Array(gt.width * gt.height);
  }

  /**
   * The next click for the current prediction (0/1 mask, full resolution), at the centre of the
   * chosen pixel. For the first click pass an empty prediction. Returns null only when there is
   * no error pixel left to click.
   */
  next(pred: Uint8Array): ClickXY | null {
    const { width, height, object, ignore } = this.gt;
    const n = width * height;
    const fn = new Uint8Array(n), fp = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (ignore[i]) continue;
      const p = pred[i] !== 0;
      if (object[i] && !p) fn[i] = 1;
      else if (!object[i] && p) fp[i] = 1;
    }
    // One distance map at a time: on a large photo each is 8 bytes a pixel.
    const [fnMax, fnIdx] = this.farthest(squaredDistanceTransform(fn, width, height));
    const [fpMax, fpIdx] = this.farthest(squaredDistanceTransform(fp, width, height));
    if (fnIdx < 0 && fpIdx < 0) return null;
    const positive = fnMax >= fpMax;
    const idx = positive ? fnIdx : fpIdx;
    this.clicked[idx] = 1;
    // A click on pixel (row, col) is at that pixel's centre in image coordinates, which is what
    // the protocol maps through the resize (models/edgeflow/inference/protocol.py map_click).
    const click: ClickXY = { x: (idx % width) + 0.5, y: Math.floor(idx / width) + 0.5, positive };
    this.clicks.push(click);
    return click;
  }

  /** The largest distance over pixels not clicked yet and its first (row-major) index; -1 if none. */
  private farthest(dist: Float64Array): [number, number] {
    let max = 0, idx = -1;
    for (let i = 0; i < dist.length; i++) {
      if (dist[i] > max && !this.clicked[i]) {
        max = dist[i];
        idx = i;
      }
    }
    return [max, idx];
  }
}
