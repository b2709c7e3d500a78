/**
 * The import engine: a COCO dataset JSON (polygons and RLE), a folder of labelme JSONs, or VOC
 * SegmentationObject PNGs become per-image sidecars, so existing labels can be reviewed in the
 * editor. Images are looked up among the workspace's own images (a path named in a label file is
 * only a key into that list: nothing is read from or written beside it, so '..' or an absolute
 * path cannot lead outside); an existing sidecar is replaced only with `overwrite`. Classes
 * are matched to the workspace labels file by name; new names are added to it.
 */
import type { AnnotationObject, AnnotationState, MultiPolygonXY } from '../annotation/types';
import { COCO_SIDECAR_SUFFIX, MAX_RLE_PIXELS, MAX_SIDECAR_PIXELS, writeCocoSidecar } from '../formats/cocoSidecar';
import { MAX_COORD } from '../annotation/validate';
import { CocoDataset, objectIdFromAnnotationId, parseCocoDataset } from '../formats/cocoDataset';
import { circleToRing, parseLabelme, LabelmeIn } from '../formats/labelme';
import { decodeRle, CocoRle, CocoRleUncompressed } from '../formats/rle';
import { readVocObjectNames } from '../formats/voc';
import { parseHexColour, vocPalette, VOC_VOID_INDEX } from '../formats/vocPalette';
import { maskToPolygons } from '../geometry/contours';
import { Label, MAX_LABEL_ID, defaultLabelColor, nextLabelId } from '../labels';
import { decodePng } from './png';
import { basenameRelative, dirnameRelative, extensionOf, flattenStem, stripExtension } from './paths';
import type { Codecs, ProgressSink, WarningSummary, WorkspaceReader, WorkspaceWriter } from './types';
import { Warnings } from './types';

/** Image file extensions the editor opens (and an import looks for). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.gif', '.tif', '.tiff'];

/** The 20 PASCAL VOC classes by index (1..20), used when a VOC folder names no classes. */
export const VOC_CLASS_NAMES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** What was imported from, as detected. */
export type ImportKind = 'coco' | 'labelme' | 'voc';

/** Where labels come from: a reader rooted at the source folder, and the entry inside it. */
export interface ImportSource {
  readonly reader: WorkspaceReader & { listFiles(dir: string, extensions: readonly string[]): Promise<string[]> };
  /** Source-relative path of the COCO file, or '' for the source folder itself. */
  readonly entry: string;
  /** The source folder's path inside the workspace, when it is inside (labelme image paths then resolve directly). */
  readonly workspacePath?: string;
}

/** Inputs of `importAnnotations`. */
export interface ImportRequest {
  readonly workspace: WorkspaceWriter;
  readonly source: ImportSource;
  readonly labels: readonly Label[];
  readonly overwrite: boolean;
  /** Workspace folder holding the images ('' or undefined = search the whole workspace). */
  readonly imagesDir?: string;
  readonly codecs: Codecs;
  readonly progress?: ProgressSink;
  /** Image size for labelme files that do not state it. */
  readonly imageSize?: (workspacePath: string) => Promise<{ width: number; height: number }>;
  /** Provenance written into the sidecars. */
  readonly generator?: string;
  /** The workspace's absolute path, to place absolute image paths from label files. */
  readonly workspaceAbsolute?: string;
  /** Skip these workspace folders when indexing images (e.g. an export folder). */
  readonly skip?: readonly string[];
}

/** What an import did. */
export interface ImportSummary {
  readonly kind: ImportKind;
  /** Sidecars written. */
  readonly written: number;
  /** Images left alone because they already had a sidecar. */
  readonly existing: number;
  readonly objects: number;
  /** Labels after the import (write them when `labelsChanged`). */
  readonly labels: Label[];
  readonly labelsChanged: boolean;
  readonly addedLabels: string[];
  readonly cancelled: boolean;
  readonly warnings: readonly WarningSummary[];
  /** Workspace paths of the sidecars written. */
  readonly sidecars: string[];
}

/** Maps class names to label ids, adding labels for new names. */
class LabelMatcher {
  readonly labels: Label[];
  readonly added: string[] = [];

  constructor(labels: readonly Label[]) {
    this.labels = labels.map((l) => ({ ...l }));
  }

  /** The id of `name`, adding a label (preferring `preferredId`) if no label has that name. */
  idFor(name: string, preferredId?: number, colour?: string): number {
    const trimmed = name.trim();
    const exact = this.labels.find((l) => l.name === trimmed) ?? this.labels.find((l) => l.name.toLowerCase() === trimmed.toLowerCase());
    if (exact) return exact.id;
    const free = (id: number | undefined) => id !== undefined && Number.isInteger(id) && id >= 1 && id <= MAX_LABEL_ID && !this.labels.some((l) => l.id === id);
    const id = free(preferredId) ? (preferredId as number) : nextLabelId(this.labels);
    if (id === undefined) throw new Error(`the labels file is full (${MAX_LABEL_ID} classes): cannot add "${trimmed}"`);
    const color = colour && parseHexColour(colour) && /^#[0-9a-fA-F]{6}$/.test(colour) ? colour.toLowerCase() : defaultLabelColor(this.labels.length);
    this.labels.push({ id, name: trimmed, color });
    this.labels.sort((a, b) => a.id - b.id);
    this.added.push(trimmed);
    return id;
  }
}

/** Finds workspace images for paths and names mentioned in label files. */
class ImageIndex {
  private readonly all = new Set<string>();
  private readonly byName = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();
  /** `dir/name_ext` -> `dir/name.ext`: the names an export gives two images that differ only by extension. */
  private readonly byStemExt = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    for (const p of paths) {
      this.all.add(p);
      push(this.byName, basenameRelative(p).toLowerCase(), p);
      push(this.byStem, stripExtension(basenameRelative(p)).toLowerCase(), p);
      push(this.byStemExt, `${stripExtension(p)}_${extensionOf(p)}`.toLowerCase(), p);
    }
  }

  /** The image an export renamed to `stem` (`dir/name_ext`, with or without a numeric suffix). */
  private byDisambiguated(stem: string): string | undefined {
    const key = stem.toLowerCase();
    const hit = this.byStemExt.get(key) ?? this.byStemExt.get(key.replace(/_\d+$/, ''));
    return hit?.length === 1 ? hit[0] : undefined;
  }

  has(p: string): boolean {
    return this.all.has(p);
  }

  /**
   * The workspace image a label file means by `mentioned` (relative, already normalised): the
   * path itself under one of the `bases`, then the unique image whose path ends with it, then the
   * unique image with its file name. Undefined when none or several match.
   */
  resolve(mentioned: string, bases: readonly string[]): { path?: string; ambiguous?: boolean } {
    for (const b of bases) {
      const p = b === '' ? mentioned : `${b}/${mentioned}`;
      if (this.all.has(p)) return { path: p };
    }
    for (const b of bases) {
      const renamed = this.byDisambiguated(stripExtension(b === '' ? mentioned : `${b}/${mentioned}`));
      if (renamed) return { path: renamed };
    }
    const candidates = this.byName.get(basenameRelative(mentioned).toLowerCase()) ?? [];
    if (candidates.length === 1) return { path: candidates[0] };
    if (candidates.length > 1) {
      // Prefer the longest matching tail (dir/name over name).
      const segs = mentioned.split('/');
      for (let k = segs.length; k >= 2; k--) {
        const tail = '/' + segs.slice(segs.length - k).join('/');
        const m = candidates.filter((c) => ('/' + c).endsWith(tail));
        if (m.length === 1) return { path: m[0] };
      }
      return { ambiguous: true };
    }
    return {};
  }

  /** The unique image with this stem (file name without extension), or one that unflattens to it. */
  resolveStem(stem: string): { path?: string; ambiguous?: boolean } {
    const unflat = stem.split('__').join('/');
    const direct = [...this.all].filter((p) => stripExtension(p) === unflat || flattenStem(stripExtension(p)) === stem);
    if (direct.length === 1) return { path: direct[0] };
    const renamed = this.byDisambiguated(unflat);
    if (renamed) return { path: renamed };
    const c = this.byStem.get(stem.toLowerCase()) ?? [];
    if (c.length === 1) return { path: c[0] };
    return c.length > 1 || direct.length > 1 ? { ambiguous: true } : {};
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Detect what `source` holds. */
export async function detectImportKind(source: ImportSource): Promise<ImportKind> {
  const r = source.reader;
  if (source.entry !== '') {
    if (!source.entry.toLowerCase().endsWith('.json')) throw new Error(`${source.entry}: expected a COCO .json file or a folder`);
    return 'coco';
  }
  if ((await r.listFiles('SegmentationObject', ['.png'])).length > 0) return 'voc';
  const jsons = await r.listFiles('', ['.json']);
  for (const j of jsons.slice(0, 20)) {
    if (j.endsWith(COCO_SIDECAR_SUFFIX)) continue;
    try {
      const raw = JSON.parse(await r.readText(j)) as Record<string, unknown>;
      if (Array.isArray(raw.shapes) && typeof raw.imagePath === 'string') return 'labelme';
    } catch {
      // Not JSON or not labelme: keep looking.
    }
  }
  if ((await r.listFiles('', ['.png'])).length > 0) return 'voc';
  throw new Error('the folder holds neither labelme JSON files nor VOC SegmentationObject PNGs');
}

/** Run an import. */
export async function importAnnotations(req: ImportRequest): Promise<ImportSummary> {
  const { workspace, source, codecs } = req;
  const warnings = new Warnings();
  const matcher = new LabelMatcher(req.labels);
  const kind = await detectImportKind(source);
  const imagesDir = req.imagesDir ?? '';
  const imagePaths = (await workspace.listFiles(imagesDir, IMAGE_EXTENSIONS)).filter(
    (p) => !(req.skip ?? []).some((s) => p === s || p.startsWith(s + '/')),
  );
  if (imagePaths.length === 0) throw new Error(`no images found in the workspace${imagesDir ? ` under ${imagesDir}` : ''}`);
  const index = new ImageIndex(imagePaths);
  const sidecars: string[] = [];
  let written = 0;
  let existing = 0;
  let objects = 0;
  let cancelled = false;
  const done = new Set<string>();

  /** Write one image's sidecar unless it exists (and overwrite is off). */
  const emit = async (imagePath: string, width: number, height: number, objs: AnnotationObject[]): Promise<void> => {
    if (done.has(imagePath)) {
      warnings.add('duplicate-image', 'Images named twice in the source (the first one was kept)', imagePath);
      return;
    }
    done.add(imagePath);
    if (width * height > MAX_SIDECAR_PIXELS) {
      warnings.add('image-too-large', 'Images whose stated size is too large for a sidecar (skipped)', `${imagePath} (${width}x${height})`);
      return;
    }
    const sidecar = imagePath + COCO_SIDECAR_SUFFIX;
    if (!req.overwrite && (await workspace.isFile(sidecar))) {
      existing++;
      warnings.add('sidecar-exists', 'Images that already have a sidecar were left alone (use overwrite)', imagePath);
      return;
    }
    const state: AnnotationState = { objects: objs, nextId: objs.reduce((m, o) => Math.max(m, o.id), 0) + 1 };
    const text = writeCocoSidecar({ fileName: basenameRelative(imagePath), width, height }, matcher.labels, state, { generator: req.generator });
    await workspace.writeFileAtomic(sidecar, text);
    sidecars.push(sidecar);
    written++;
    objects += objs.length;
  };

  // A label file's image path only ever selects among the workspace's own images; one that
  // points outside the workspace is matched by its file name (never read, never written).
  const outside = (where: string): void =>
    warnings.add('outside-path', 'Image paths pointing outside the workspace, matched to workspace images by file name', where);

  if (kind === 'coco') {
    let ds: CocoDataset;
    try {
      ds = parseCocoDataset(await source.reader.readText(source.entry));
    } catch (e) {
      throw new Error(`${source.entry}: ${(e as Error).message}`);
    }
    const catName = new Map<number, number>();
    for (const c of ds.categories) catName.set(c.id, matcher.idFor(c.name, c.id, c.color));
    const byImage = new Map<number, CocoDataset['annotations']>();
    for (const a of ds.annotations) push(byImage, a.image_id, a);
    const bases = uniqueBases([imagesDir, '', source.workspacePath ?? '']);
    for (let n = 0; n < ds.images.length; n++) {
      if (req.progress?.isCancelled()) {
        cancelled = true;
        break;
      }
      const im = ds.images[n];
      const where = locateMention(im.file_name, '', false, req.workspaceAbsolute);
      const found = where.tail ? resolveWithPrefixes(index, where.tail, bases) : {};
      if (found.path && where.outside) outside(im.file_name);
      if (!found.path) {
        warnings.add(found.ambiguous ? 'ambiguous-image' : 'image-not-found', found.ambiguous ? 'Image names matching several workspace images (skipped)' : 'Images not found in the workspace (skipped)', im.file_name);
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
        objs.push({ id, classId, regions, hidden: false });
      }
      await emit(found.path, im.width, im.height, objs);
      req.progress?.report(n + 1, ds.images.length, found.path);
    }
  } else if (kind === 'labelme') {
    const files = (await source.reader.listFiles('', ['.json'])).filter((f) => !f.endsWith(COCO_SIDECAR_SUFFIX));
    for (let n = 0; n < files.length; n++) {
      if (req.progress?.isCancelled()) {
        cancelled = true;
        break;
      }
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
      const where = locateMention(lm.imagePath, base, inWorkspace, req.workspaceAbsolute);
      let found: { path?: string; ambiguous?: boolean } = {};
      if (where.path !== undefined && index.has(where.path)) found = { path: where.path };
      else if (where.tail) found = resolveWithPrefixes(index, where.tail, uniqueBases([source.workspacePath ?? '', imagesDir, '']));
      if (found.path && where.outside) outside(`${file}: ${lm.imagePath}`);
      if (!found.path) {
        warnings.add(found.ambiguous ? 'ambiguous-image' : 'image-not-found', found.ambiguous ? 'Image names matching several workspace images (skipped)' : 'Images not found in the workspace (skipped)', lm.imagePath);
        continue;
      }
      let { width, height } = lm;
      if ((width === undefined || height === undefined) && req.imageSize) ({ width, height } = await req.imageSize(found.path));
      if (!width || !height) {
        warnings.add('no-size', 'labelme files without imageWidth/imageHeight (skipped)', file);
        continue;
      }
      const objs = labelmeObjects(lm, width, height, matcher, codecs, warnings, file);
      await emit(found.path, width, height, objs);
      req.progress?.report(n + 1, files.length, found.path);
    }
  } else {
    const hasVocLayout = (await source.reader.listFiles('SegmentationObject', ['.png'])).length > 0;
    const objDir = hasVocLayout ? 'SegmentationObject' : '';
    const clsDir = hasVocLayout ? 'SegmentationClass' : '';
    const pngs = await source.reader.listFiles(objDir, ['.png']);
    const classNames = await vocClassNames(source.reader, hasVocLayout);
    for (let n = 0; n < pngs.length; n++) {
      if (req.progress?.isCancelled()) {
        cancelled = true;
        break;
      }
      const png = pngs[n];
      if (!hasVocLayout && png.includes('/')) continue;
      const stem = stripExtension(basenameRelative(png));
      const found = index.resolveStem(stem);
      if (!found.path) {
        warnings.add(found.ambiguous ? 'ambiguous-image' : 'image-not-found', found.ambiguous ? 'Image names matching several workspace images (skipped)' : 'Images not found in the workspace (skipped)', stem);
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
      if (hasVocLayout && (await source.reader.isFile(xmlPath))) xmlNames = readVocObjectNames(await source.reader.readText(xmlPath));
      const objs = vocObjects(objMap, clsMap, xmlNames, classNames, matcher, warnings, png);
      await emit(found.path, objMap.width, objMap.height, objs);
      req.progress?.report(n + 1, pngs.length, found.path);
    }
  }

  return {
    kind,
    written,
    existing,
    objects,
    labels: matcher.labels,
    labelsChanged: matcher.added.length > 0,
    addedLabels: matcher.added,
    cancelled,
    warnings: warnings.list(),
    sidecars,
  };
}

/**
 * Where a path from a label file points. `base` is the folder it is relative to; when
 * `baseInWorkspace`, `base` is workspace-relative and a path that stays inside the workspace comes
 * back as `path`. `tail` is always the normalised path below any '..' that climbs out (or below
 * the root of an absolute path), for matching by name; `outside` when the path leaves the
 * workspace (climbs above it, or is absolute elsewhere).
 */
export function locateMention(raw: string, base: string, baseInWorkspace: boolean, workspaceAbsolute?: string): { path?: string; tail: string; outside: boolean } {
  if (raw.includes('\0')) return { tail: '', outside: true };
  let p = raw.replace(/\\/g, '/').replace(/^file:\/\//, '');
  let absolute = p.startsWith('/') || /^[A-Za-z]:\//.test(p);
  if (absolute && workspaceAbsolute) {
    const root = workspaceAbsolute.replace(/\\/g, '/').replace(/\/+$/, '');
    if (p.startsWith(root + '/')) {
      p = p.slice(root.length + 1);
      absolute = false;
      base = '';
      baseInWorkspace = true;
    }
  }
  const joined = absolute ? p.replace(/^[A-Za-z]:/, '') : base ? `${base}/${p}` : p;
  const stack: string[] = [];
  let climbed = false;
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length === 0) climbed = true;
      else stack.pop();
      continue;
    }
    stack.push(seg);
  }
  const tail = stack.join('/');
  // Climbing above a folder outside the workspace says nothing about the workspace.
  const outside = absolute || (climbed && baseInWorkspace);
  return { path: !absolute && !climbed && baseInWorkspace && tail ? tail : undefined, tail, outside };
}

function uniqueBases(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/**
 * Resolve a mentioned path: as is under each base, then with leading folders removed one by one
 * (a COCO file_name `images/a/b.png` for the workspace image `a/b.png`), then by name.
 */
function resolveWithPrefixes(index: ImageIndex, mentioned: string, bases: readonly string[]): { path?: string; ambiguous?: boolean } {
  const segs = mentioned.split('/');
  for (let k = 0; k < segs.length; k++) {
    const tail = segs.slice(k).join('/');
    for (const b of bases) {
      const p = b === '' ? tail : `${b}/${tail}`;
      if (index.has(p)) return { path: p };
    }
  }
  return index.resolve(mentioned, bases);
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

function labelmeObjects(lm: LabelmeIn, width: number, height: number, matcher: LabelMatcher, codecs: Codecs, warnings: Warnings, file: string): AnnotationObject[] {
  const groups = new Map<string, { classId: number; regions: MultiPolygonXY }>();
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
    const classId = matcher.idFor(s.label);
    const key = s.groupId === null ? `#${i}` : `${s.label}\u0000${s.groupId}`;
    const g = groups.get(key);
    if (g) g.regions.push(...regions);
    else {
      groups.set(key, { classId, regions });
      order.push(key);
    }
  });
  return order.map((k, n) => ({ id: n + 1, classId: groups.get(k)!.classId, regions: groups.get(k)!.regions, hidden: false }));
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
