/**
 * The annotation document model: plain, serialisable data shared by the extension host, the
 * webview, the exporters and the CLI. Nothing here knows about VS Code or the DOM.
 *
 * Coordinates: image pixel coordinates, x to the right, y down, origin at the top-left corner of
 * the top-left pixel, so pixel (col,row) covers [col,col+1) x [row,row+1) and its centre is
 * (col+0.5,row+0.5). Values are floats (sub-pixel vertices are allowed).
 */

import { cloneAttributes, type AttributeMap } from './attributes';
import type { ReviewRecord } from './review';

/** A closed ring as a flat array [x0,y0,x1,y1,...] (x first). The closing edge is implicit: the last
 * vertex is NOT a repeat of the first. At least 3 vertices (6 numbers) for a valid ring. */
export type RingXY = number[];

/** One connected region: an outer boundary and zero or more holes inside it. */
export interface RegionXY {
  /** Outer boundary. */
  outer: RingXY;
  /** Holes: rings strictly inside `outer`, not overlapping each other. */
  holes: RingXY[];
}

/** A multipolygon: a union of disjoint regions. */
export type MultiPolygonXY = RegionXY[];

/** One labelled object in an image. */
export interface AnnotationObject {
  /** Stable integer id, unique within the image, never reused for another object in the same
   * document (ids survive save/load because the COCO sidecar stores them as annotation ids). */
  id: number;
  /** Class id from the workspace labels file (see `Label.id`). */
  classId: number;
  /** Geometry. */
  regions: MultiPolygonXY;
  /** Hidden in the editor (display only, still saved and exported). */
  hidden: boolean;
  /**
   * Attribute values the user set (see attributes.ts); absent or empty when none. Never holds
   * defaults from the labels file, which apply only where a value is missing.
   */
  attributes?: AttributeMap;
}

/** The whole annotation state of one image. */
export interface AnnotationState {
  /** Objects in drawing order (later objects are drawn on top). */
  objects: AnnotationObject[];
  /** Id the next new object gets; always greater than every id in `objects`. */
  nextId: number;
  /** The image's review (review.ts); absent: not reviewed. */
  review?: ReviewRecord;
}

/** An empty state. */
export function emptyState(): AnnotationState {
  return { objects: [], nextId: 1 };
}

/** Deep copy of a ring list/object/state; the model never shares arrays between states. */
export function cloneRegions(regions: MultiPolygonXY): MultiPolygonXY {
  return regions.map((r) => ({ outer: r.outer.slice(), holes: r.holes.map((h) => h.slice()) }));
}

/** Deep copy of an object. */
export function cloneObject(o: AnnotationObject): AnnotationObject {
  const c: AnnotationObject = { id: o.id, classId: o.classId, regions: cloneRegions(o.regions), hidden: o.hidden };
  // Only when there are some: objects without attributes look exactly as before issue 30.
  if (o.attributes && Object.keys(o.attributes).length > 0) c.attributes = cloneAttributes(o.attributes);
  return c;
}

/** Deep copy of a state. */
export function cloneState(s: AnnotationState): AnnotationState {
  const c: AnnotationState = { objects: s.objects.map(cloneObject), nextId: s.nextId };
  // Only when there is one: unreviewed states look exactly as before issue 33.
  if (s.review) c.review = { ...s.review };
  return c;
}
