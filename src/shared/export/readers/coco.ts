/**
 * Import from a COCO dataset JSON: polygons and RLE (compressed or not). Images are found by
 * `file_name` among the workspace's images; category names are matched to the labels file,
 * keeping the category ids for new labels when they are free.
 */
import { splitAttributes } from '../../annotation/attributes';
import type { AnnotationObject, MultiPolygonXY } from '../../annotation/types';
import { MAX_COORD } from '../../annotation/validate';
import { CocoDataset, objectIdFromAnnotationId, parseCocoDataset } from '../../formats/cocoDataset';
import { MAX_RLE_PIXELS } from '../../formats/cocoSidecar';
import { CocoRle, CocoRleUncompressed, decodeRle } from '../../formats/rle';
import { maskToPolygons } from '../../geometry/contours';
import { locateMention, push, resolveWithPrefixes, uniqueBases } from './imageIndex';
import { ImportContext, defineReader } from './types';

async function readCoco(ctx: ImportContext): Promise<void> {
  const { source, warnings } = ctx;
  let ds: CocoDataset;
  try {
    ds = parseCocoDataset(await source.reader.readText(source.entry));
  } catch (e) {
    throw new Error(`${source.entry}: ${(e as Error).message}`);
  }
  const catName = new Map<number, number>();
  for (const c of ds.categories) catName.set(c.id, ctx.labels.idFor(c.name, c.id, c.color));
  const byImage = new Map<number, CocoDataset['annotations']>();
  for (const a of ds.annotations) push(byImage, a.image_id, a);
  const bases = uniqueBases([ctx.imagesDir, '', source.workspacePath ?? '']);
  for (let n = 0; n < ds.images.length; n++) {
    if (ctx.stopped()) break;
    const im = ds.images[n];
    const where = locateMention(im.file_name, '', false, ctx.workspaceAbsolute);
    const found = where.tail ? resolveWithPrefixes(ctx.index, where.tail, bases) : {};
    if (found.path && where.outside) ctx.outside(im.file_name);
    if (!found.path) {
      ctx.notFound(found, im.file_name);
      continue;
    }
    const objs: AnnotationObject[] = [];
    const usedIds = new Set<number>();
    let seq = 0;
    for (const a of byImage.get(im.id) ?? []) {
      const classId = catName.get(a.category_id);
      if (classId === undefined) {
        warnings.add('unknown-category', 'Annotations with a category_id not in "categories" (skipped)', `${a.id}`);
        continue;
      }
      const regions = cocoSegmentationToRegions(a.segmentation, im.width, im.height);
      if (typeof regions === 'string') {
        warnings.add('bad-segmentation', 'Annotations whose segmentation could not be read (skipped)', `${a.id}: ${regions}`);
        continue;
      }
      if (regions.length === 0) {
        warnings.add('empty-segmentation', 'Annotations with an empty segmentation (skipped)', `${a.id}`);
        continue;
      }
      if (a.iscrowd === 1) warnings.add('crowd', 'Crowd annotations (iscrowd 1) imported as ordinary objects', `${a.id}`);
      let id = objectIdFromAnnotationId(im.id, a.id);
      if (id === undefined || usedIds.has(id)) {
        do id = ++seq; while (usedIds.has(id));
      }
      usedIds.add(id);
      const obj: AnnotationObject = { id, classId, regions, hidden: false };
      if (a.attributes !== undefined) {
        const { values, rest, whole } = splitAttributes(a.attributes);
        if (Object.keys(values).length) obj.attributes = values;
        if (rest || whole !== undefined) warnings.add('bad-attributes', 'Attributes that are not a boolean or a string (left out)', `${a.id}`);
      }
      objs.push(obj);
    }
    await ctx.emit(found.path, im.width, im.height, objs);
    ctx.report(n + 1, ds.images.length, found.path);
  }
}

/** COCO segmentation (polygons, compressed or uncompressed RLE) to regions; a string says why not. */
export function cocoSegmentationToRegions(seg: unknown, width: number, height: number): MultiPolygonXY | string {
  if (Array.isArray(seg)) {
    const regions: MultiPolygonXY = [];
    for (const ring of seg) {
      if (!Array.isArray(ring) || ring.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return 'a polygon must be a list of numbers';
      // Beyond MAX_COORD the sidecar reader refuses the file: never write one it cannot read.
      if (ring.some((v) => Math.abs(v as number) > MAX_COORD)) return `a coordinate is beyond ±${MAX_COORD}`;
      if (ring.length % 2 !== 0) return 'a polygon needs an even number of coordinates';
      if (ring.length < 6) continue;
      regions.push({ outer: ring.slice() as number[], holes: [] });
    }
    return regions;
  }
  if (typeof seg === 'object' && seg !== null) {
    // Check the size before decoding, which allocates height*width bytes.
    const size = (seg as { size?: unknown }).size;
    if (!Array.isArray(size) || size.length !== 2 || size[0] !== height || size[1] !== width) return 'RLE size differs from the image size';
    if (width * height > MAX_RLE_PIXELS) return `RLE masks of images over ${MAX_RLE_PIXELS / 1e6} megapixels are not traced`;
    const decoded = decodeRle(seg as CocoRle | CocoRleUncompressed);
    if (!decoded.ok) return decoded.error.message;
    return maskToPolygons(decoded.value.mask, width, height);
  }
  return 'missing segmentation';
}

/** A COCO dataset JSON file. */
export const cocoReader = defineReader({
  kind: 'coco',
  fileNoun: 'COCO .json',
  readsFile: (entry) => entry.toLowerCase().endsWith('.json'),
  read: readCoco,
});
