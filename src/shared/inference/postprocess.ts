/**
 * From probabilities to a binary mask, and the edge map the model takes as its prior
 * (models/README.md): pixels where the 3×3 max-filter of the mask differs from its 3×3
 * min-filter, borders replicated.
 */
import { fillHoles, keepLargestRegion } from '../geometry/components';

/** Options applied live in the editor without re-running the model. */
export interface MaskOptions {
  /** Probability above which a pixel is object (default 0.5). */
  readonly threshold: number;
  readonly keepLargest: boolean;
  readonly fillHoles: boolean;
}

export const DEFAULT_MASK_OPTIONS: MaskOptions = { threshold: 0.5, keepLargest: false, fillHoles: false };

/** The lowest automatic threshold, as a byte (p about 0.05). */
export const AUTO_MIN_BYTE = 13;

/**
 * The automatic threshold of an 8-bit probability map (0..255, >= 128 exactly when p > 0.5):
 * the byte k in [AUTO_MIN_BYTE, 128] whose mask (value >= k) has the largest expected IoU
 * against a target drawn from the probabilities themselves,
 * E|M ∩ T| / E|M ∪ T| = Σ_{b≥k} b / (255·n_{b≥k} + Σ_{b<k} b). A spread-out map (one click on a
 * large object gives 0.2–0.5 over most of it) gets a lower threshold; a confident one keeps 128,
 * i.e. p > 0.5. Integer sums and one division per k, ties to the higher k: the same k as the
 * Python protocol's `expected_iou_byte` (models/edgeflow/inference/protocol.py). Zeros outside a
 * probability box change nothing, so the box's bytes suffice.
 */
export function autoThresholdByte(bytes: Uint8Array): number {
  const count = new Float64Array(256);
  for (let i = 0; i < bytes.length; i++) count[bytes[i]]++;
  let total = 0, aboveN = 0, aboveS = 0;
  for (let b = 1; b < 256; b++) {
    total += b * count[b];
    if (b >= AUTO_MIN_BYTE) {
      aboveN += count[b];
      aboveS += b * count[b];
    }
  }
  let bestK = 128, bestJ = -1;
  for (let k = AUTO_MIN_BYTE; k <= 128; k++) {
    const d = 255 * aboveN + (total - aboveS);
    const j = d > 0 ? aboveS / d : 0;
    if (j >= bestJ) {
      bestK = k;
      bestJ = j;
    }
    aboveN -= count[k];
    aboveS -= k * count[k];
  }
  return bestK;
}

/** The threshold whose byte mask is `value >= k` (`byteThresholdTable`): (k − 0.5) / 255; 128 gives 0.5. */
export function thresholdOfByte(k: number): number {
  return (k - 0.5) / 255;
}

/**
 * The NoC protocol's threshold for a new object's prediction after `clickCount` clicks (the
 * editor's default): automatic on click 1, 0.5 after.
 */
export function protocolThreshold(bytes: Uint8Array, clickCount: number): number {
  return clickCount === 1 ? thresholdOfByte(autoThresholdByte(bytes)) : 0.5;
}

/** `probs > threshold` as a 0/1 mask. Accepts float probabilities or 8-bit (0..255) ones. */
export function thresholdProbabilities(probs: Float32Array | Uint8Array, threshold: number): Uint8Array {
  return probs instanceof Uint8Array ? thresholdBytes(probs, threshold) : thresholdFloats(probs, threshold);
}

// One loop per array type: a loop that sees both stays polymorphic and is several times slower
// on a 12-megapixel probability box.
function thresholdFloats(probs: Float32Array, t: number): Uint8Array {
  const out = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = probs[i] > t ? 1 : 0;
  return out;
}

/** 0/1 per byte value: `v * (1/255) > t`, the comparison made once per byte value. */
export function byteThresholdTable(t: number): Uint8Array {
  const table = new Uint8Array(256);
  const tb = t * 255;
  for (let v = 0; v < 256; v++) table[v] = v > tb ? 1 : 0;
  return table;
}

/** `probs * (1/255) > t` via a 256-entry table. */
function thresholdBytes(probs: Uint8Array, t: number): Uint8Array {
  const table = byteThresholdTable(t);
  const out = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = table[probs[i]];
  return out;
}

/** Threshold, then optionally keep the largest region and fill holes. */
export function probabilitiesToMask(
  probs: Float32Array | Uint8Array, width: number, height: number, options: MaskOptions,
): Uint8Array {
  let mask = thresholdProbabilities(probs, options.threshold);
  if (options.keepLargest) mask = keepLargestRegion(mask, width, height);
  if (options.fillHoles) mask = fillHoles(mask, width, height);
  return mask;
}

/** The contract's edge of a binary mask: 3×3 max != 3×3 min (replicate borders), as 0/1. */
export function maskEdge(mask: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  // Separable: row max/min, then column max/min.
  const rmax = new Uint8Array(n), rmin = new Uint8Array(n);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    for (let c = 0; c < width; c++) {
      const a = mask[row + Math.max(0, c - 1)] ? 1 : 0;
      const b = mask[row + c] ? 1 : 0;
      const d = mask[row + Math.min(width - 1, c + 1)] ? 1 : 0;
      rmax[row + c] = a | b | d;
      rmin[row + c] = a & b & d;
    }
  }
  const out = new Uint8Array(n);
  for (let r = 0; r < height; r++) {
    const up = Math.max(0, r - 1) * width, mid = r * width, down = Math.min(height - 1, r + 1) * width;
    for (let c = 0; c < width; c++) {
      const mx = rmax[up + c] | rmax[mid + c] | rmax[down + c];
      const mn = rmin[up + c] & rmin[mid + c] & rmin[down + c];
      out[mid + c] = mx !== mn ? 1 : 0;
    }
  }
  return out;
}

/**
 * Logistic function applied in place (exp overflow for very negative logits yields 0, not NaN).
 * Each step is rounded to float32 like torch.sigmoid: a logit within 1e-7 of 0 then gives
 * 0.50000006, not 0.5, so `> 0.5` agrees with the Python evaluation.
 */
export function sigmoidInPlace(values: Float32Array): Float32Array {
  const f = Math.fround;
  for (let i = 0; i < values.length; i++) values[i] = 1 / f(1 + f(Math.exp(-values[i])));
  return values;
}

/** IoU of two 0/1 masks; pixels where `ignore` is set are excluded. 1 when both are empty. */
export function maskIoU(a: Uint8Array, b: Uint8Array, ignore?: Uint8Array): number {
  if (!ignore) return plainIoU(a, b);
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    if (ignore && ignore[i]) continue;
    const x = a[i] !== 0, y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** `maskIoU` without ignored pixels: branch-free counts. */
function plainIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === 0 ? 0 : 1, y = b[i] === 0 ? 0 : 1;
    inter += x & y;
    union += x | y;
  }
  return union === 0 ? 1 : inter / union;
}
