/**
 * The export engine: per-image sidecars in, datasets out, one image at a time.
 *
 * A first pass (./plan.ts) reads only the class ids of every selected sidecar (for the stratified
 * split, the category list and the "class without objects" warning); the second pass reads each
 * sidecar again, rasterises each object once into a crop of its box, and hands that to the writer
 * of every chosen format (./writers/, one file per format). Nothing but the list of paths and a
 * few numbers per image is kept between images, so memory does not grow with the number of
 * images.
 *
 * Output layout (all under the chosen folder):
 * ```
 * coco/annotations/instances_<split>.json   coco/images/<path>            (copy/link)
 * voc/JPEGImages/<flat>.jpg  voc/SegmentationClass/<flat>.png  voc/SegmentationObject/<flat>.png
 * voc/Annotations/<flat>.xml  voc/ImageSets/Segmentation/<split>.txt  voc/labelmap.txt
 * masks/<stem>.png  masks/objects/<stem>/<object id>.png  masks/legend.json
 * pseudo/<stem>.png  pseudo/legend.json  pseudo/legend.svg
 * yolo/images/<split>/<stem>.<ext>  yolo/labels/<split>/<stem>.txt  yolo/data.yaml
 * labelme/<stem>.json  labelme/<stem>.<ext>                                 (copy/link)
 * edgeflow-export.json   what was exported, with the counts and warnings
 * ```
 * `<path>` is the image's workspace-relative path, `<stem>` the same without its extension and
 * `<flat>` the stem with '/' replaced by '__' (VOC folders are flat).
 */
import { readCocoSidecar } from '../formats/cocoSidecar';
import { StableImageIds } from '../formats/cocoDataset';
import { assignSplits } from '../formats/split';
import { maskToPolygons } from '../geometry/contours';
import type { Label } from '../labels';
import { effectiveAttributes } from '../labelAttributes';
import { cleanRegions, rasterizeObject } from './clean';
import type { ExportOptions } from './config';
import { extensionOf, uniqueStems } from './paths';
import { ImageEntry, exportCategories, scanSidecars } from './plan';
import type { Codecs, OutStream, OutputWriter, ProgressSink, WarningSummary, WorkspaceReader } from './types';
import { Warnings } from './types';
import { WriteQueue } from './writeQueue';
import { paint } from './writers/raster';
import { FORMATS, formatSpec } from './writers/registry';
import type { ExportContext, ExportImage, FormatWriter, PreparedObject } from './writers/types';

/** The report every export writes at the top of its output folder. */
export const EXPORT_REPORT = 'edgeflow-export.json';

export { boundaryBand } from './writers/raster';

/** What an export did. */
export interface ExportSummary {
  readonly images: number;
  readonly objects: number;
  readonly perSplit: Readonly<Record<string, number>>;
  readonly formats: readonly string[];
  readonly bytesWritten: number;
  readonly seconds: number;
  readonly cancelled: boolean;
  readonly warnings: readonly WarningSummary[];
  /** Main files written (dataset JSONs, lists), output-relative. */
  readonly files: readonly string[];
}

/** Inputs of `exportDataset`. */
export interface ExportRequest {
  readonly workspace: WorkspaceReader;
  readonly output: OutputWriter;
  readonly labels: readonly Label[];
  readonly options: ExportOptions;
  readonly codecs: Codecs;
  readonly progress?: ProgressSink;
  /** Workspace-relative folders never to read from (the output folder when it is inside). */
  readonly skip?: readonly string[];
  /** A clock in milliseconds (for the summary); defaults to Date.now. */
  readonly now?: () => number;
}

/** Run an export. Throws on failures that make the dataset unusable; everything else is a warning. */
export async function exportDataset(req: ExportRequest): Promise<ExportSummary> {
  const now = req.now ?? (() => Date.now());
  const started = now();
  const { workspace, output, options } = req;
  const warnings = new Warnings();
  const formats = new Set(options.formats);
  if (formats.size === 0) throw new Error('no export format chosen');
  for (const f of formats) formatSpec(f);

  const scan = await scanSidecars(workspace, options, req.skip ?? [], warnings, req.progress);
  if (!scan) {
    return { images: 0, objects: 0, perSplit: {}, formats: [...formats], bytesWritten: 0, seconds: (now() - started) / 1000, cancelled: true, warnings: warnings.list(), files: [] };
  }
  const { entries } = scan;
  const categories = exportCategories(req.labels, scan, warnings);
  const specsByClass = new Map(req.labels.map((l) => [l.id, l.attributes ?? []]));

  // Splits, names and ids: fixed before anything is written.
  const splitOf = assignSplits(entries.map((e) => ({ key: e.path, classIds: e.classIds })), options.splits, options.seed);
  const splitNames = options.splits.map((s) => s.name);
  const stems = uniqueStems(entries.map((e) => e.path));
  const imageIds = new StableImageIds();
  const idOf = new Map(entries.map((e) => [e.path, imageIds.idFor(e.path)]));
  const perSplit: Record<string, number> = Object.fromEntries(splitNames.map((s) => [s, 0]));

  const files: string[] = [];
  const openStreams: OutStream[] = [];
  const tempFiles: string[] = [];
  // Whole files (PNGs, XML, copies) are written concurrently with the next images' work; the
  // window is small, so memory stays bounded.
  const writes = new WriteQueue(16);
  const open = async (rel: string): Promise<OutStream> => {
    const s = await output.openStream(rel);
    openStreams.push(s);
    return s;
  };
  const context: ExportContext = {
    output,
    options,
    codecs: req.codecs,
    warnings,
    categories,
    categoryById: new Map(categories.map((c) => [c.id, c])),
    attributesOf: (o) => effectiveAttributes(o.attributes, specsByClass.get(o.classId) ?? []),
    splitNames,
    open,
    openTemporary: (rel) => {
      tempFiles.push(rel);
      return open(rel);
    },
    queue: (write) => writes.add(write),
    refFrom: refFromOutput(output.workspaceFromOutput),
  };
  // Registry order, not the order asked for: it fixes the order of the warnings and files.
  const writers = FORMATS.filter((f) => formats.has(f.format)).map((f) => f.create(context));
  let objectsWritten = 0;
  let imagesWritten = 0;
  let cancelled = false;

  try {
    for (const w of writers) await w.begin();
    const total = entries.length;
    for (let n = 0; n < total; n++) {
      if (req.progress?.isCancelled()) {
        cancelled = true;
        break;
      }
      const entry = entries[n];
      const split = splitOf.get(entry.path) as string;
      const image = await readImage(entry, split);
      if (image) {
        for (const w of writers) await w.image(image);
        objectsWritten += image.objects.length;
        imagesWritten++;
        perSplit[split]++;
      }
      req.progress?.report(n + 1, total, entry.path);
    }

    await writes.drain();
    if (!cancelled) files.push(...(await endAll(writers)));
  } finally {
    await writes.settle();
    for (const s of openStreams) await s.close().catch(() => undefined);
    for (const t of tempFiles) await output.remove(t).catch(() => undefined);
  }

  const seconds = (now() - started) / 1000;
  if (!cancelled) {
    const report = {
      generator: 'EdgeFlow Annotator',
      formats: [...formats],
      images: options.images,
      splits: options.splits.map((s) => ({ name: s.name, fraction: +s.fraction.toFixed(6), images: perSplit[s.name] })),
      seed: options.seed,
      include: options.include,
      imageCount: imagesWritten,
      objectCount: objectsWritten,
      categories: categories.map((c) => ({ id: c.id, name: c.name })),
      warnings: warnings.list(),
    };
    await output.writeFile(EXPORT_REPORT, JSON.stringify(report, null, 2) + '\n');
    files.push(EXPORT_REPORT);
  }
  return {
    images: imagesWritten,
    objects: objectsWritten,
    perSplit,
    formats: [...formats],
    bytesWritten: output.bytesWritten,
    seconds,
    cancelled,
    warnings: warnings.list(),
    files,
  };

  /** Read, clean and rasterise one image's objects; undefined when it has to be skipped. */
  async function readImage(entry: ImageEntry, split: string): Promise<ExportImage | undefined> {
    const parsed = readCocoSidecar(await workspace.readText(entry.sidecar), { maskToRegions: maskToPolygons });
    if (!parsed.ok) {
      warnings.add('unreadable-sidecar', 'Sidecars that could not be read were skipped', `${entry.sidecar} (${parsed.error.message})`);
      return undefined;
    }
    if (!(await workspace.isFile(entry.path))) {
      warnings.add('missing-image', 'Sidecars whose image is missing were skipped', entry.path);
      return undefined;
    }
    const { width, height } = parsed.value.image;
    const objects: PreparedObject[] = [];
    for (const object of parsed.value.state.objects) {
      const cleaned = cleanRegions(object.regions, width, height);
      const where = `${entry.path}#${object.id}`;
      if (cleaned.degenerateRings) warnings.add('degenerate', 'Degenerate polygons (fewer than 3 points or no area) dropped', where, cleaned.degenerateRings);
      if (cleaned.repaired) warnings.add('self-intersection', 'Self-intersecting polygons repaired from their pixels', where);
      const raster = rasterizeObject(cleaned.regions, width, height);
      if (cleaned.regions.length === 0 || raster.area === 0) {
        warnings.add('empty-object', 'Objects covering no pixel dropped', where);
        continue;
      }
      objects.push({ object, regions: cleaned.regions, hasHoles: cleaned.regions.some((r) => r.holes.length > 0), raster });
    }
    if (objects.length === 0) warnings.add('empty-image', 'Images without objects', entry.path);
    let classMap: Uint8Array | undefined;
    return {
      path: entry.path,
      split,
      id: idOf.get(entry.path) as number,
      stem: stems.get(entry.path) as string,
      ext: extensionOf(entry.path),
      width,
      height,
      objects,
      classMap: () => (classMap ??= paintClassMap(entry.path, width, height, objects, warnings)),
    };
  }
}

/**
 * Finish every writer; the files they name, every format's main files first (dataset JSONs,
 * lists), then the side files (legends, class lists).
 */
async function endAll(writers: readonly FormatWriter[]): Promise<string[]> {
  const main: string[] = [];
  const side: string[] = [];
  for (const w of writers) {
    const written = await w.end();
    main.push(...written.main);
    side.push(...(written.side ?? []));
  }
  return [...main, ...side];
}

/** One class id per pixel, later objects on top; 8 bits, so class ids above 255 are left out. */
function paintClassMap(where: string, width: number, height: number, objects: readonly PreparedObject[], warnings: Warnings): Uint8Array {
  const map = new Uint8Array(width * height);
  for (const p of objects) {
    if (p.object.classId > 255) {
      warnings.add('class-id-too-large', 'Objects with class ids above 255 left out of the mask formats', `${where}#${p.object.id}`);
      continue;
    }
    paint(map, width, p.raster, p.object.classId);
  }
  return map;
}

/** Path from an output-relative folder to a workspace file, given the workspace as seen from the output root. */
function refFromOutput(wsFromOut: string): (outDir: string, wsPath: string) => string {
  return (outDir, wsPath) => {
    const up = outDir === '' ? [] : outDir.split('/').map(() => '..');
    const base = isAbsolute(wsFromOut) ? [wsFromOut] : [...up, ...(wsFromOut === '' || wsFromOut === '.' ? [] : [wsFromOut])];
    return [...base, wsPath].join('/');
  };
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}
