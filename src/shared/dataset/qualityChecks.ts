/**
 * Quality checks on a workspace's labels, pure so the CLI (`edgeflow stats --checks`), the
 * Problems panel and tests share them. Pixels are counted as the exports count them (pixel
 * centres, even-odd per region: `rasterizeObject`), so "covers no pixel" means "exports as an
 * empty mask".
 */
import type { AnnotationObject } from '../annotation/types';
import { ObjectRaster, rasterizeObject } from '../export/clean';
import { multiPolygonArea, multiPolygonBBox } from '../geometry/polygon';
import type { Label } from '../labels';

/** What a check found. */
export type CheckCode = 'degenerate-object' | 'tiny-object' | 'near-duplicate' | 'unknown-class' | 'orphan-sidecar' | 'unreadable-sidecar' | 'invalid-review';

/** One finding, about one sidecar (and one object of it, where it is about an object). */
export interface CheckFinding {
  severity: 'error' | 'warning';
  code: CheckCode;
  /** Workspace-relative sidecar path. */
  file: string;
  /** The object concerned (annotation id). */
  objectId?: number;
  /** The other object of a near-duplicate pair. */
  otherObjectId?: number;
  message: string;
}

/** Thresholds of the object checks. */
export interface CheckOptions {
  /** Objects covering fewer pixels are "tiny" (default 16: a 4x4 square). */
  minPixels: number;
  /** Same-class pairs at or above this IoU are near-duplicates (default 0.9). */
  duplicateIoU: number;
}

export const DEFAULT_CHECK_OPTIONS: Readonly<CheckOptions> = { minPixels: 16, duplicateIoU: 0.9 };

/** Intersection over union of two rasters of the same image. */
export function rasterIoU(a: ObjectRaster, b: ObjectRaster): number {
  if (a.area === 0 || b.area === 0) return 0;
  const x0 = Math.max(a.x0, b.x0);
  const y0 = Math.max(a.y0, b.y0);
  const x1 = Math.min(a.x0 + a.w, b.x0 + b.w);
  const y1 = Math.min(a.y0 + a.h, b.y0 + b.h);
  let inter = 0;
  for (let y = y0; y < y1; y++) {
    const ra = (y - a.y0) * a.w - a.x0;
    const rb = (y - b.y0) * b.w - b.x0;
    for (let x = x0; x < x1; x++) if (a.data[ra + x] && b.data[rb + x]) inter++;
  }
  return inter / (a.area + b.area - inter);
}

/**
 * The object checks of one image: objects that cover no pixel (degenerate: they export as
 * nothing), objects under `minPixels` (tiny), same-class pairs with IoU >= `duplicateIoU`, and
 * class ids the labels file lacks (only when there is a labels file: without one every class
 * would be "missing").
 */
export function checkObjects(
  file: string,
  objects: readonly AnnotationObject[],
  width: number,
  height: number,
  labels: readonly Label[],
  options: Partial<CheckOptions> = {},
): CheckFinding[] {
  const o = { ...DEFAULT_CHECK_OPTIONS, ...options };
  const out: CheckFinding[] = [];
  const known = new Set(labels.map((l) => l.id));
  // Rasters are made only where needed: most objects are clearly large and clearly apart.
  const rasters = new Map<number, ObjectRaster>();
  const raster = (i: number): ObjectRaster => {
    let r = rasters.get(i);
    if (!r) rasters.set(i, (r = rasterizeObject(objects[i].regions, width, height)));
    return r;
  };
  const areas = objects.map((obj) => multiPolygonArea(obj.regions));
  const slack = objects.map((obj) => pixelSlack(obj.regions));
  const boxes = objects.map((obj) => multiPolygonBBox(obj.regions));
  const pixels: number[] = [];
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i];
    const b = boxes[i];
    const inside = b[0] >= 0 && b[1] >= 0 && b[2] <= width && b[3] <= height;
    const sure = inside && areas[i] - slack[i] >= o.minPixels;
    const count = sure ? Infinity : raster(i).area;
    pixels.push(count);
    if (count === 0) {
      out.push({ severity: 'error', code: 'degenerate-object', file, objectId: obj.id, message: `object ${obj.id} covers no pixel (area ${round(areas[i])} px²): it exports as an empty mask` });
    } else if (count < o.minPixels) {
      out.push({ severity: 'warning', code: 'tiny-object', file, objectId: obj.id, message: `object ${obj.id} covers ${count} pixel${count === 1 ? '' : 's'} (fewer than ${o.minPixels})` });
    }
    if (labels.length > 0 && !known.has(obj.classId)) {
      out.push({ severity: 'error', code: 'unknown-class', file, objectId: obj.id, message: `object ${obj.id} has class id ${obj.classId}, which the labels file does not define` });
    }
  }
  for (let i = 0; i < objects.length; i++) {
    if (pixels[i] === 0) continue;
    for (let j = i + 1; j < objects.length; j++) {
      if (objects[i].classId !== objects[j].classId || pixels[j] === 0) continue;
      // IoU <= intersection / the larger pixel count, and the intersection is at most the boxes'
      // overlap and the smaller pixel count: with bounds on the pixel counts, most pairs are
      // ruled out without rasterising.
      const a = boxes[i];
      const b = boxes[j];
      const overlap = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1);
      const [small, large] = areas[i] <= areas[j] ? [i, j] : [j, i];
      const largeAtLeast = areas[large] - slack[large];
      if (largeAtLeast > 0 && Math.min(overlap, areas[small] + slack[small]) / largeAtLeast < o.duplicateIoU) continue;
      const iou = rasterIoU(raster(i), raster(j));
      if (iou >= o.duplicateIoU) {
        out.push({
          severity: 'warning',
          code: 'near-duplicate',
          file,
          objectId: objects[j].id,
          otherObjectId: objects[i].id,
          message: `objects ${objects[i].id} and ${objects[j].id} are the same class and overlap with IoU ${iou.toFixed(2)}`,
        });
      }
    }
  }
  return out;
}

/**
 * A bound on |pixel count - geometric area|: only pixels whose square a ring's edge crosses can
 * be counted differently from their area, and an edge (dx, dy) crosses at most |dx| + |dy| + 2
 * squares.
 */
function pixelSlack(regions: AnnotationObject['regions']): number {
  let s = 4;
  for (const r of regions) {
    for (const ring of [r.outer, ...r.holes]) {
      const n = ring.length;
      for (let k = 0; k < n; k += 2) s += Math.abs(ring[(k + 2) % n] - ring[k]) + Math.abs(ring[(k + 3) % n] - ring[k + 1]) + 2;
    }
  }
  return s;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
