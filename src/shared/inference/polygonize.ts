/**
 * From a prediction's 8-bit probability box to the object's polygons, as the editor shows them:
 * threshold, optional largest region and hole filling, marching squares with sub-pixel vertices,
 * Douglas–Peucker, and the IoU between the rasterised polygons and the mask so the cost of the
 * simplification is visible.
 */
import type { MultiPolygonXY } from '../annotation/types';
import { maskToPolygons } from '../geometry/contours';
import { multiPolygonBBox, rasterizeMultiPolygon, translateMultiPolygon } from '../geometry/polygon';
import { multiPolygonVertexCount, simplifyMultiPolygon } from '../geometry/simplify';
import { byteThresholdTable, maskIoU, probabilitiesToMask, type MaskOptions } from './postprocess';
import type { BoxXYWH } from './resize';

/** Probabilities (0..255) on a box of the image; outside it they are 0. */
export interface ProbabilityBox {
  readonly box: BoxXYWH;
  readonly data: Uint8Array;
  /**
   * Size of the grid `data` holds when it is coarser than the box (a very large image segmented
   * on a working copy): sample (i, j) covers box pixels [i, i+1) * box.width / sample.width.
   * Absent: one sample per box pixel.
   */
  readonly sample?: { readonly width: number; readonly height: number };
}

/** The grid a probability box's data holds. */
export function sampleGrid(p: ProbabilityBox): { width: number; height: number } {
  return p.sample ?? { width: p.box.width, height: p.box.height };
}

/** The object derived from a probability box. */
export interface Polygonized {
  /** 0/1 mask on `box` (same box as the input). */
  readonly mask: Uint8Array;
  readonly box: BoxXYWH;
  /** Simplified polygons in image coordinates. */
  readonly regions: MultiPolygonXY;
  readonly vertexCount: number;
  /** IoU of the rasterised `regions` with `mask` (1 when both are empty). */
  readonly iou: number;
  /** Object pixels in the mask (image pixels, also when the mask is on a coarser grid). */
  readonly area: number;
}

/** The mask options applied to a probability box: a 0/1 mask on the same box, and its area. */
export function maskFromProbabilities(p: ProbabilityBox, options: MaskOptions): { mask: Uint8Array; area: number } {
  const { box } = p;
  if (box.width === 0 || box.height === 0) return { mask: new Uint8Array(0), area: 0 };
  const grid = sampleGrid(p);
  let mask: Uint8Array, area = 0;
  if (options.keepLargest || options.fillHoles) {
    mask = probabilitiesToMask(p.data, grid.width, grid.height, options);
    for (let i = 0; i < mask.length; i++) area += mask[i];
  } else {
    // The plain threshold and the area in one pass (a 12-megapixel box is read once).
    const table = byteThresholdTable(options.threshold);
    const data = p.data;
    mask = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const b = table[data[i]];
      mask[i] = b;
      area += b;
    }
  }
  // In image pixels: each sample stands for a (box / grid) rectangle of them.
  if (p.sample) area = Math.round((area * box.width * box.height) / (grid.width * grid.height));
  return { mask, area };
}

/**
 * Contour tracing (sub-pixel, from the probabilities) and simplification of a mask made by
 * `maskFromProbabilities`, with the IoU between the rasterised polygons and the mask.
 */
export function polygonsFromMask(p: ProbabilityBox, mask: Uint8Array, area: number, options: MaskOptions, tolerance: number): Polygonized {
  const { box } = p;
  if (box.width === 0 || box.height === 0) return { mask, box, regions: [], vertexCount: 0, iou: 1, area: 0 };
  const grid = sampleGrid(p);
  const sx = box.width / grid.width;
  const sy = box.height / grid.height;
  const local = maskToPolygons(mask, grid.width, grid.height, { values: p.data, threshold: options.threshold });
  // The tolerance is in image pixels: on a coarser grid it is that many grid samples fewer.
  const simplified = simplifyMultiPolygon(local, tolerance / Math.max(sx, sy));
  return {
    mask, box,
    regions: translateMultiPolygon(p.sample ? scaleMultiPolygon(simplified, sx, sy) : simplified, box.x, box.y),
    vertexCount: multiPolygonVertexCount(simplified),
    iou: polygonMaskIoU(simplified, mask, grid.width, grid.height),
    area,
  };
}

/**
 * IoU of the rasterised `regions` with `mask` (width x height), computed on the window holding
 * both (outside it both are empty), so a small object in a large box costs its own size.
 */
export function polygonMaskIoU(regions: MultiPolygonXY, mask: Uint8Array, width: number, height: number): number {
  const m = maskBounds(mask, width, height);
  let x0 = m ? m.x : width, y0 = m ? m.y : height, x1 = m ? m.x + m.width : 0, y1 = m ? m.y + m.height : 0;
  if (regions.length) {
    const b = multiPolygonBBox(regions);
    x0 = Math.min(x0, Math.floor(b[0]));
    y0 = Math.min(y0, Math.floor(b[1]));
    x1 = Math.max(x1, Math.ceil(b[2]) + 1);
    y1 = Math.max(y1, Math.ceil(b[3]) + 1);
  }
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(width, x1);
  y1 = Math.min(height, y1);
  if (x1 <= x0 || y1 <= y0) return 1;
  const w = x1 - x0, h = y1 - y0;
  const raster = rasterizeMultiPolygon(x0 || y0 ? translateMultiPolygon(regions, -x0, -y0) : regions, w, h);
  const window = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) window.set(mask.subarray((y0 + r) * width + x0, (y0 + r) * width + x1), r * w);
  return maskIoU(raster, window);
}

/** Tight box of the non-zero pixels of `mask`, or null. */
export function maskBounds(mask: Uint8Array, width: number, height: number): BoxXYWH | null {
  let x0 = width, y0 = -1, x1 = -1, y1 = -1;
  for (let r = 0; r < height; r++) {
    const row = r * width;
    let c = 0;
    while (c < width && mask[row + c] === 0) c++;
    if (c === width) continue;
    if (c < x0) x0 = c;
    let e = width - 1;
    while (mask[row + e] === 0) e--;
    if (e > x1) x1 = e;
    if (y0 < 0) y0 = r;
    y1 = r;
  }
  return y0 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Ring coordinates multiplied by (sx, sy). */
function scaleMultiPolygon(regions: MultiPolygonXY, sx: number, sy: number): MultiPolygonXY {
  const scale = (ring: number[]) => ring.map((v, i) => (i % 2 === 0 ? v * sx : v * sy));
  return regions.map((r) => ({ outer: scale(r.outer), holes: r.holes.map(scale) }));
}

/**
 * Samples of the largest grid the click tool traces on every click; a larger probability box is
 * traced on a coarser grid for the outline shown while clicking (the saved polygon is traced
 * exactly, see `previewProbabilities`).
 */
export const PREVIEW_SAMPLES = 1_000_000;

/**
 * The probability box itself when its grid has at most `maxSamples` samples, else the box on a
 * coarser grid of at most `maxSamples` samples: each coarse sample is the mean (rounded) of the
 * samples it covers, so `polygonsFromMask` on it gives the outline at a fraction of the cost
 * (within about one coarse sample of the exact one).
 */
export function previewProbabilities(p: ProbabilityBox, maxSamples = PREVIEW_SAMPLES): ProbabilityBox {
  const g = sampleGrid(p);
  if (g.width * g.height <= maxSamples) return p;
  const k = Math.sqrt((g.width * g.height) / maxSamples);
  const cw = Math.max(1, Math.floor(g.width / k)), ch = Math.max(1, Math.floor(g.height / k));
  // Coarse sample (i, j) covers grid columns [xs[i], xs[i+1]) and rows [ys[j], ys[j+1]).
  const xs = new Int32Array(cw + 1), ys = new Int32Array(ch + 1);
  for (let i = 0; i <= cw; i++) xs[i] = Math.floor((i * g.width) / cw);
  for (let j = 0; j <= ch; j++) ys[j] = Math.floor((j * g.height) / ch);
  const src = p.data;
  const data = new Uint8Array(cw * ch);
  const acc = new Uint32Array(cw);
  for (let j = 0; j < ch; j++) {
    acc.fill(0);
    for (let r = ys[j]; r < ys[j + 1]; r++) {
      const row = r * g.width;
      for (let i = 0; i < cw; i++) {
        let sum = 0;
        for (let c = row + xs[i], end = row + xs[i + 1]; c < end; c++) sum += src[c];
        acc[i] += sum;
      }
    }
    const rows = ys[j + 1] - ys[j];
    for (let i = 0; i < cw; i++) data[j * cw + i] = Math.round(acc[i] / (rows * (xs[i + 1] - xs[i])));
  }
  return { box: p.box, data, sample: { width: cw, height: ch } };
}

/** Runs the mask options, contour tracing and simplification with `tolerance` pixels. */
export function polygonizeProbabilities(p: ProbabilityBox, options: MaskOptions, tolerance: number): Polygonized {
  const { mask, area } = maskFromProbabilities(p, options);
  return polygonsFromMask(p, mask, area, options, tolerance);
}
