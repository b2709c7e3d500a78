/**
 * COCO instance-segmentation dataset files (`annotations/instances_<split>.json`), written as a
 * stream: the header and categories, then one line per image, then one line per annotation.
 * Images and annotations are produced interleaved (image by image), so the caller sends the
 * annotation lines to a second stream and splices it in at `middle()`; nothing grows with the
 * number of images. The output is deterministic: fixed key order, no timestamps, one entry per
 * line (diff-friendly and still compact).
 *
 * Ids: an image's id is a 31-bit hash of its workspace-relative path (collisions are resolved by
 * probing in path order), an annotation's id is `imageId * ANNOTATION_ID_STRIDE + objectId`, so
 * adding, removing or editing one image never renumbers another, and an import can recover the
 * editor's object ids from the annotation ids.
 */
import type { CocoRle } from './rle';
import { fnv1a32, mix32 } from '../export/hash';

/** Multiplier between image ids and annotation ids (object ids stay below it). */
export const ANNOTATION_ID_STRIDE = 1 << 20;

/** A COCO category. `color` is an EdgeFlow extension (from the labels file). */
export interface CocoCategory {
  readonly id: number;
  readonly name: string;
  readonly supercategory: string;
  readonly color?: string;
}

/** A COCO image entry. */
export interface CocoImage {
  readonly id: number;
  readonly file_name: string;
  readonly width: number;
  readonly height: number;
}

/** A COCO annotation: polygons (list of flat [x,y,...] rings) or compressed RLE. */
export interface CocoAnnotation {
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  readonly segmentation: number[][] | CocoRle;
  readonly area: number;
  readonly bbox: [number, number, number, number];
  readonly iscrowd: 0 | 1;
  /** Attribute values, as CVAT writes them (name -> value); left out when there are none. */
  readonly attributes?: Readonly<Record<string, boolean | string>>;
}

/** The `info` block. */
export interface CocoInfo {
  readonly description: string;
  readonly version: string;
  /** Where `file_name`s are relative to, relative to the folder holding `annotations/` (EdgeFlow extension). */
  readonly image_root: string;
  readonly split: string;
}

/** Produces the text of one streaming COCO dataset file. */
export class CocoDatasetText {
  private imageCount = 0;
  private annotationCount = 0;

  /** Everything up to the first image. */
  header(info: CocoInfo, categories: readonly CocoCategory[]): string {
    const cats = categories.map((c) => JSON.stringify(orderCategory(c))).join(',\n');
    return (
      `{"info":${JSON.stringify({ description: info.description, version: info.version, image_root: info.image_root, split: info.split })},\n` +
      `"licenses":[],\n"categories":[${cats ? '\n' + cats + '\n' : ''}],\n"images":[`
    );
  }

  /** One image entry (with its separator). */
  image(image: CocoImage): string {
    const text = JSON.stringify({ id: image.id, file_name: image.file_name, width: image.width, height: image.height });
    return (this.imageCount++ === 0 ? '\n' : ',\n') + text;
  }

  /** One annotation entry (with its separator), for the annotations stream. */
  annotation(a: CocoAnnotation): string {
    const text = JSON.stringify({
      id: a.id,
      image_id: a.image_id,
      category_id: a.category_id,
      segmentation: a.segmentation,
      area: a.area,
      bbox: a.bbox,
      iscrowd: a.iscrowd,
      ...(a.attributes && Object.keys(a.attributes).length ? { attributes: a.attributes } : {}),
    });
    return (this.annotationCount++ === 0 ? '\n' : ',\n') + text;
  }

  /** Between the images and the spliced annotations stream. */
  middle(): string {
    return (this.imageCount ? '\n' : '') + '],\n"annotations":[';
  }

  /** After the annotations. */
  footer(): string {
    return (this.annotationCount ? '\n' : '') + ']}\n';
  }
}

function orderCategory(c: CocoCategory): Record<string, unknown> {
  const o: Record<string, unknown> = { id: c.id, name: c.name, supercategory: c.supercategory };
  if (c.color !== undefined) o.color = c.color;
  return o;
}

/**
 * Assigns stable image ids: a 31-bit hash of each path (never 0), probing upwards on collisions.
 * Call `idFor` with paths in a fixed order (the export's sorted order) for a deterministic result.
 */
export class StableImageIds {
  private readonly used = new Set<number>();

  idFor(relPath: string): number {
    let id = (mix32(fnv1a32(relPath)) & 0x7fffffff) || 1;
    while (this.used.has(id)) id = id === 0x7fffffff ? 1 : id + 1;
    this.used.add(id);
    return id;
  }
}

/** The annotation id of object `objectId` of image `imageId`; throws when the object id is out of range. */
export function annotationId(imageId: number, objectId: number): number {
  if (!Number.isInteger(objectId) || objectId < 1 || objectId >= ANNOTATION_ID_STRIDE) {
    throw new Error(`object id ${objectId} is outside 1..${ANNOTATION_ID_STRIDE - 1}`);
  }
  return imageId * ANNOTATION_ID_STRIDE + objectId;
}

/** The object id an annotation id encodes for `imageId`, or undefined if it was not made by `annotationId`. */
export function objectIdFromAnnotationId(imageId: number, annId: number): number | undefined {
  const objectId = annId - imageId * ANNOTATION_ID_STRIDE;
  return Number.isInteger(objectId) && objectId >= 1 && objectId < ANNOTATION_ID_STRIDE ? objectId : undefined;
}

/** A parsed COCO dataset, validated enough to import. */
export interface CocoDataset {
  readonly images: CocoImage[];
  readonly annotations: {
    id: number;
    image_id: number;
    category_id: number;
    segmentation: unknown;
    iscrowd: number;
    /** The annotation's `attributes` as found (validated by the importer). */
    attributes?: unknown;
  }[];
  readonly categories: CocoCategory[];
}

/** Parse and validate a COCO dataset JSON; throws with a message naming the bad entry. */
export function parseCocoDataset(text: string): CocoDataset {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('a COCO file must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (!Array.isArray(r.images)) throw new Error('"images" must be an array');
  if (!Array.isArray(r.annotations)) throw new Error('"annotations" must be an array');
  if (!Array.isArray(r.categories)) throw new Error('"categories" must be an array');
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
  const images: CocoImage[] = r.images.map((im: unknown, i: number) => {
    const o = im as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) throw new Error(`images[${i}] must be an object`);
    if (!isInt(o.id)) throw new Error(`images[${i}].id must be an integer`);
    if (typeof o.file_name !== 'string' || o.file_name === '') throw new Error(`images[${i}].file_name must be a string`);
    if (!isInt(o.width) || !isInt(o.height) || o.width < 1 || o.height < 1) {
      throw new Error(`images[${i}] needs positive integer width and height`);
    }
    return { id: o.id, file_name: o.file_name, width: o.width, height: o.height };
  });
  const categories: CocoCategory[] = r.categories.map((c: unknown, i: number) => {
    const o = c as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) throw new Error(`categories[${i}] must be an object`);
    if (!isInt(o.id)) throw new Error(`categories[${i}].id must be an integer`);
    if (typeof o.name !== 'string' || o.name.trim() === '') throw new Error(`categories[${i}].name must be a string`);
    return {
      id: o.id,
      name: o.name.trim(),
      supercategory: typeof o.supercategory === 'string' ? o.supercategory : '',
      color: typeof o.color === 'string' ? o.color : undefined,
    };
  });
  const annotations = r.annotations.map((a: unknown, i: number) => {
    const o = a as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) throw new Error(`annotations[${i}] must be an object`);
    if (!isInt(o.id)) throw new Error(`annotations[${i}].id must be an integer`);
    if (!isInt(o.image_id)) throw new Error(`annotations[${i}].image_id must be an integer`);
    if (!isInt(o.category_id)) throw new Error(`annotations[${i}].category_id must be an integer`);
    return {
      id: o.id,
      image_id: o.image_id,
      category_id: o.category_id,
      segmentation: o.segmentation,
      iscrowd: o.iscrowd === 1 ? 1 : 0,
      ...(o.attributes === undefined ? {} : { attributes: o.attributes }),
    };
  });
  return { images, annotations, categories };
}
