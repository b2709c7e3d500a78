/**
 * A brush stroke on a finished object (issue 30): its polygons are rasterised on their box (plus
 * the stroke, plus a margin), the stroke is drawn into that mask as it is dragged, and the mask is
 * traced back into polygons (the click tool's tracing and simplification) when it ends. Runtime
 * neutral; the brush tool commits the result as one `setGeometry` edit.
 */
import type { MultiPolygonXY } from '../../shared/annotation';
import { intersectBox, pasteBox, rasterizeStroke, strokeBounds, unionBox, type BrushStroke } from '../../shared/geometry/brush';
import { maskToPolygons } from '../../shared/geometry/contours';
import { multiPolygonBBox, rasterizeMultiPolygon, translateMultiPolygon } from '../../shared/geometry/polygon';
import { multiPolygonVertexCount, simplifyMultiPolygon } from '../../shared/geometry/simplify';
import { spliceUntouched } from '../../shared/geometry/splice';
import { polygonMaskIoU } from '../../shared/inference/polygonize';
import type { BoxXYWH } from '../../shared/inference/resize';

/** Pixels of margin kept around the object and the stroke (growing the box is a copy). */
const MARGIN = 16;

/** The traced result of an edited mask. */
export interface TracedMask {
  readonly regions: MultiPolygonXY;
  readonly vertexCount: number;
  /** IoU of the rasterised `regions` with the mask. */
  readonly iou: number;
}

export class ObjectMaskEdit {
  box: BoxXYWH;
  mask: Uint8Array;
  /** Changed since the overlay was last drawn (null: redraw whole); the overlay consumes it. */
  dirty: BoxXYWH | null = null;
  /** Bumped when the box is reallocated (the overlay's rebuild key). */
  generation = 0;
  private drawn = 0;
  /** Object pixels before the stroke. */
  private readonly area0: number;

  constructor(readonly id: number, readonly before: MultiPolygonXY, readonly stroke: { mode: BrushStroke['mode']; radius: number; points: number[] }, readonly width: number, readonly height: number) {
    const [x0, y0, x1, y1] = multiPolygonBBox(before);
    const objectBox = { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1) - Math.floor(x0) + 1, height: Math.ceil(y1) - Math.floor(y0) + 1 };
    this.box = this.grown(unionBox(objectBox, strokeBounds(stroke, this.image) ?? objectBox)!);
    this.mask = rasterizeMultiPolygon(translateMultiPolygon(before, -this.box.x, -this.box.y), this.box.width, this.box.height);
    this.area0 = countOnes(this.mask);
    this.extend();
  }

  private get image(): BoxXYWH {
    return { x: 0, y: 0, width: this.width, height: this.height };
  }

  private grown(b: BoxXYWH): BoxXYWH {
    return intersectBox({ x: b.x - MARGIN, y: b.y - MARGIN, width: b.width + 2 * MARGIN, height: b.height + 2 * MARGIN }, this.image)!;
  }

  /** Draws the points added to `stroke` since the last call; returns the changed box. */
  extend(): BoxXYWH | null {
    const n = this.stroke.points.length / 2;
    const need = strokeBounds(this.stroke, this.image, this.drawn, n);
    if (need) {
      const have = intersectBox(this.box, need);
      if (!have || have.width !== need.width || have.height !== need.height) {
        // Off the box: a larger one, by half again, so a long drag reallocates a few times.
        const u = unionBox(this.box, need)!;
        const box = this.grown({ x: u.x - (u.width >> 2), y: u.y - (u.height >> 2), width: u.width + (u.width >> 1), height: u.height + (u.height >> 1) });
        const mask = new Uint8Array(box.width * box.height);
        pasteBox(mask, box, this.box, this.mask);
        this.box = box;
        this.mask = mask;
        this.generation++;
        this.dirty = null;
      }
    }
    const changed = rasterizeStroke(this.stroke, this.box, this.mask, this.stroke.mode === 'paint' ? 1 : 0, this.drawn, n);
    this.drawn = n;
    if (changed) this.dirty = unionBox(this.dirty, changed);
    return changed;
  }

  /**
   * Whether the stroke changed a pixel: a paint stroke only adds, an eraser stroke only removes,
   * so the area tells. A stroke that changed nothing is no edit (re-tracing alone would move the
   * untouched outline by the simplification's tolerance).
   */
  get changed(): boolean {
    return countOnes(this.mask) !== this.area0;
  }

  /**
   * Traces the mask into polygons (simplified by `tolerance` image pixels), with the old
   * polygon's vertices kept wherever the outline runs away from the stroke (`spliceUntouched`),
   * unless that fits the mask worse than the plain tracing.
   */
  trace(tolerance: number): TracedMask {
    const { box, mask } = this;
    const local = maskToPolygons(mask, box.width, box.height);
    const simplified = simplifyMultiPolygon(local, tolerance);
    const iou = polygonMaskIoU(simplified, mask, box.width, box.height);
    const traced = translateMultiPolygon(simplified, box.x, box.y);
    // A traced vertex lies within a pixel of the old outline, plus the simplification's tolerance.
    const slack = tolerance + 1.5;
    const reach = this.stroke.radius + slack + 1;
    const p = this.stroke.points;
    const near = (x: number, y: number): boolean => {
      for (let i = 0; i < p.length; i += 2) {
        const bx = i + 2 < p.length ? p[i + 2] : p[i], by = i + 2 < p.length ? p[i + 3] : p[i + 1];
        const dx = bx - p[i], dy = by - p[i + 1], l2 = dx * dx + dy * dy;
        const t = l2 ? Math.max(0, Math.min(1, ((x - p[i]) * dx + (y - p[i + 1]) * dy) / l2)) : 0;
        if ((x - p[i] - t * dx) ** 2 + (y - p[i + 1] - t * dy) ** 2 <= reach * reach) return true;
      }
      return false;
    };
    const spliced = spliceUntouched(traced, this.before, near, slack);
    const splicedIoU = polygonMaskIoU(translateMultiPolygon(spliced, -box.x, -box.y), mask, box.width, box.height);
    if (splicedIoU >= iou - 0.005) return { regions: spliced, vertexCount: multiPolygonVertexCount(spliced), iou: splicedIoU };
    return { regions: traced, vertexCount: multiPolygonVertexCount(simplified), iou };
  }
}

function countOnes(m: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}
