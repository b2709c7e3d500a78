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
 * - Keys this editor does not use (extra top-level keys, `licenses`, other `info` and image keys,
 *   other annotation keys such as `attributes` or `score`) are read into `SidecarExtras` and
 *   written back after the known keys, so tools that enrich sidecars do not lose data on save.
 *
 * Determinism: fixed key order, objects in drawing order, ids = the editor's stable object ids,
 * coordinates rounded to 0.01 px, 2-space indentation with number arrays on one line, trailing
 * newline, no timestamps, no embedded image data. write -> read -> write is byte-identical.
 */
import { Result, err, ok } from '../annotation/result';
import { AnnotationObject, AnnotationState, MultiPolygonXY, RingXY } from '../annotation/types';
import { checkId, checkRegions, isIssue } from '../annotation/validate';
import { bboxToXYWH, multiPolygonArea, multiPolygonBBox, rasterizeMultiPolygon } from '../geometry/polygon';
import type { Label } from '../labels';
import { stringifyCompactNumbers } from './json';
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
}

/** Why a sidecar could not be read. `path` points into the JSON where possible. */
export interface SidecarError {
  code: 'invalid-json' | 'not-coco' | 'unsupported' | 'invalid-annotation';
  message: string;
  path?: string;
}

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
  const annotations = state.objects.map((o) => ({ ...buildAnnotation(o, image), ...without(x.annotations[o.id], ANNOTATION_KEYS) }));
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
    ...without(x.top, TOP_KEYS),
  };
}

const TOP_KEYS = new Set(['info', 'licenses', 'images', 'categories', 'annotations']);
const INFO_KEYS = new Set(['description', 'version', 'contributor', 'edgeflow']);
const IMAGE_KEYS = new Set(['id', 'file_name', 'width', 'height']);
const ANNOTATION_KEYS = new Set(['id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd', 'edgeflow_regions', 'edgeflow_hidden']);

/** The entries of `o` whose keys are not in `known` (never lets extras override our keys). */
function without(o: Record<string, unknown> | undefined, known: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o) for (const [k, v] of Object.entries(o)) if (!known.has(k) && v !== undefined) out[k] = v;
  return out;
}

function buildAnnotation(o: AnnotationObject, image: SidecarImage): Record<string, unknown> {
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
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a sidecar. Never throws: bad input gives a `SidecarError`. Accepts our own files and
 * foreign single-image COCO files (polygon segmentation; RLE only with `maskToRegions`).
 */
export function readCocoSidecar(text: string, options: SidecarReadOptions = {}): Result<SidecarContent, SidecarError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err({ code: 'invalid-json', message: `Not valid JSON: ${(e as Error).message}` });
  }
  try {
    return parseSidecar(raw, options);
  } catch (e) {
    // parseSidecar validates everything it touches; this only guards against a bug there.
    return err({ code: 'invalid-annotation', message: `Unreadable sidecar: ${(e as Error).message}` });
  }
}

function parseSidecar(raw: unknown, options: SidecarReadOptions): Result<SidecarContent, SidecarError> {
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
  const fileName = typeof im.file_name === 'string' ? im.file_name : '';
  const categories: SidecarCategory[] = [];
  if (raw.categories !== undefined) {
    if (!Array.isArray(raw.categories)) return err({ code: 'not-coco', message: '"categories" must be an array', path: 'categories' });
    for (let i = 0; i < raw.categories.length; i++) {
      const c = raw.categories[i];
      if (!isObj(c) || typeof c.id !== 'number' || !Number.isInteger(c.id) || typeof c.name !== 'string') {
        return err({ code: 'not-coco', message: 'a category needs an integer id and a name', path: `categories[${i}]` });
      }
      categories.push({ id: c.id, name: c.name });
    }
  }
  if (!Array.isArray(raw.annotations)) return err({ code: 'not-coco', message: '"annotations" must be an array', path: 'annotations' });
  const objects: AnnotationObject[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < raw.annotations.length; i++) {
    const path = `annotations[${i}]`;
    const a = raw.annotations[i];
    if (!isObj(a)) return err({ code: 'invalid-annotation', message: 'an annotation must be an object', path });
    if (a.image_id !== undefined && a.image_id !== imageId) {
      return err({ code: 'invalid-annotation', message: `image_id ${JSON.stringify(a.image_id)} does not match the image`, path: `${path}.image_id` });
    }
    const id = checkId(a.id, `${path}.id`);
    if (isIssue(id) || id === 0) return err({ code: 'invalid-annotation', message: 'id must be a positive integer', path: `${path}.id` });
    if (seen.has(id)) return err({ code: 'invalid-annotation', message: `duplicate annotation id ${id}`, path: `${path}.id` });
    seen.add(id);
    const classId = checkId(a.category_id, `${path}.category_id`);
    if (isIssue(classId)) return err({ code: 'invalid-annotation', message: classId.message, path: classId.path });
    const regions = parseGeometry(a, path, width, height, options);
    if (!regions.ok) return regions;
    const hidden = a.edgeflow_hidden === true;
    objects.push({ id, classId, regions: regions.value, hidden });
  }
  const nextId = objects.reduce((m, o) => Math.max(m, o.id), 0) + 1;
  const extras: SidecarExtras = {
    top: without(raw, TOP_KEYS),
    info: info ? without(info, INFO_KEYS) : {},
    image: without(im, IMAGE_KEYS),
    annotations: {},
  };
  if (Array.isArray(raw.licenses) && raw.licenses.length > 0) extras.licenses = raw.licenses;
  for (const a of raw.annotations as Record<string, unknown>[]) {
    const more = without(a, ANNOTATION_KEYS);
    if (Object.keys(more).length) extras.annotations[a.id as number] = more;
  }
  return ok({ image: { fileName, width, height }, categories, state: { objects, nextId }, ours, extras });
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
    const decoded = decodeRle(seg as unknown as CocoRle | CocoRleUncompressed);
    if (!decoded.ok) return err({ code: 'invalid-annotation', message: decoded.error.message, path: `${path}.segmentation` });
    if (decoded.value.width !== width || decoded.value.height !== height) {
      return err({ code: 'invalid-annotation', message: 'RLE size does not match the image', path: `${path}.segmentation.size` });
    }
    if (!options.maskToRegions) {
      return err({ code: 'unsupported', message: 'RLE segmentation without edgeflow_regions cannot be edited as polygons here', path: `${path}.segmentation` });
    }
    const regions = options.maskToRegions(decoded.value.mask, width, height);
    if (regions.length === 0) return err({ code: 'invalid-annotation', message: 'RLE mask is empty', path: `${path}.segmentation` });
    return ok(roundRegions(regions));
  }
  return err({ code: 'invalid-annotation', message: 'missing segmentation', path: `${path}.segmentation` });
}
