/**
 * Bilinear resampling that reproduces PyTorch's CPU `F.interpolate(mode='bilinear',
 * align_corners=False, antialias=…)` (torch 1.13) bit for bit, as the Python evaluation's
 * models/edgeflow/inference/resize.py does whatever torch is installed, so that
 * the TypeScript predictor and models/evaluate.py feed the model identical inputs and paste back
 * identical maps (NoC is chaotic: one flipped pixel at the 0.5 threshold changes later clicks).
 *
 * What torch does, measured against its outputs:
 * - antialias (the image): separable, horizontal pass then vertical, float32 taps computed in
 *   float32 (triangle filter widened by the scale when downscaling, normalised), accumulated in
 *   float32 with fused multiply-adds.
 * - plain bilinear on a single-channel map: source index in float64 from a float32 scale, float32
 *   lambdas; a map that is contiguous in memory (a whole map, or whole rows of it) goes through
 *   the channels-last kernel: `x00*w00 + x01*w01 + x10*w10 + x11*w11` in float64 with float32
 *   products of the lambdas; a narrower crop of a map (a strided view) goes through the generic
 *   kernel: a float32 fused lerp along x, then along y.
 */

const f = Math.fround;

/** float32 fused multiply-add `a*b + c` (the float32 product is exact in float64). */
function fma32(a: number, b: number, c: number): number {
  return f(a * b + c);
}

/** Per-output-index taps of a 1-D resampling filter. */
export interface ResampleWeights {
  readonly inSize: number;
  readonly outSize: number;
  /** First input index read by output i. */
  readonly start: Int32Array;
  /** Number of taps of output i. */
  readonly count: Int32Array;
  /** Taps (float32 values), `stride` per output index; only the first `count[i]` are used. */
  readonly weights: Float32Array;
  readonly stride: number;
}

/**
 * Computes 1-D bilinear taps from `inSize` samples to `outSize` samples. Plain bilinear has two
 * taps per output (both on the last sample at the far edge, as torch does).
 */
export function resampleWeights(inSize: number, outSize: number, antialias: boolean): ResampleWeights {
  if (!(inSize > 0 && outSize > 0)) throw new Error(`resampleWeights: sizes must be positive, got ${inSize} -> ${outSize}`);
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const scale = f(inSize / outSize);
  if (antialias) {
    const support = scale >= 1 ? scale : 1;
    const invscale = scale >= 1 ? f(1 / scale) : 1;
    const stride = Math.ceil(support) * 2 + 1;
    const weights = new Float32Array(outSize * stride);
    for (let i = 0; i < outSize; i++) {
      const center = f(scale * (i + 0.5));
      const xmin = Math.max(Math.trunc(f(center - support) + 0.5), 0);
      const xsize = Math.min(Math.trunc(f(center + support) + 0.5), inSize) - xmin;
      let total = 0;
      for (let j = 0; j < xsize; j++) {
        const x = Math.abs(f((f(j + xmin - center) + 0.5) * invscale));
        const v = x < 1 ? f(1 - x) : 0;
        weights[i * stride + j] = v;
        total = f(total + v);
      }
      if (total !== 0) for (let j = 0; j < xsize; j++) weights[i * stride + j] = f(weights[i * stride + j] / total);
      // Zero taps at either end add exactly +0 to a sum of non-negative terms (the image's):
      // leave them out (an upscale then reads 2 pixels per output, not 3).
      let lo = 0, n = xsize;
      while (n > 1 && weights[i * stride + n - 1] === 0) n--;
      while (n > 1 && weights[i * stride + lo] === 0) {
        lo++;
        n--;
      }
      if (lo > 0) weights.copyWithin(i * stride, i * stride + lo, i * stride + lo + n);
      start[i] = xmin + lo;
      count[i] = n;
    }
    return { inSize, outSize, start, count, weights, stride };
  }
  const weights = new Float32Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    let i0 = i, l1 = 0;
    if (inSize !== outSize) {
      let src = scale * (i + 0.5) - 0.5;
      if (src < 0) src = 0;
      i0 = Math.trunc(src);
      l1 = f(src - i0);
    }
    start[i] = i0;
    count[i] = i0 < inSize - 1 ? 2 : 1;
    weights[i * 2] = f(1 - l1);
    weights[i * 2 + 1] = l1;
  }
  return { inSize, outSize, start, count, weights, stride: 2 };
}

/** A rectangle of whole pixels: x/y = column/row of its top-left pixel. */
export interface BoxXYWH {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Antialiased pass along rows: `rows` rows of `src` (row stride `srcStride`) into `dst`. */
function aaHorizontal(
  src: Float32Array, srcOffset: number, srcStride: number, rows: number, wx: ResampleWeights,
  dst: Float32Array, dstOffset: number,
): void {
  const outWidth = wx.outSize;
  for (let r = 0; r < rows; r++) {
    const rowBase = srcOffset + r * srcStride;
    const out = dstOffset + r * outWidth;
    for (let i = 0; i < outWidth; i++) {
      const s = rowBase + wx.start[i];
      const k = i * wx.stride;
      let acc = f(src[s] * wx.weights[k]);
      for (let j = 1, n = wx.count[i]; j < n; j++) acc = fma32(src[s + j], wx.weights[k + j], acc);
      dst[out + i] = acc;
    }
  }
}

/** Antialiased pass along columns: `width`-wide rows of `src` into `dst` (row stride `dstStride`). */
function aaVertical(
  src: Float32Array, srcOffset: number, width: number, wy: ResampleWeights,
  dst: Float32Array, dstOffset: number, dstStride: number,
): void {
  for (let o = 0; o < wy.outSize; o++) {
    const k = o * wy.stride, n = wy.count[o];
    const out = dstOffset + o * dstStride;
    const row0 = srcOffset + wy.start[o] * width;
    const w0 = wy.weights[k];
    for (let i = 0; i < width; i++) dst[out + i] = src[row0 + i] * w0;
    for (let j = 1; j < n; j++) {
      const w = wy.weights[k + j], row = row0 + j * width;
      // dst holds float32 values; the store rounds the fused multiply-add once.
      for (let i = 0; i < width; i++) dst[out + i] = src[row + i] * w + dst[out + i];
    }
  }
}

/** How torch reads a map: a contiguous block (channels-last kernel) or a strided crop (generic). */
export type MapLayout = 'contiguous' | 'strided';

/**
 * Resizes the `box` region of a single-channel float plane (row-major, `srcWidth` wide) to
 * `outWidth`×`outHeight` and writes it into `dst` (row stride `dstStride`, default `outWidth`).
 * `layout` (plain bilinear only) defaults to what torch does with the same crop of a [1,1,H,W]
 * map: contiguous when the crop spans whole rows.
 */
export function resizePlane(
  src: Float32Array, srcWidth: number, box: BoxXYWH,
  outWidth: number, outHeight: number, antialias: boolean,
  dst: Float32Array = new Float32Array(outWidth * outHeight), dstStride = outWidth, dstOffset = 0,
  layout: MapLayout = box.width === srcWidth ? 'contiguous' : 'strided',
): Float32Array {
  const wx = resampleWeights(box.width, outWidth, antialias);
  const wy = resampleWeights(box.height, outHeight, antialias);
  const base = box.y * srcWidth + box.x;
  if (antialias) {
    const tmp = new Float32Array(box.height * outWidth);
    aaHorizontal(src, base, srcWidth, box.height, wx, tmp, 0);
    aaVertical(tmp, 0, outWidth, wy, dst, dstOffset, dstStride);
    return dst;
  }
  // Column taps (the second tap repeats the first at the right edge, weight and all).
  const x0 = new Int32Array(outWidth), x1 = new Int32Array(outWidth);
  const lx0 = new Float32Array(outWidth), lx1 = new Float32Array(outWidth);
  for (let i = 0; i < outWidth; i++) {
    x0[i] = wx.start[i];
    x1[i] = wx.start[i] + (wx.count[i] === 2 ? 1 : 0);
    lx0[i] = wx.weights[2 * i];
    lx1[i] = wx.weights[2 * i + 1];
  }
  for (let o = 0; o < outHeight; o++) {
    const y0 = wy.start[o], y1 = y0 + (wy.count[o] === 2 ? 1 : 0);
    const h0 = wy.weights[2 * o], h1 = wy.weights[2 * o + 1];
    const r0 = base + y0 * srcWidth, r1 = base + y1 * srcWidth;
    const out = dstOffset + o * dstStride;
    // Stores into a Float32Array round to float32: the last rounding of each formula is the store.
    if (layout === 'contiguous') {
      // Upscaling reads the same four pixels for several outputs in a row: load them once.
      let last = -1, p00 = 0, p01 = 0, p10 = 0, p11 = 0;
      for (let i = 0; i < outWidth; i++) {
        const a = x0[i];
        if (a !== last) {
          last = a;
          const b = x1[i];
          p00 = src[r0 + a];
          p01 = src[r0 + b];
          p10 = src[r1 + a];
          p11 = src[r1 + b];
        }
        const l0 = lx0[i], l1 = lx1[i];
        dst[out + i] = p00 * f(h0 * l0) + p01 * f(h0 * l1) + p10 * f(h1 * l0) + p11 * f(h1 * l1);
      }
    } else {
      for (let i = 0; i < outWidth; i++) {
        const a = x0[i], b = x1[i], l0 = lx0[i], l1 = lx1[i];
        const t0 = fma32(src[r0 + a], l0, f(src[r0 + b] * l1));
        const t1 = fma32(src[r1 + a], l0, f(src[r1 + b] * l1));
        dst[out + i] = t0 * h0 + f(t1 * h1);
      }
    }
  }
  return dst;
}

/** 8-bit interleaved RGB image, row-major, full resolution. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** `width*height*3` bytes, R,G,B per pixel. */
  readonly data: Uint8Array;
}

/** `v / 255` in float32 for every byte (the Python side converts before resizing). */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Resizes the `box` region of an RGB image to `outWidth`×`outHeight` with antialiased bilinear
 * and writes it as planar float [0,1] (CHW) into a zero-padded `padWidth`×`padHeight` tensor.
 */
export function resizeRgbToTensor(
  image: RgbImage, box: BoxXYWH, outWidth: number, outHeight: number,
  padWidth: number, padHeight: number,
): Float32Array {
  if (padWidth < outWidth || padHeight < outHeight) throw new Error('resizeRgbToTensor: padding smaller than output');
  const wx = resampleWeights(box.width, outWidth, true);
  const wy = resampleWeights(box.height, outHeight, true);
  const plane = padWidth * padHeight;
  const dst = new Float32Array(3 * plane);
  const tplane = box.height * outWidth;
  const tmp = new Float32Array(3 * tplane);
  const src = image.data;
  for (let r = 0; r < box.height; r++) {
    const rowBase = ((box.y + r) * image.width + box.x) * 3;
    const out = r * outWidth;
    for (let i = 0; i < outWidth; i++) {
      let s = rowBase + wx.start[i] * 3;
      const k = i * wx.stride;
      const w0 = wx.weights[k];
      let ar = f(UNIT[src[s]] * w0), ag = f(UNIT[src[s + 1]] * w0), ab = f(UNIT[src[s + 2]] * w0);
      s += 3;
      for (let j = 1, n = wx.count[i]; j < n; j++, s += 3) {
        const w = wx.weights[k + j];
        ar = fma32(UNIT[src[s]], w, ar);
        ag = fma32(UNIT[src[s + 1]], w, ag);
        ab = fma32(UNIT[src[s + 2]], w, ab);
      }
      tmp[out + i] = ar;
      tmp[tplane + out + i] = ag;
      tmp[2 * tplane + out + i] = ab;
    }
  }
  for (let c = 0; c < 3; c++) aaVertical(tmp, c * tplane, outWidth, wy, dst, c * plane, padWidth);
  return dst;
}
