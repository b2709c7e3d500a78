/**
 * The per-image COCO sidecar, `<image file name>.coco.json` beside the image.
 *
 * It is a valid COCO instance-segmentation file with exactly one image (id 1):
 * ```
 * info          provenance; info.edgeflow = {format: "edgeflow.coco-sidecar", formatVersion: 1, generator}
 * licenses      []
 * images        [{id: 1, file_name, width, height}]
 * categories    every class of the labels file (+ a placeholder for any class id an object uses
 *               that the labels file lacks), sorted by id: {id, name, supercategory: ""}
 * annotations   one per object, in drawing order:
 *               {id: object id, image_id: 1, category_id, segmentation, area, bbox, iscrowd: 0}
 *               + "edgeflow_regions" and/or "edgeflow_hidden" only where needed (see below)
 * edgeflow_review  only when the image was reviewed: {status: "approved" | "needs-fix", note?,
 *               reviewer?} (annotation/review.ts); an unreadable one is kept as read, with a warning
 * ```
 * Geometry:
 * - An object WITHOUT holes: `segmentation` is COCO's polygon list, one flat [x,y,...] ring per
 *   region (lossless).
 * - An object WITH holes cannot be a COCO polygon list (COCO unions the rings, so holes would be
 *   filled). Its `segmentation` is compressed RLE `{size: [h, w], counts}` of the rasterised
 *   multipolygon (pixel centres, even-odd per region; see geometry/polygon.ts), so any COCO tool
 *   sees the right pixels, and the extension key `edgeflow_regions: [{outer, holes}]` keeps the
 *   exact rings for the editor. `iscrowd` stays 0.
 * - `area` is the geometric polygon area in px^2 (holes subtracted), `bbox` the [x, y, w, h] box
 *   of the vertices; both rounded to 0.01 like the coordinates.
 * - `edgeflow_hidden: true` is written only for objects hidden in the editor.
 * - `attributes` (as CVAT writes it: a flat object of name -> value, booleans as booleans) holds
 *   the attribute values the user set, written only when there are some. Entries the editor
 *   cannot hold (numbers, nulls, nested values from other tools) are kept and written back after
 *   the editor's own; an `attributes` that is not an object at all is kept as it was while the
 *   object has no attribute of its own (a warning says so when it is read).
 * - Keys this editor does not use (extra top-level keys, `licenses`, other `info` and image keys,
 *   other annotation keys such as `score`) are read into `SidecarExtras` and
 *   written back after the known keys, so tools that enrich sidecars do not lose data on save.
 *
 * Determinism: fixed key order, objects in drawing order, ids = the editor's stable object ids,
 * coordinates rounded to 0.01 px, 2-space indentation with number arrays on one line, trailing
 * newline, no timestamps, no embedded image data. write -> read -> write is byte-identical.
 */
import { Result, err, ok } from '../annotation/result';
import { splitAttributes } from '../annotation/attributes';
import { AnnotationObject, AnnotationState, MultiPolygonXY, RingXY } from '../annotation/types';
import { checkId, checkRegions, isIssue } from '../annotation/validate';
import { bboxToXYWH, multiPolygonArea, multiPolygonBBox, rasterizeMultiPolygon } from '../geometry/polygon';
import type { Label } from '../labels';
import { parseReview, reviewJson } from '../annotation/review';
import { stringifyCompactNumbers } from './json';
import { jsonErrorOffset } from './jsonErrors';
import { CocoRle, CocoRleUncompressed, decodeRle, encodeRle } from './rle';

/** `info.edgeflow.format` of our sidecars: the provenance marker. */
export const SIDECAR_FORMAT = 'edgeflow.coco-sidecar';
/** Current sidecar format version. */
export const SIDECAR_FORMAT_VERSION = 1;
/** Suffix appended to the image file name. */
export const COCO_SIDECAR_SUFFIX = '.coco.json';
/** Suffix of the optional class-id mask sidecar. */
export const MASK_SIDECAR_SUFFIX = '.mask.png';

/** The image a sidecar describes. */
export interface SidecarImage {
  /** Image file name (base name, no folder). */
  fileName: string;
  width: number;
  height: number;
}

/** A COCO category as read from a sidecar. */
export interface SidecarCategory {
  id: number;
  name: string;
}

/** Keys of a sidecar this editor does not interpret, kept for writing back. */
export interface SidecarExtras {
  /** Unknown top-level keys. */
  top: Record<string, unknown>;
  /** The `licenses` array, when the file had a non-empty one. */
  licenses?: unknown[];
  /** Unknown keys of `info`. */
  info: Record<string, unknown>;
  /** Unknown keys of the image entry (e.g. `license`, `date_captured`). */
  image: Record<string, unknown>;
  /** Unknown keys per annotation, by annotation (object) id. */
  annotations: Record<number, Record<string, unknown>>;
}

/** No extras. */
export function emptyExtras(): SidecarExtras {
  return { top: {}, info: {}, image: {}, annotations: {} };
}

/** Everything read from a sidecar. */
export interface SidecarContent {
  image: SidecarImage;
  categories: SidecarCategory[];
  state: AnnotationState;
  /** True when info.edgeflow.format marks the file as written by EdgeFlow. */
  ours: boolean;
  /** Keys kept for writing back (see SidecarExtras). */
  extras: SidecarExtras;
  /** Problems that did not stop the read (skipped annotations only with `lenient`). */
  issues: SidecarIssue[];
  /** For each object, the index of its entry in "annotations" (to point diagnostics at it). */
  sourceIndex: number[];
}

/** Why a sidecar could not be read. `path` points into the JSON where possible. */
export interface SidecarError {
  code: 'invalid-json' | 'not-coco' | 'unsupported' | 'invalid-annotation' | 'too-large';
  message: string;
  path?: string;
  /** Character offset into the text where JSON.parse stopped (invalid-json only, when it says). */
  offset?: number;
}

/**
 * A problem found while reading that did not stop the read: with `lenient`, `error`s are
 * annotations that were skipped (the file cannot be saved back without losing them); `warning`s
 * are kept as read (a polygon reaching outside the image, a class id missing from "categories").
 */
export interface SidecarIssue {
  severity: 'error' | 'warning';
  code: SidecarError['code'] | 'outside-image' | 'unknown-category' | 'size-mismatch' | 'invalid-review';
  message: string;
  path?: string;
}

/**
 * Limits that keep a huge or hostile sidecar from stalling the extension host. A file over
 * `maxBytes` is not parsed at all; past `maxObjects` annotations or `maxVertices` vertices in
 * total the rest is not read (an error issue with `lenient`, a `too-large` error otherwise).
 */
export interface SidecarLimits {
  maxBytes: number;
  maxObjects: number;
  maxVertices: number;
  /** Polygons (rings) in total, holes included. */
  maxRings: number;
}

/** Largest image (pixels) a sidecar may describe. */
export const MAX_SIDECAR_PIXELS = 2 ** 31;

/** Largest image whose foreign RLE annotations are decoded and traced (pixels). */
export const MAX_RLE_PIXELS = 64_000_000;

/** Default limits: 64 MiB, 100 000 objects, 200 000 polygons, 4 million vertices (see README). */
export const SIDECAR_LIMITS: Readonly<SidecarLimits> = { maxBytes: 64 * 1024 * 1024, maxObjects: 100_000, maxVertices: 4_000_000, maxRings: 200_000 };

/** Options for `writeCocoSidecar`. */
export interface SidecarWriteOptions {
  /** Provenance text in info.edgeflow.generator, e.g. "EdgeFlow Annotator 0.1.0". */
  generator?: string;
  /** Keys read from the previous version of the file, written back (objects since deleted lose theirs). */
  extras?: SidecarExtras;
}

/** Rounds to 0.01 (and turns -0 into 0). */
export function round2(v: number): number {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}

function roundRing(ring: RingXY): RingXY {
  return ring.map(round2);
}

function roundRegions(regions: MultiPolygonXY): MultiPolygonXY {
  return regions.map((r) => ({ outer: roundRing(r.outer), holes: r.holes.map(roundRing) }));
}

/** The `<image>.coco.json` name for an image file name or path. */
export function cocoSidecarName(imageFileName: string): string {
  return imageFileName + COCO_SIDECAR_SUFFIX;
}

/**
 * Builds the COCO sidecar object (not yet text). Geometry is rounded first, so the RLE, area and
 * bbox are computed from exactly what a reader will get back.
 */
export function buildCocoSidecar(
  image: SidecarImage,
  labels: readonly Label[],
  state: AnnotationState,
  options: SidecarWriteOptions = {},
): Record<string, unknown> {
  const catIds = new Map<number, string>();
  for (const l of labels) catIds.set(l.id, l.name);
  for (const o of state.objects) if (!catIds.has(o.classId)) catIds.set(o.classId, `class_${o.classId}`);
  const categories = [...catIds.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, name]) => ({ id, name, supercategory: '' }));
  const x = options.extras ?? emptyExtras();
  const annotations = state.objects.map((o) => {
    const kept = x.annotations[o.id];
    const a = buildAnnotation(o, image, kept?.attributes);
    return { ...a, ...without(kept, a.attributes === undefined ? ANNOTATION_KEYS_BUT_ATTRIBUTES : ANNOTATION_KEYS) };
  });
  return {
    info: {
      description: `EdgeFlow Annotator annotations for ${image.fileName}`,
      version: String(SIDECAR_FORMAT_VERSION),
      contributor: 'EdgeFlow Annotator',
      edgeflow: {
        format: SIDECAR_FORMAT,
        formatVersion: SIDECAR_FORMAT_VERSION,
        generator: options.generator ?? 'EdgeFlow Annotator',
      },
      ...without(x.info, INFO_KEYS),
    },
    licenses: x.licenses ?? [],
    images: [{ id: 1, file_name: image.fileName, width: image.width, height: image.height, ...without(x.image, IMAGE_KEYS) }],
    categories,
    annotations,
    ...(state.review ? { [REVIEW_KEY]: reviewJson(state.review) } : {}),
    // An unreadable review kept from the file goes back as it was, unless a review replaces it.
    ...without(x.top, state.review ? TOP_KEYS_AND_REVIEW : TOP_KEYS),
  };
}

/** Top-level key of the image's review (annotation/review.ts); absent: not reviewed. */
export const REVIEW_KEY = 'edgeflow_review';
const TOP_KEYS = new Set(['info', 'licenses', 'images', 'categories', 'annotations']);
const TOP_KEYS_AND_REVIEW = new Set([...TOP_KEYS, REVIEW_KEY]);
const INFO_KEYS = new Set(['description', 'version', 'contributor', 'edgeflow']);
const IMAGE_KEYS = new Set(['id', 'file_name', 'width', 'height']);
const ANNOTATION_KEYS_BUT_ATTRIBUTES = new Set(['id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd', 'edgeflow_regions', 'edgeflow_hidden']);
const ANNOTATION_KEYS = new Set([...ANNOTATION_KEYS_BUT_ATTRIBUTES, 'attributes']);

/** The entries of `o` whose keys are not in `known` (never lets extras override our keys). */
function without(o: Record<string, unknown> | undefined, known: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key from JSON.parse stays a plain key instead of a prototype.
  if (o) for (const [k, v] of Object.entries(o)) if (!known.has(k) && v !== undefined) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * The `attributes` to write: the object's values, then the entries kept from the file that the
 * editor cannot hold (`kept` is what SidecarExtras holds under "attributes"); undefined for none.
 */
function sidecarAttributes(o: AnnotationObject, kept: unknown): Record<string, unknown> | undefined {
  const own = Object.entries(o.attributes ?? {});
  const keptObj = typeof kept === 'object' && kept !== null && !Array.isArray(kept) ? (kept as Record<string, unknown>) : undefined;
  if (own.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of own) put(k, v);
  if (keptObj) for (const [k, v] of Object.entries(keptObj)) if (!Object.prototype.hasOwnProperty.call(out, k)) put(k, v);
  return out;
}

function buildAnnotation(o: AnnotationObject, image: SidecarImage, keptAttributes?: unknown): Record<string, unknown> {
  const regions = roundRegions(o.regions);
  const hasHoles = regions.some((r) => r.holes.length > 0);
  let segmentation: unknown;
  if (hasHoles) {
    const mask = rasterizeMultiPolygon(regions, image.width, image.height);
    segmentation = encodeRle(mask, image.width, image.height);
  } else {
    segmentation = regions.map((r) => r.outer);
  }
  const bbox = bboxToXYWH(multiPolygonBBox(regions)).map(round2);
  const a: Record<string, unknown> = {
    id: o.id,
    image_id: 1,
    category_id: o.classId,
    segmentation,
    area: round2(multiPolygonArea(regions)),
    bbox,
    iscrowd: 0,
  };
  if (hasHoles) a.edgeflow_regions = regions;
  if (o.hidden) a.edgeflow_hidden = true;
  const attributes = sidecarAttributes(o, keptAttributes);
  if (attributes) a.attributes = attributes;
  return a;
}

/** Serialises the sidecar deterministically (see the module comment). */
export function writeCocoSidecar(
  image: SidecarImage,
  labels: readonly Label[],
  state: AnnotationState,
  options: SidecarWriteOptions = {},
): string {
  return stringifyCompactNumbers(buildCocoSidecar(image, labels, state, options)) + '\n';
}

/**
 * Converts an RLE mask without rings into regions. The reader has no contour tracer of its own;
 * callers that can trace masks (see geometry/) pass one to accept foreign RLE annotations.
 */
export type MaskToRegions = (mask: Uint8Array, width: number, height: number) => MultiPolygonXY;

/** Options for `readCocoSidecar`. */
export interface SidecarReadOptions {
  /** Needed only for RLE segmentations without `edgeflow_regions` (foreign files). */
  maskToRegions?: MaskToRegions;
  /**
   * Skip annotations that cannot be read instead of failing, reporting each as an error issue
   * (the editor then shows what could be read, read-only). Problems with the file as a whole
   * (not JSON, no image, too large) still fail.
   */
  lenient?: boolean;
  /** Limits (default SIDECAR_LIMITS). */
  limits?: Partial<SidecarLimits>;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a sidecar. Never throws: bad input gives a `SidecarError`. Accepts our own files and
 * foreign single-image COCO files (polygon segmentation; RLE only with `maskToRegions`).
 */
export function readCocoSidecar(text: string, options: SidecarReadOptions = {}): Result<SidecarContent, SidecarError> {
  const limits = { ...SIDECAR_LIMITS, ...options.limits };
  if (text.length > limits.maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    return err({ code: 'too-large', message: `The file is too large to open (${mb(text.length)} MB; the limit is ${mb(limits.maxBytes)} MB)` });
  }
  // A UTF-8 byte-order mark (some Windows tools write one) is not JSON; skip it.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let raw: unknown;
  try {
    raw = JSON.parse(bom ? text.slice(1) : text);
  } catch (e) {
    const message = (e as Error).message;
    const at = jsonErrorOffset(message, bom ? text.slice(1) : text);
    const offset = at === undefined ? undefined : at + bom;
    return err({ code: 'invalid-json', message: `Not valid JSON: ${message}`, ...(offset === undefined ? {} : { offset }) });
  }
  try {
    return parseSidecar(raw, options, limits);
  } catch (e) {
    // parseSidecar validates everything it touches; this only guards against a bug there.
    return err({ code: 'invalid-annotation', message: `Unreadable sidecar: ${(e as Error).message}` });
  }
}

/** Vertices (coordinate pairs) of a multipolygon. */
function vertexCount(regions: MultiPolygonXY): number {
  let n = 0;
  for (const r of regions) {
    n += r.outer.length / 2;
    for (const h of r.holes) n += h.length / 2;
  }
  return n;
}

/** True when a vertex lies outside [0, width] x [0, height]. */
function outsideImage(regions: MultiPolygonXY, width: number, height: number): boolean {
  for (const r of regions) {
    for (const ring of [r.outer, ...r.holes]) {
      for (let i = 0; i + 1 < ring.length; i += 2) {
        if (ring[i] < 0 || ring[i] > width || ring[i + 1] < 0 || ring[i + 1] > height) return true;
      }
    }
  }
  return false;
}

function parseSidecar(raw: unknown, options: SidecarReadOptions, limits: SidecarLimits): Result<SidecarContent, SidecarError> {
  if (!isObj(raw)) return err({ code: 'not-coco', message: 'A COCO file must be a JSON object' });
  const info = isObj(raw.info) ? raw.info : undefined;
  const ours = !!info && isObj(info.edgeflow) && info.edgeflow.format === SIDECAR_FORMAT;
  if (ours && info && isObj(info.edgeflow)) {
    const v = info.edgeflow.formatVersion;
    if (typeof v === 'number' && v > SIDECAR_FORMAT_VERSION) {
      return err({ code: 'unsupported', message: `Sidecar format version ${v} is newer than this extension supports (${SIDECAR_FORMAT_VERSION})`, path: 'info.edgeflow.formatVersion' });
    }
  }
  if (!Array.isArray(raw.images)) return err({ code: 'not-coco', message: '"images" must be an array', path: 'images' });
  if (raw.images.length !== 1) {
    return err({ code: 'unsupported', message: `A sidecar describes exactly one image, found ${raw.images.length}`, path: 'images' });
  }
  const im = raw.images[0];
  if (!isObj(im)) return err({ code: 'not-coco', message: 'images[0] must be an object', path: 'images[0]' });
  const imageId = im.id;
  const width = im.width;
  const height = im.height;
  if (typeof width !== 'number' || typeof height !== 'number' || !Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return err({ code: 'not-coco', message: 'images[0] needs positive integer width and height', path: 'images[0]' });
  }
  if (width * height > MAX_SIDECAR_PIXELS) {
    return err({ code: 'unsupported', message: `An image of ${width}x${height} pixels is larger than this editor supports`, path: 'images[0]' });
  }
  const fileName = typeof im.file_name === 'string' ? im.file_name : '';
  const categories: SidecarCategory[] = [];
  const issues: SidecarIssue[] = [];
  if (raw.categories !== undefined) {
    if (!Array.isArray(raw.categories)) return err({ code: 'not-coco', message: '"categories" must be an array', path: 'categories' });
    for (let i = 0; i < raw.categories.length; i++) {
      const c = raw.categories[i];
      if (!isObj(c) || typeof c.id !== 'number' || !Number.isInteger(c.id) || typeof c.name !== 'string') {
        const e: SidecarError = { code: 'not-coco', message: 'a category needs an integer id and a name', path: `categories[${i}]` };
        if (!options.lenient) return err(e);
        issues.push({ severity: 'error', ...e });
        continue;
      }
      categories.push({ id: c.id, name: c.name });
    }
  }
  if (!Array.isArray(raw.annotations)) return err({ code: 'not-coco', message: '"annotations" must be an array', path: 'annotations' });
  const knownCategories = new Set(categories.map((c) => c.id));
  const objects: AnnotationObject[] = [];
  const kept: Record<string, unknown>[] = [];
  const seen = new Set<number>();
  const duplicates: number[] = [];
  const sourceIndex: number[] = [];
  let vertices = 0;
  let rings = 0;
  const total = raw.annotations.length;
  for (let i = 0; i < raw.annotations.length; i++) {
    const path = `annotations[${i}]`;
    const tooMany = (why: string): SidecarError => ({
      code: 'too-large',
      message: `Too many objects to edit: only the first ${objects.length} of ${total} were read (the limit is ${why})`,
      path,
    });
    if (objects.length >= limits.maxObjects) {
      if (!options.lenient) return err(tooMany(`${limits.maxObjects} objects`));
      issues.push({ severity: 'error', ...tooMany(`${limits.maxObjects} objects`) });
      break;
    }
    const a = raw.annotations[i];
    // A segmentation with more polygons than the whole file may hold is not even parsed.
    const seg = isObj(a) ? a.segmentation : undefined;
    if (Array.isArray(seg) && seg.length > limits.maxRings - rings) {
      if (!options.lenient) return err(tooMany(`${limits.maxRings} polygons`));
      issues.push({ severity: 'error', ...tooMany(`${limits.maxRings} polygons`) });
      break;
    }
    const one = parseAnnotation(a, path, imageId, width, height, options);
    if (!one.ok) {
      if (!options.lenient) return one;
      issues.push({ severity: 'error', ...one.error });
      continue;
    }
    const o = one.value;
    const oVertices = vertexCount(o.regions);
    const oRings = o.regions.reduce((n, r) => n + 1 + r.holes.length, 0);
    if (vertices + oVertices > limits.maxVertices || rings + oRings > limits.maxRings) {
      const e = tooMany(vertices + oVertices > limits.maxVertices ? `${limits.maxVertices} vertices` : `${limits.maxRings} polygons`);
      if (!options.lenient) return err(e);
      issues.push({ severity: 'error', ...e });
      break;
    }
    vertices += oVertices;
    rings += oRings;
    if (seen.has(o.id)) {
      const e: SidecarError = { code: 'invalid-annotation', message: `duplicate annotation id ${o.id}`, path: `${path}.id` };
      if (!options.lenient) return err(e);
      // Shown (and kept by a repair) under a fresh id, given once every id is known.
      issues.push({ severity: 'error', ...e, message: `${e.message} (Repair gives it a new id)` });
      duplicates.push(objects.length);
    }
    seen.add(o.id);
    if (!knownCategories.has(o.classId)) {
      issues.push({ severity: 'warning', code: 'unknown-category', message: `category_id ${o.classId} is not in "categories"`, path: `${path}.category_id` });
    }
    if (outsideImage(o.regions, width, height)) {
      issues.push({ severity: 'warning', code: 'outside-image', message: `the polygon reaches outside the ${width}x${height} image`, path: `${path}.segmentation` });
    }
    objects.push(o);
    kept.push(a as Record<string, unknown>);
    sourceIndex.push(i);
  }
  let nextId = objects.reduce((m, o) => Math.max(m, o.id), 0) + 1;
  for (const k of duplicates) objects[k] = { ...objects[k], id: nextId++ };
  let review: AnnotationState['review'];
  if (raw[REVIEW_KEY] !== undefined) {
    const r = parseReview(raw[REVIEW_KEY]);
    if (r.ok) review = r.value;
    // Not a reason to refuse the labels: the image counts as not reviewed, the value is kept.
    else issues.push({ severity: 'warning', code: 'invalid-review', message: `the review is not readable (${r.error}); the image counts as not reviewed`, path: REVIEW_KEY });
  }
  const extras: SidecarExtras = {
    top: without(raw, review ? TOP_KEYS_AND_REVIEW : TOP_KEYS),
    info: info ? without(info, INFO_KEYS) : {},
    image: without(im, IMAGE_KEYS),
    annotations: {},
  };
  if (Array.isArray(raw.licenses) && raw.licenses.length > 0) extras.licenses = raw.licenses;
  for (let k = 0; k < kept.length; k++) {
    const more = without(kept[k], ANNOTATION_KEYS);
    // What the object could not take of "attributes" stays with the file's other keys.
    const attrs = kept[k].attributes === undefined ? undefined : splitAttributes(kept[k].attributes);
    if (attrs?.rest) more.attributes = attrs.rest;
    else if (attrs && attrs.whole !== undefined) {
      more.attributes = attrs.whole;
      issues.push({ severity: 'warning', code: 'invalid-annotation', message: '"attributes" is not an object of name -> value; it is kept as it is until an attribute of this object is set', path: `annotations[${sourceIndex[k]}].attributes` });
    }
    if (Object.keys(more).length) extras.annotations[objects[k].id] = more;
  }
  const state: AnnotationState = { objects, nextId };
  if (review) state.review = review;
  return ok({ image: { fileName, width, height }, categories, state, ours, extras, issues, sourceIndex });
}

function parseAnnotation(
  a: unknown,
  path: string,
  imageId: unknown,
  width: number,
  height: number,
  options: SidecarReadOptions,
): Result<AnnotationObject, SidecarError> {
  if (!isObj(a)) return err({ code: 'invalid-annotation', message: 'an annotation must be an object', path });
  if (a.image_id !== undefined && a.image_id !== imageId) {
    return err({ code: 'invalid-annotation', message: `image_id ${JSON.stringify(a.image_id)} does not match the image`, path: `${path}.image_id` });
  }
  const id = checkId(a.id, `${path}.id`);
  if (isIssue(id) || id === 0) return err({ code: 'invalid-annotation', message: 'id must be a positive integer', path: `${path}.id` });
  const classId = checkId(a.category_id, `${path}.category_id`);
  if (isIssue(classId)) return err({ code: 'invalid-annotation', message: classId.message, path: classId.path });
  const regions = parseGeometry(a, path, width, height, options);
  if (!regions.ok) return regions;
  const object: AnnotationObject = { id, classId, regions: regions.value, hidden: a.edgeflow_hidden === true };
  const attributes = splitAttributes(a.attributes).values;
  if (Object.keys(attributes).length) object.attributes = attributes;
  return ok(object);
}

function parseGeometry(
  a: Record<string, unknown>,
  path: string,
  width: number,
  height: number,
  options: SidecarReadOptions,
): Result<MultiPolygonXY, SidecarError> {
  if (a.edgeflow_regions !== undefined) {
    const r = checkRegions(a.edgeflow_regions, `${path}.edgeflow_regions`);
    if (isIssue(r)) return err({ code: 'invalid-annotation', message: r.message, path: r.path });
    return ok(roundRegions(r));
  }
  const seg = a.segmentation;
  if (Array.isArray(seg)) {
    const regions: MultiPolygonXY = [];
    for (let k = 0; k < seg.length; k++) {
      const ring = seg[k];
      // COCO allows polygons with fewer than 3 points in the wild; they cover nothing, so reject
      // them explicitly rather than invent geometry.
      const r = checkRegions([{ outer: ring, holes: [] }], `${path}.segmentation[${k}]`);
      if (isIssue(r)) return err({ code: 'invalid-annotation', message: r.message, path: `${path}.segmentation[${k}]` });
      regions.push(...roundRegions(r));
    }
    if (regions.length === 0) return err({ code: 'invalid-annotation', message: 'empty segmentation', path: `${path}.segmentation` });
    return ok(regions);
  }
  if (isObj(seg)) {
    // Check the size before decoding: decoding allocates width*height bytes.
    if (!Array.isArray(seg.size) || seg.size[0] !== height || seg.size[1] !== width || seg.size.length !== 2) {
      return err({ code: 'invalid-annotation', message: 'RLE size does not match the image', path: `${path}.segmentation.size` });
    }
    if (width * height > MAX_RLE_PIXELS) {
      return err({ code: 'too-large', message: `RLE masks of images over ${MAX_RLE_PIXELS / 1e6} megapixels are not traced into polygons`, path: `${path}.segmentation` });
    }
    const decoded = decodeRle(seg as unknown as CocoRle | CocoRleUncompressed);
    if (!decoded.ok) return err({ code: 'invalid-annotation', message: decoded.error.message, path: `${path}.segmentation` });
    if (!options.maskToRegions) {
      return err({ code: 'unsupported', message: 'RLE segmentation without edgeflow_regions cannot be edited as polygons here', path: `${path}.segmentation` });
    }
    const regions = options.maskToRegions(decoded.value.mask, width, height);
    if (regions.length === 0) return err({ code: 'invalid-annotation', message: 'RLE mask is empty', path: `${path}.segmentation` });
    return ok(roundRegions(regions));
  }
  return err({ code: 'invalid-annotation', message: 'missing segmentation', path: `${path}.segmentation` });
}
