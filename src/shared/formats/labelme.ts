/**
 * labelme JSON (one file per image, `imageData: null`, so the image is never embedded).
 *
 * Writing: an object without holes becomes one `polygon` shape per region; when it has several
 * regions they share a `group_id`, which is how labelme marks one instance. An object with holes
 * becomes a `mask` shape (labelme 5.3+): `points` are the inclusive pixel box [[x1,y1],[x2,y2]] and
 * `mask` is a base64 PNG of the box-sized mask.
 *
 * Attributes (issue 30): labelme has per-shape `flags` (name -> boolean), so boolean attributes
 * go there; labelme has no place for other values, so string attributes (choices, text) go into
 * the shape's `attributes` object (as X-AnyLabeling writes it; labelme itself keeps unknown shape
 * keys when it saves). Every shape of a multi-part object carries the object's attributes.
 *
 * Reading: `polygon`, `rectangle`, `circle` and `mask` shapes; shapes sharing a `group_id` and a
 * label are one object; `point`/`line`/`linestrip` shapes are skipped with a note.
 */
import { putAttribute, splitAttributes, type AttributeMap } from '../annotation/attributes';
import type { MultiPolygonXY } from '../annotation/types';

/** The version written into labelme files (the format of labelme 5.x). */
export const LABELME_VERSION = '5.5.0';

/** One labelme shape. */
export interface LabelmeShape {
  label: string;
  points: [number, number][];
  group_id: number | null;
  description: string;
  shape_type: string;
  flags: Record<string, boolean>;
  mask: string | null;
  /** String attributes (left out when there are none). */
  attributes?: Record<string, string>;
}

/** One labelme file. */
export interface LabelmeFile {
  version: string;
  flags: Record<string, boolean>;
  shapes: LabelmeShape[];
  imagePath: string;
  imageData: null;
  imageHeight: number;
  imageWidth: number;
}

/** An object's attributes as a shape's `flags` (booleans) and `attributes` (strings). */
export function labelmeAttributeFields(attributes: Readonly<AttributeMap> | undefined): Pick<LabelmeShape, 'flags' | 'attributes'> {
  const flags: Record<string, boolean> = {};
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) {
    const into = typeof v === 'boolean' ? flags : strings;
    Object.defineProperty(into, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(strings).length ? { flags, attributes: strings } : { flags };
}

/** Polygon shapes for an object without holes. */
export function labelmePolygonShapes(label: string, regions: MultiPolygonXY, groupId: number | null, attributes?: Readonly<AttributeMap>): LabelmeShape[] {
  const shapes: LabelmeShape[] = [];
  for (const r of regions) {
    const points: [number, number][] = [];
    for (let i = 0; i + 1 < r.outer.length; i += 2) points.push([r.outer[i], r.outer[i + 1]]);
    if (points.length < 3) continue;
    shapes.push({ label, points, group_id: regions.length > 1 ? groupId : null, description: '', shape_type: 'polygon', ...labelmeAttributeFields(attributes), mask: null });
  }
  return shapes;
}

/** A mask shape: `box` is [x, y, w, h] in whole pixels, `pngBase64` the box-sized mask PNG. */
export function labelmeMaskShape(label: string, box: readonly [number, number, number, number], pngBase64: string, attributes?: Readonly<AttributeMap>): LabelmeShape {
  const [x, y, w, h] = box;
  return {
    label,
    points: [[x, y], [x + w - 1, y + h - 1]],
    group_id: null,
    description: '',
    shape_type: 'mask',
    ...labelmeAttributeFields(attributes),
    mask: pngBase64,
  };
}

/** Serialise a labelme file (2-space indent, as labelme writes it). */
export function writeLabelme(file: LabelmeFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

/** A shape read from a labelme file, still in labelme terms. */
export interface LabelmeShapeIn {
  readonly label: string;
  readonly shapeType: string;
  readonly points: [number, number][];
  readonly groupId: number | null;
  readonly mask: string | null;
  /** Booleans of `flags` and booleans or strings of `attributes` (flags win a name clash). */
  readonly attributes: AttributeMap;
  /** Whether `flags` or `attributes` held values that are neither (left out). */
  readonly droppedAttributes: boolean;
}

/** What an import needs from a labelme file. */
export interface LabelmeIn {
  readonly imagePath: string;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly shapes: LabelmeShapeIn[];
}

/** Parse a labelme JSON; throws with a message naming the bad field. */
export function parseLabelme(text: string): LabelmeIn {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${(e as Error).message}`);
  }
  const r = raw as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error('a labelme file must be a JSON object');
  if (typeof r.imagePath !== 'string' || r.imagePath === '') throw new Error('"imagePath" must be a string');
  if (!Array.isArray(r.shapes)) throw new Error('"shapes" must be an array');
  const dim = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
  const shapes = r.shapes.map((s: unknown, i: number): LabelmeShapeIn => {
    const o = s as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) throw new Error(`shapes[${i}] must be an object`);
    if (typeof o.label !== 'string' || o.label.trim() === '') throw new Error(`shapes[${i}].label must be a string`);
    if (!Array.isArray(o.points)) throw new Error(`shapes[${i}].points must be an array`);
    const points = o.points.map((p: unknown, k: number): [number, number] => {
      if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new Error(`shapes[${i}].points[${k}] must be [x, y]`);
      }
      return [p[0] as number, p[1] as number];
    });
    const flags = splitAttributes(o.flags ?? {});
    const more = splitAttributes(o.attributes ?? {});
    const attributes: AttributeMap = {};
    for (const [k, v] of Object.entries(more.values)) putAttribute(attributes, k, v);
    // labelme flags are booleans only; a string there is not labelme's.
    let dropped = !!(flags.rest || flags.whole !== undefined || more.rest || more.whole !== undefined);
    for (const [k, v] of Object.entries(flags.values)) {
      if (typeof v === 'boolean') putAttribute(attributes, k, v);
      else dropped = true;
    }
    return {
      attributes,
      droppedAttributes: dropped,
      label: o.label.trim(),
      shapeType: typeof o.shape_type === 'string' ? o.shape_type : 'polygon',
      points,
      groupId: typeof o.group_id === 'number' && Number.isInteger(o.group_id) ? o.group_id : null,
      mask: typeof o.mask === 'string' ? o.mask : null,
    };
  });
  return { imagePath: r.imagePath.replace(/\\/g, '/'), width: dim(r.imageWidth), height: dim(r.imageHeight), shapes };
}

/** A circle shape (centre, point on the circle) as a polygon with enough vertices for its size. */
export function circleToRing(cx: number, cy: number, px: number, py: number): number[] {
  const radius = Math.hypot(px - cx, py - cy);
  const n = Math.max(16, Math.min(256, Math.ceil(2 * Math.PI * radius / 2)));
  const ring: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    ring.push(Math.round((cx + radius * Math.cos(a)) * 100) / 100, Math.round((cy + radius * Math.sin(a)) * 100) / 100);
  }
  return ring;
}
