/**
 * Separable bilinear resampling that matches PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False, antialias=…)` bit for bit up to float
 * rounding. With `antialias` the triangle filter is widened by the scale factor when
 * downscaling (PIL/torch style); upscaling is identical either way.
 */

/** Per-output-index taps of a 1-D resampling filter. */
export interface ResampleWeights {
  readonly inSize: number;
  readonly outSize: number;
  /** First input index read by output i. */
  readonly start: Int32Array;
  /** Number of taps of output i. */
  readonly count: Int32Array;
  /** Taps, `stride` per output index; only the first `count[i]` are used. */
  readonly weights: Float32Array;
  readonly stride: number;
}

/** Computes 1-D bilinear taps from `inSize` samples to `outSize` samples. */
export function resampleWeights(inSize: number, outSize: number, antialias: boolean): ResampleWeights {
  if (!(inSize > 0 && outSize > 0)) throw new Error(`resampleWeights: sizes must be positive, got ${inSize} -> ${outSize}`);
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  if (antialias) {
    const support = scale >= 1 ? scale : 1;
    const invscale = scale >= 1 ? 1 / scale : 1;
    const stride = Math.ceil(support) * 2 + 1;
    const weights = new Float32Array(outSize * stride);
    for (let i = 0; i < outSize; i++) {
      const center = scale * (i + 0.5);
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
      const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
      let total = 0;
      const w = new Float64Array(xsize);
      for (let j = 0; j < xsize; j++) {
        const x = Math.abs((j + xmin - center + 0.5) * invscale);
        const v = x < 1 ? 1 - x : 0;
        w[j] = v;
        total += v;
      }
      start[i] = xmin;
      count[i] = xsize;
      for (let j = 0; j < xsize; j++) weights[i * stride + j] = total !== 0 ? w[j] / total : 0;
    }
    return { inSize, outSize, start, count, weights, stride };
  }
  const stride = 2;
  const weights = new Float32Array(outSize * stride);
  // Plain bilinear: torch computes the source position in float32; doing the same keeps the
  // maps identical where a probability sits right at a threshold.
  const f = Math.fround;
  const scale32 = f(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    let src = f(f(scale32 * f(i + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.trunc(src);
    const hasNext = i0 < inSize - 1;
    const l1 = Math.min(1, f(src - i0));
    start[i] = i0;
    if (hasNext) {
      count[i] = 2;
      weights[i * 2] = 1 - l1;
      weights[i * 2 + 1] = l1;
    } else {
      count[i] = 1;
      weights[i * 2] = 1;
    }
  }
  return { inSize, outSize, start, count, weights, stride };
}

/**
 * The vertical half of a separable resize: output row o is the weighted sum of whole rows of
 * `src` (each `width` long, starting at `srcOffset`). Row-at-a-time so the inner loop is a
 * contiguous multiply-add.
 */
function verticalPass(
  src: Float32Array, srcOffset: number, width: number, wy: ResampleWeights, outHeight: number,
  dst: Float32Array, dstOffset: number, dstStride: number,
): void {
  for (let o = 0; o < outHeight; o++) {
    const s = wy.start[o], k = o * wy.stride, n = wy.count[o];
    const out = dstOffset + o * dstStride;
    let row = srcOffset + s * width;
    const w0 = wy.weights[k];
    if (n === 2) {
      // The common case (upscaling, plain bilinear): one pass over the output row.
      const w1 = wy.weights[k + 1], next = row + width;
      for (let i = 0; i < width; i++) dst[out + i] = src[row + i] * w0 + src[next + i] * w1;
      continue;
    }
    for (let i = 0; i < width; i++) dst[out + i] = src[row + i] * w0;
    for (let j = 1; j < n; j++) {
      const w = wy.weights[k + j];
      row += width;
      for (let i = 0; i < width; i++) dst[out + i] += src[row + i] * w;
    }
  }
}

/** A rectangle of whole pixels: x/y = column/row of its top-left pixel. */
export interface BoxXYWH {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Resizes the `box` region of a single-channel float plane (row-major, `srcWidth` wide) to
 * `outWidth`×`outHeight` and writes it into `dst` (row stride `dstStride`, default `outWidth`).
 */
export function resizePlane(
  src: Float32Array, srcWidth: number, box: BoxXYWH,
  outWidth: number, outHeight: number, antialias: boolean,
  dst: Float32Array = new Float32Array(outWidth * outHeight), dstStride = outWidth, dstOffset = 0,
): Float32Array {
  const wx = resampleWeights(box.width, outWidth, antialias);
  const wy = resampleWeights(box.height, outHeight, antialias);
  // Horizontal pass only over the rows the vertical pass needs.
  const tmp = new Float32Array(box.height * outWidth);
  for (let r = 0; r < box.height; r++) {
    const rowBase = (box.y + r) * srcWidth + box.x;
    const out = r * outWidth;
    for (let i = 0; i < outWidth; i++) {
      const s = rowBase + wx.start[i];
      const k = i * wx.stride;
      let acc = 0;
      for (let j = 0, n = wx.count[i]; j < n; j++) acc += src[s + j] * wx.weights[k + j];
      tmp[out + i] = acc;
    }
  }
  verticalPass(tmp, 0, outWidth, wy, outHeight, dst, dstOffset, dstStride);
  return dst;
}

/** 8-bit interleaved RGB image, row-major, full resolution. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** `width*height*3` bytes, R,G,B per pixel. */
  readonly data: Uint8Array;
}

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
  const tmp = new Float32Array(3 * box.height * outWidth);
  const tplane = box.height * outWidth;
  const src = image.data;
  const inv = 1 / 255;
  for (let r = 0; r < box.height; r++) {
    const rowBase = ((box.y + r) * image.width + box.x) * 3;
    const out = r * outWidth;
    for (let i = 0; i < outWidth; i++) {
      let s = rowBase + wx.start[i] * 3;
      const k = i * wx.stride;
      let ar = 0, ag = 0, ab = 0;
      for (let j = 0, n = wx.count[i]; j < n; j++, s += 3) {
        const w = wx.weights[k + j];
        ar += src[s] * w;
        ag += src[s + 1] * w;
        ab += src[s + 2] * w;
      }
      tmp[out + i] = ar * inv;
      tmp[tplane + out + i] = ag * inv;
      tmp[2 * tplane + out + i] = ab * inv;
    }
  }
  for (let c = 0; c < 3; c++) verticalPass(tmp, c * tplane, outWidth, wy, outHeight, dst, c * plane, padWidth);
  return dst;
}
