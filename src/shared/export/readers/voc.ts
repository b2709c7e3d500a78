/**
 * Import from PASCAL VOC: a folder with `SegmentationObject/` (classes from
 * `SegmentationClass/`, else `Annotations/*.xml`, names from `labelmap.txt` or the 20 VOC
 * classes), or a folder of SegmentationObject PNGs alone. Images are found by the PNG's stem,
 * flat VOC names (`a__b`) included; the 255 "void" band is given back to the objects it borders.
 */
import type { AnnotationObject } from '../../annotation/types';
import { readVocObjectNames } from '../../formats/voc';
import { VOC_VOID_INDEX, vocPalette } from '../../formats/vocPalette';
import { maskToPolygons } from '../../geometry/contours';
import { basenameRelative, stripExtension } from '../paths';
import { decodePng } from '../png';
import type { Codecs, Warnings, WorkspaceReader } from '../types';
import type { LabelMatcher } from './labelMatcher';
import { Detected, ImportContext, ImportSource, defineReader } from './types';

/** The 20 PASCAL VOC classes by index (1..20), used when a VOC folder names no classes. */
export const VOC_CLASS_NAMES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

async function hasVocLayout(source: ImportSource): Promise<boolean> {
  return (await source.reader.listFiles('SegmentationObject', ['.png'])).length > 0;
}

/** The VOC layout, or loosely any PNG (a folder of SegmentationObject PNGs). */
async function detectVoc(source: ImportSource): Promise<Detected> {
  if (await hasVocLayout(source)) return Detected.layout;
  return (await source.reader.listFiles('', ['.png'])).length > 0 ? Detected.loosely : Detected.no;
}

async function readVoc(ctx: ImportContext): Promise<void> {
  const { source, warnings, codecs } = ctx;
  const layout = await hasVocLayout(source);
  const objDir = layout ? 'SegmentationObject' : '';
  const clsDir = layout ? 'SegmentationClass' : '';
  const pngs = await source.reader.listFiles(objDir, ['.png']);
  const classNames = await vocClassNames(source.reader, layout);
  for (let n = 0; n < pngs.length; n++) {
    if (ctx.stopped()) break;
    const png = pngs[n];
    if (!layout && png.includes('/')) continue;
    const stem = stripExtension(basenameRelative(png));
    const found = ctx.index.resolveStem(stem);
    if (!found.path) {
      ctx.notFound(found, stem);
      continue;
    }
    let objMap: { width: number; height: number; data: Uint8Array };
    try {
      objMap = indexedPng(await source.reader.readBytes(png), codecs);
    } catch (e) {
      warnings.add('unreadable-png', 'PNGs that could not be read (skipped)', `${png}: ${(e as Error).message}`);
      continue;
    }
    let clsMap: Uint8Array | undefined;
    const clsPath = `${clsDir ? clsDir + '/' : ''}${basenameRelative(png)}`;
    if (clsDir && (await source.reader.isFile(clsPath))) {
      try {
        const c = indexedPng(await source.reader.readBytes(clsPath), codecs);
        if (c.width === objMap.width && c.height === objMap.height) clsMap = c.data;
      } catch {
        // Fall back to the XML names below.
      }
    }
    let xmlNames: string[] = [];
    const xmlPath = `Annotations/${stem}.xml`;
    if (layout && (await source.reader.isFile(xmlPath))) xmlNames = readVocObjectNames(await source.reader.readText(xmlPath));
    const objs = vocObjects(objMap, clsMap, xmlNames, classNames, ctx.labels, warnings, png);
    await ctx.emit(found.path, objMap.width, objMap.height, objs);
    ctx.report(n + 1, pngs.length, found.path);
  }
}

/** Decode a PNG into one index/gray value per pixel (RGB palettes are mapped back to VOC indices). */
function indexedPng(bytes: Uint8Array, codecs: Codecs): { width: number; height: number; data: Uint8Array } {
  const png = decodePng(bytes, codecs.inflate);
  if (png.channels === 1) return { width: png.width, height: png.height, data: png.data };
  if (png.channels === 2) {
    const d = new Uint8Array(png.width * png.height);
    for (let i = 0; i < d.length; i++) d[i] = png.data[i * 2];
    return { width: png.width, height: png.height, data: d };
  }
  // An RGB(A) rendering of a VOC palette image: map each colour back to its index.
  const pal = vocPalette();
  const lookup = new Map<number, number>();
  for (let i = 0; i < 256; i++) lookup.set((pal[i * 3] << 16) | (pal[i * 3 + 1] << 8) | pal[i * 3 + 2], i);
  const d = new Uint8Array(png.width * png.height);
  for (let i = 0; i < d.length; i++) {
    const o = i * png.channels;
    const v = lookup.get((png.data[o] << 16) | (png.data[o + 1] << 8) | png.data[o + 2]);
    if (v === undefined) throw new Error('an RGB mask with colours outside the VOC palette');
    d[i] = v;
  }
  return { width: png.width, height: png.height, data: d };
}

/** Class index -> name from `labelmap.txt` (CVAT/EdgeFlow, by VOC palette colour), else the VOC classes. */
async function vocClassNames(reader: WorkspaceReader, hasLayout: boolean): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  if (hasLayout && (await reader.isFile('labelmap.txt'))) {
    const pal = vocPalette();
    const byColour = new Map<string, number>();
    for (let i = 0; i < 256; i++) byColour.set(`${pal[i * 3]},${pal[i * 3 + 1]},${pal[i * 3 + 2]}`, i);
    for (const line of (await reader.readText('labelmap.txt')).split(/\r?\n/)) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const [name, rgb] = line.split(':');
      const idx = byColour.get((rgb ?? '').replace(/\s/g, ''));
      if (idx !== undefined && idx !== 0 && name) names.set(idx, name);
    }
    if (names.size) return names;
  }
  VOC_CLASS_NAMES.forEach((n, i) => names.set(i + 1, n));
  return names;
}

function vocObjects(
  objMap: { width: number; height: number; data: Uint8Array },
  clsMap: Uint8Array | undefined,
  xmlNames: readonly string[],
  classNames: ReadonlyMap<number, string>,
  matcher: LabelMatcher,
  warnings: Warnings,
  file: string,
): AnnotationObject[] {
  const { width, height } = objMap;
  const data = fillVoid(objMap.data, width, height);
  const present = new Set<number>();
  for (const v of data) if (v !== 0 && v !== VOC_VOID_INDEX) present.add(v);
  const objs: AnnotationObject[] = [];
  for (const inst of [...present].sort((a, b) => a - b)) {
    const mask = new Uint8Array(width * height);
    const votes = new Map<number, number>();
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== inst) continue;
      mask[i] = 1;
      if (clsMap) {
        const c = clsMap[i];
        if (c !== 0 && c !== VOC_VOID_INDEX) votes.set(c, (votes.get(c) ?? 0) + 1);
      }
    }
    let name: string | undefined;
    let preferred: number | undefined;
    if (votes.size) {
      const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
      preferred = best;
      name = classNames.get(best) ?? `class_${best}`;
    } else if (xmlNames[inst - 1]) {
      name = xmlNames[inst - 1];
    } else {
      warnings.add('voc-unknown-class', 'VOC instances without a class (no SegmentationClass or Annotations): imported as "object"', `${file}#${inst}`);
      name = 'object';
    }
    const regions = maskToPolygons(mask, width, height);
    if (regions.length === 0) continue;
    objs.push({ id: objs.length + 1, classId: matcher.idFor(name, preferred), regions, hidden: false });
  }
  return objs;
}

/**
 * VOC's 255 boundary band straddles object outlines: give each void pixel the value of the
 * nearest non-void pixel (breadth-first from all of them at once), so objects get back their
 * outline rather than growing or shrinking by the band.
 */
export function fillVoid(data: Uint8Array, width: number, height: number): Uint8Array {
  let any = false;
  for (const v of data) if (v === VOC_VOID_INDEX) {
    any = true;
    break;
  }
  if (!any) return data;
  const out = data.slice();
  const queue = new Int32Array(width * height);
  let head = 0, tail = 0;
  for (let i = 0; i < out.length; i++) if (out[i] !== VOC_VOID_INDEX) queue[tail++] = i;
  while (head < tail) {
    const p = queue[head++];
    const x = p % width, y = (p - x) / width;
    const v = out[p];
    const visit = (q: number) => {
      if (out[q] === VOC_VOID_INDEX) {
        out[q] = v;
        queue[tail++] = q;
      }
    };
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (y > 0) visit(p - width);
    if (y < height - 1) visit(p + width);
  }
  // An image that is all void has nothing to take a value from.
  for (let i = 0; i < out.length; i++) if (out[i] === VOC_VOID_INDEX) out[i] = 0;
  return out;
}

/** A VOC folder, or a folder of SegmentationObject PNGs. */
export const vocReader = defineReader({
  kind: 'voc',
  folderNoun: 'VOC SegmentationObject PNGs',
  detectFolder: detectVoc,
  read: readVoc,
});
