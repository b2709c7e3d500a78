/**
 * What changed in one image's labels between two versions of its sidecar: objects added, removed
 * and changed (geometry, class, attributes), and the review. Objects are matched by id first (the
 * editor's ids are stable), then, among those left, by IoU >= 0.5 within a class-blind search (an
 * object deleted and redrawn, or re-imported under a new id, is "changed", not removed + added).
 * Hiding or showing an object is not a change of the labels.
 */
import { attributesEqual } from '../annotation/attributes';
import type { ReviewRecord } from '../annotation/review';
import type { AnnotationObject } from '../annotation/types';
import { regionsEqual } from '../editGuard';
import { rasterizeObject } from '../export/clean';
import { rasterIoU } from './qualityChecks';

/** One object present in both versions with different labels. */
export interface ObjectChange {
  /** Id in the newer version. */
  id: number;
  /** Id in the older version, when it was matched by overlap under another id. */
  was?: number;
  geometry: boolean;
  /** Class ids before and after, when the class changed. */
  classId?: { from: number; to: number };
  attributes: boolean;
  /** IoU of the two shapes (1 when the geometry is unchanged). */
  iou: number;
}

/** The difference of one image. */
export interface ImageDiff {
  /** Ids (newer version) of objects only the newer version has. */
  added: number[];
  /** Ids (older version) of objects only the older version has. */
  removed: number[];
  changed: ObjectChange[];
  /** Present when the review differs. */
  review?: { from: ReviewRecord | null; to: ReviewRecord | null };
}

/** Below this IoU two objects with different ids are not the same object. */
export const MATCH_IOU = 0.5;

function sameReview(a: ReviewRecord | undefined, b: ReviewRecord | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Compares two versions of an image's objects (rasters on a width x height image for IoU). */
export function diffImage(
  before: { objects: readonly AnnotationObject[]; review?: ReviewRecord },
  after: { objects: readonly AnnotationObject[]; review?: ReviewRecord },
  width: number,
  height: number,
): ImageDiff {
  const raster = new Map<AnnotationObject, ReturnType<typeof rasterizeObject>>();
  const iou = (a: AnnotationObject, b: AnnotationObject) => {
    if (regionsEqual(a.regions, b.regions)) return 1;
    for (const o of [a, b]) if (!raster.has(o)) raster.set(o, rasterizeObject(o.regions, width, height));
    return rasterIoU(raster.get(a) as ReturnType<typeof rasterizeObject>, raster.get(b) as ReturnType<typeof rasterizeObject>);
  };
  const pairs: [AnnotationObject, AnnotationObject][] = [];
  const afterById = new Map(after.objects.map((o) => [o.id, o]));
  const leftBefore: AnnotationObject[] = [];
  const matchedAfter = new Set<AnnotationObject>();
  for (const b of before.objects) {
    const a = afterById.get(b.id);
    if (a) {
      pairs.push([b, a]);
      matchedAfter.add(a);
    } else leftBefore.push(b);
  }
  const leftAfter = after.objects.filter((o) => !matchedAfter.has(o));
  // Greedy by IoU: the best-overlapping pairs first.
  const candidates: { b: AnnotationObject; a: AnnotationObject; iou: number }[] = [];
  for (const b of leftBefore) for (const a of leftAfter) {
    const v = iou(b, a);
    if (v >= MATCH_IOU) candidates.push({ b, a, iou: v });
  }
  candidates.sort((x, y) => y.iou - x.iou || x.b.id - y.b.id || x.a.id - y.a.id);
  const usedB = new Set<AnnotationObject>();
  const usedA = new Set<AnnotationObject>();
  for (const c of candidates) {
    if (usedB.has(c.b) || usedA.has(c.a)) continue;
    usedB.add(c.b);
    usedA.add(c.a);
    pairs.push([c.b, c.a]);
  }
  const changed: ObjectChange[] = [];
  for (const [b, a] of pairs) {
    const geometry = !regionsEqual(b.regions, a.regions);
    const attributes = !attributesEqual(b.attributes, a.attributes);
    const cls = b.classId !== a.classId;
    if (!geometry && !attributes && !cls && b.id === a.id) continue;
    const c: ObjectChange = { id: a.id, geometry, attributes, iou: geometry ? iou(b, a) : 1 };
    if (b.id !== a.id) c.was = b.id;
    if (cls) c.classId = { from: b.classId, to: a.classId };
    changed.push(c);
  }
  changed.sort((x, y) => x.id - y.id);
  const d: ImageDiff = {
    added: leftAfter.filter((o) => !usedA.has(o)).map((o) => o.id).sort((x, y) => x - y),
    removed: leftBefore.filter((o) => !usedB.has(o)).map((o) => o.id).sort((x, y) => x - y),
    changed,
  };
  if (!sameReview(before.review, after.review)) d.review = { from: before.review ?? null, to: after.review ?? null };
  return d;
}

/** True when nothing differs. */
export function isEmptyDiff(d: ImageDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && !d.review;
}
