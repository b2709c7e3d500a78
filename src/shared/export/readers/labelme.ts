/**
 * Import from a folder of labelme JSON files: polygons, rectangles, circles and masks become
 * objects (shapes sharing a label and `group_id` become one object); `imagePath` is relative to
 * the JSON's folder and only selects among the workspace's images.
 */
import { cloneAttributes, getAttribute, putAttribute, type AttributeMap } from '../../annotation/attributes';
import type { AnnotationObject, MultiPolygonXY } from '../../annotation/types';
import { COCO_SIDECAR_SUFFIX } from '../../formats/cocoSidecar';
import { LabelmeIn, circleToRing, parseLabelme } from '../../formats/labelme';
import { maskToPolygons } from '../../geometry/contours';
import { dirnameRelative } from '../paths';
import { decodePng } from '../png';
import type { Codecs, Warnings } from '../types';
import { ImageMatch, locateMention, resolveWithPrefixes, uniqueBases } from './imageIndex';
import type { LabelMatcher } from './labelMatcher';
import { Detected, ImportContext, ImportSource, defineReader } from './types';

/** The labelme JSONs of the source folder (sidecars are not labelme files). */
async function labelmeFiles(source: ImportSource): Promise<string[]> {
  return (await source.reader.listFiles('', ['.json'])).filter((f) => !f.endsWith(COCO_SIDECAR_SUFFIX));
}

/** Likely labelme when one of the first 20 JSONs (sidecars aside) has `shapes` and an `imagePath`. */
async function detectLabelme(source: ImportSource): Promise<Detected> {
  for (const j of (await source.reader.listFiles('', ['.json'])).slice(0, 20)) {
    if (j.endsWith(COCO_SIDECAR_SUFFIX)) continue;
    try {
      const raw = JSON.parse(await source.reader.readText(j)) as Record<string, unknown>;
      if (Array.isArray(raw.shapes) && typeof raw.imagePath === 'string') return Detected.likely;
    } catch {
      // Not JSON or not labelme: keep looking.
    }
  }
  return Detected.no;
}

async function readLabelme(ctx: ImportContext): Promise<void> {
  const { source, warnings } = ctx;
  const files = await labelmeFiles(source);
  for (let n = 0; n < files.length; n++) {
    if (ctx.stopped()) break;
    const file = files[n];
    let lm: LabelmeIn;
    try {
      lm = parseLabelme(await source.reader.readText(file));
    } catch (e) {
      warnings.add('unreadable-labelme', 'labelme files that could not be read (skipped)', `${file}: ${(e as Error).message}`);
      continue;
    }
    // imagePath is relative to the JSON's folder (labelme often keeps JSONs apart: "../images/a.jpg").
    const jsonDir = dirnameRelative(file);
    const inWorkspace = source.workspacePath !== undefined;
    const base = [source.workspacePath ?? '', jsonDir].filter((x) => x !== '').join('/');
    const where = locateMention(lm.imagePath, base, inWorkspace, ctx.workspaceAbsolute);
    let found: ImageMatch = {};
    if (where.path !== undefined && ctx.index.has(where.path)) found = { path: where.path };
    else if (where.tail) found = resolveWithPrefixes(ctx.index, where.tail, uniqueBases([source.workspacePath ?? '', ctx.imagesDir, '']));
    if (found.path && where.outside) ctx.outside(`${file}: ${lm.imagePath}`);
    if (!found.path) {
      ctx.notFound(found, lm.imagePath);
      continue;
    }
    let { width, height } = lm;
    if ((width === undefined || height === undefined) && ctx.imageSize) ({ width, height } = await ctx.imageSize(found.path));
    if (!width || !height) {
      warnings.add('no-size', 'labelme files without imageWidth/imageHeight (skipped)', file);
      continue;
    }
    const objs = labelmeObjects(lm, width, height, ctx.labels, ctx.codecs, warnings, file);
    await ctx.emit(found.path, width, height, objs);
    ctx.report(n + 1, files.length, found.path);
  }
}

function labelmeObjects(lm: LabelmeIn, width: number, height: number, matcher: LabelMatcher, codecs: Codecs, warnings: Warnings, file: string): AnnotationObject[] {
  const groups = new Map<string, { classId: number; regions: MultiPolygonXY; attributes: AttributeMap }>();
  const order: string[] = [];
  lm.shapes.forEach((s, i) => {
    let regions: MultiPolygonXY;
    const pts = s.points;
    switch (s.shapeType) {
      case 'polygon':
        if (pts.length < 3) {
          warnings.add('degenerate', 'Polygons with fewer than 3 points (skipped)', `${file}#${i}`);
          return;
        }
        regions = [{ outer: pts.flat(), holes: [] }];
        break;
      case 'rectangle': {
        if (pts.length < 2) return;
        const [[x1, y1], [x2, y2]] = pts;
        regions = [{ outer: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2), Math.min(x1, x2), Math.max(y1, y2)], holes: [] }];
        break;
      }
      case 'circle':
        if (pts.length < 2) return;
        regions = [{ outer: circleToRing(pts[0][0], pts[0][1], pts[1][0], pts[1][1]), holes: [] }];
        break;
      case 'mask': {
        if (!s.mask || pts.length < 1) return;
        try {
          const png = decodePng(codecs.fromBase64(s.mask), codecs.inflate);
          const x0 = Math.round(pts[0][0]);
          const y0 = Math.round(pts[0][1]);
          const full = new Uint8Array(width * height);
          for (let y = 0; y < png.height; y++) {
            for (let x = 0; x < png.width; x++) {
              const X = x0 + x, Y = y0 + y;
              if (X < 0 || Y < 0 || X >= width || Y >= height) continue;
              if (png.data[(y * png.width + x) * png.channels]) full[Y * width + X] = 1;
            }
          }
          regions = maskToPolygons(full, width, height);
        } catch (e) {
          warnings.add('bad-mask', 'labelme mask shapes that could not be decoded (skipped)', `${file}#${i}: ${(e as Error).message}`);
          return;
        }
        break;
      }
      default:
        warnings.add('unsupported-shape', 'labelme shapes that are not areas (point, line, linestrip) skipped', `${file}#${i} ${s.shapeType}`);
        return;
    }
    if (regions.length === 0) return;
    if (s.droppedAttributes) warnings.add('bad-attributes', 'labelme flags or attributes that are not a boolean or a string (left out)', `${file}#${i}`);
    const classId = matcher.idFor(s.label);
    const key = s.groupId === null ? `#${i}` : `${s.label}\u0000${s.groupId}`;
    const g = groups.get(key);
    if (g) {
      g.regions.push(...regions);
      // The parts of one object carry the same attributes; the first part's win a disagreement.
      for (const [k, v] of Object.entries(s.attributes)) if (getAttribute(g.attributes, k) === undefined) putAttribute(g.attributes, k, v);
    } else {
      groups.set(key, { classId, regions, attributes: cloneAttributes(s.attributes) });
      order.push(key);
    }
  });
  return order.map((k, n): AnnotationObject => {
    const g = groups.get(k)!;
    return { id: n + 1, classId: g.classId, regions: g.regions, hidden: false, ...(Object.keys(g.attributes).length ? { attributes: g.attributes } : {}) };
  });
}

/** A folder of labelme JSON files. */
export const labelmeReader = defineReader({
  kind: 'labelme',
  folderNoun: 'labelme JSON files',
  detectFolder: detectLabelme,
  read: readLabelme,
});
