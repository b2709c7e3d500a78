/**
 * From a prediction's 8-bit probability box to the object's polygons, as the editor shows them:
 * threshold, optional largest region and hole filling, marching squares with sub-pixel vertices,
 * Douglas–Peucker, and the IoU between the rasterised polygons and the mask so the cost of the
 * simplification is visible.
 */
import type { MultiPolygonXY } from '../annotation/types';
import { maskToPolygons } from '../geometry/contours';
import { rasterizeMultiPolygon, translateMultiPolygon } from '../geometry/polygon';
import { multiPolygonVertexCount, simplifyMultiPolygon } from '../geometry/simplify';
import { maskIoU, probabilitiesToMask, type MaskOptions } from './postprocess';
import type { BoxXYWH } from './resize';

/** Probabilities (0..255) on a box of the image; outside it they are 0. */
export interface ProbabilityBox {
  readonly box: BoxXYWH;
  readonly data: Uint8Array;
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
  /** Object pixels in the mask. */
  readonly area: number;
}

/** The mask options applied to a probability box: a 0/1 mask on the same box, and its area. */
export function maskFromProbabilities(p: ProbabilityBox, options: MaskOptions): { mask: Uint8Array; area: number } {
  const { box } = p;
  if (box.width === 0 || box.height === 0) return { mask: new Uint8Array(0), area: 0 };
  const mask = probabilitiesToMask(p.data, box.width, box.height, options);
  let area = 0;
  for (let i = 0; i < mask.length; i++) area += mask[i];
  return { mask, area };
}

/**
 * Contour tracing (sub-pixel, from the probabilities) and simplification of a mask made by
 * `maskFromProbabilities`, with the IoU between the rasterised polygons and the mask.
 */
export function polygonsFromMask(p: ProbabilityBox, mask: Uint8Array, area: number, options: MaskOptions, tolerance: number): Polygonized {
  const { box } = p;
  if (box.width === 0 || box.height === 0) return { mask, box, regions: [], vertexCount: 0, iou: 1, area: 0 };
  const local = maskToPolygons(mask, box.width, box.height, { values: p.data, threshold: options.threshold });
  const simplified = simplifyMultiPolygon(local, tolerance);
  const raster = rasterizeMultiPolygon(simplified, box.width, box.height);
  return {
    mask, box,
    regions: translateMultiPolygon(simplified, box.x, box.y),
    vertexCount: multiPolygonVertexCount(simplified),
    iou: maskIoU(raster, mask),
    area,
  };
}

/** Runs the mask options, contour tracing and simplification with `tolerance` pixels. */
export function polygonizeProbabilities(p: ProbabilityBox, options: MaskOptions, tolerance: number): Polygonized {
  const { mask, area } = maskFromProbabilities(p, options);
  return polygonsFromMask(p, mask, area, options, tolerance);
}
