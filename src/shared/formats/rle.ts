/**
 * COCO run-length encoding, compatible with pycocotools (`mask.encode`/`decode`,
 * `_mask.pyx`/`maskApi.c`), written from the published format description:
 *
 * - The mask is read in COLUMN-MAJOR order (down the first column, then the next column...), i.e.
 *   pixel (col,row) has run index col*height + row.
 * - `counts` alternates run lengths starting with a run of ZEROS (which may be 0 long).
 * - Compressed `counts` (a string) stores each count (from the fourth on, as the difference to the
 *   count two places earlier) as a little-endian sequence of 5-bit groups; each character is
 *   48 + (group | 0x20 if more groups follow), and the last group's bit 0x10 is the sign.
 * - `size` is [height, width].
 *
 * Masks given to and returned by this module are row-major `Uint8Array`s (non-zero = foreground),
 * the layout canvas and PNG use.
 */
import { Result, err, ok } from '../annotation/result';

/** A COCO compressed RLE object. */
export interface CocoRle {
  /** [height, width]. */
  size: [number, number];
  /** Compressed counts string. */
  counts: string;
}

/** An uncompressed COCO RLE (`counts` as a number list). */
export interface CocoRleUncompressed {
  size: [number, number];
  counts: number[];
}

/** Why an RLE could not be decoded. */
export interface RleError {
  code: 'invalid-rle';
  message: string;
}

/** Run lengths (column-major, starting with zeros) of a row-major mask. */
export function maskToCounts(mask: ArrayLike<number>, width: number, height: number): number[] {
  if (mask.length < width * height) throw new Error(`maskToCounts: mask holds ${mask.length} < ${width}x${height}`);
  return boxMaskToCounts(mask, 0, 0, width, height, width, height);
}

/**
 * Run lengths (column-major, starting with zeros) of the width x height mask that holds the
 * row-major `box` (w x h, placed with its top-left corner at x0, y0) and zeros elsewhere, without
 * building the full mask. The box must lie inside the image.
 */
export function boxMaskToCounts(
  box: ArrayLike<number>,
  x0: number,
  y0: number,
  w: number,
  h: number,
  width: number,
  height: number,
): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let col = 0; col < width; col++) {
    if (col < x0 || col >= x0 + w) {
      // A column outside the box is all zeros.
      if (current !== 0) {
        counts.push(run);
        run = 0;
        current = 0;
      }
      run += height;
      continue;
    }
    const cx = col - x0;
    for (let row = 0; row < height; row++) {
      const v = row >= y0 && row < y0 + h && box[(row - y0) * w + cx] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** Row-major 0/1 mask from column-major run lengths; error if they do not sum to width*height. */
export function countsToMask(counts: readonly number[], width: number, height: number): Result<Uint8Array, RleError> {
  const n = width * height;
  const mask = new Uint8Array(n);
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0) return err({ code: 'invalid-rle', message: `count ${i} is ${c}, not a non-negative integer` });
    if (pos + c > n) return err({ code: 'invalid-rle', message: `counts exceed ${height}x${width} pixels` });
    if (i % 2 === 1) {
      for (let k = pos; k < pos + c; k++) {
        const row = k % height;
        const col = (k - row) / height;
        mask[row * width + col] = 1;
      }
    }
    pos += c;
  }
  if (pos !== n) return err({ code: 'invalid-rle', message: `counts sum to ${pos}, expected ${n} (${height}x${width})` });
  return ok(mask);
}

/** Compresses run lengths into the COCO counts string. */
export function countsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x = Math.floor(x / 32); // arithmetic shift, also beyond 32 bits
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Expands a COCO counts string into run lengths. */
export function stringToCounts(s: string): Result<number[], RleError> {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) return err({ code: 'invalid-rle', message: 'counts string ends inside a number' });
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) return err({ code: 'invalid-rle', message: `invalid character at ${p} in counts string` });
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
      if (k > 10) return err({ code: 'invalid-rle', message: 'number too long in counts string' });
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return ok(counts);
}

/** Encodes a row-major mask as COCO compressed RLE. */
export function encodeRle(mask: ArrayLike<number>, width: number, height: number): CocoRle {
  return { size: [height, width], counts: countsToString(maskToCounts(mask, width, height)) };
}

/** Decodes compressed or uncompressed COCO RLE into a row-major 0/1 mask. */
export function decodeRle(rle: CocoRle | CocoRleUncompressed): Result<{ mask: Uint8Array; width: number; height: number }, RleError> {
  if (!Array.isArray(rle.size) || rle.size.length !== 2) return err({ code: 'invalid-rle', message: 'size must be [height, width]' });
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    return err({ code: 'invalid-rle', message: 'size must hold non-negative integers' });
  }
  let counts: number[];
  if (typeof rle.counts === 'string') {
    const c = stringToCounts(rle.counts);
    if (!c.ok) return c;
    counts = c.value;
  } else if (Array.isArray(rle.counts)) {
    counts = rle.counts;
  } else {
    return err({ code: 'invalid-rle', message: 'counts must be a string or a number array' });
  }
  const m = countsToMask(counts, width, height);
  if (!m.ok) return m;
  return ok({ mask: m.value, width, height });
}

/** Foreground pixel count of run lengths. */
export function countsArea(counts: readonly number[]): number {
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i];
  return a;
}

/** Tight [x, y, w, h] box of the foreground (pixel units, like pycocotools `toBbox`); zeros if empty. */
export function countsBBox(counts: readonly number[], height: number): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (i % 2 === 1 && c > 0 && height > 0) {
      const start = pos;
      const end = pos + c - 1;
      const x0 = Math.floor(start / height);
      const x1 = Math.floor(end / height);
      minX = Math.min(minX, x0);
      maxX = Math.max(maxX, x1);
      if (x1 > x0) {
        minY = 0;
        maxY = height - 1;
      } else {
        minY = Math.min(minY, start % height);
        maxY = Math.max(maxY, end % height);
      }
    }
    pos += c;
  }
  if (minX === Infinity) return [0, 0, 0, 0];
  return [minX, minY, maxX - minX + 1, maxY - minY + 1];
}
