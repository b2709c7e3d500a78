/**
 * The standard NoC click simulator (RITM's clicker, models/README.md): each click goes to the
 * error pixel farthest from the boundary of its error region; positive in a miss, negative in a
 * false positive. Pure TypeScript with an exact Euclidean distance transform.
 */
import type { ClickXY } from './inference/clicks';

const INF = 1e20;

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of `f` into `d`. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
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
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number): Float64Array {
  const pw = width + 2, ph = height + 2;
  const grid = new Float64Array(pw * ph);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) grid[(r + 1) * pw + c + 1] = mask[r * width + c] ? INF : 0;
  }
  const n = Math.max(pw, ph);
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  for (let c = 0; c < pw; c++) {
    for (let r = 0; r < ph; r++) f[r] = grid[r * pw + c];
    edt1d(f, ph, d, v, z);
    for (let r = 0; r < ph; r++) grid[r * pw + c] = d[r];
  }
  for (let r = 0; r < ph; r++) {
    const row = r * pw;
    for (let c = 0; c < pw; c++) f[c] = grid[row + c];
    edt1d(f, pw, d, v, z);
    for (let c = 0; c < pw; c++) grid[row + c] = d[c];
  }
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) out[r * width + c] = grid[(r + 1) * pw + c + 1];
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
    const dfn = squaredDistanceTransform(fn, width, height);
    const dfp = squaredDistanceTransform(fp, width, height);
    let fnMax = 0, fnIdx = -1, fpMax = 0, fpIdx = -1;
    for (let i = 0; i < n; i++) {
      if (this.clicked[i]) continue;
      if (dfn[i] > fnMax) {
        fnMax = dfn[i];
        fnIdx = i;
      }
      if (dfp[i] > fpMax) {
        fpMax = dfp[i];
        fpIdx = i;
      }
    }
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
}
