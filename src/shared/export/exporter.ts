/**
 * The export engine: per-image sidecars in, datasets out, one image at a time.
 *
 * A first pass reads only the class ids of every selected sidecar (for the stratified split, the
 * category list and the "class without objects" warning); the second pass reads each sidecar
 * again, rasterises each object once into a crop of its box, and hands that to every format.
 * Nothing but the list of paths and a few numbers per image is kept between images, and COCO
 * JSON goes out as a stream (annotations through a temporary file spliced in at the end), so
 * memory does not grow with the number of images.
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
import type { AnnotationObject, MultiPolygonXY } from '../annotation/types';
import { COCO_SIDECAR_SUFFIX, readCocoSidecar } from '../formats/cocoSidecar';
import {
  CocoCategory,
  CocoDatasetText,
  StableImageIds,
  annotationId,
} from '../formats/cocoDataset';
import { LABELME_VERSION, LabelmeShape, labelmeMaskShape, labelmePolygonShapes, writeLabelme } from '../formats/labelme';
import { countsToString } from '../formats/rle';
import { assignSplits } from '../formats/split';
import { vocBoxFromPixelBbox, writeVocXml } from '../formats/voc';
import { pseudoColourPalette, toHexColour, vocPalette, VOC_VOID_INDEX, parseHexColour } from '../formats/vocPalette';
import { yoloDataYaml, yoloSegLine } from '../formats/yolo';
import { maskToPolygons } from '../geometry/contours';
import type { Label } from '../labels';
import { ObjectRaster, cleanRegions, rasterToCounts, rasterizeObject } from './clean';
import type { ExportOptions } from './config';
import { encodePng8 } from './png';
import { basenameRelative, dirnameRelative, extensionOf, flattenStem, uniqueStems } from './paths';
import type { Codecs, OutStream, OutputWriter, ProgressSink, WarningSummary, WorkspaceReader } from './types';
import { Warnings } from './types';

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

const JPEG_EXTENSIONS = new Set(['jpg', 'jpeg']);

interface ImageEntry {
  readonly path: string;
  readonly sidecar: string;
  readonly classIds: number[];
}

interface PreparedObject {
  readonly object: AnnotationObject;
  readonly regions: MultiPolygonXY;
  readonly hasHoles: boolean;
  readonly raster: ObjectRaster;
}

/** Run an export. Throws on failures that make the dataset unusable; everything else is a warning. */
export async function exportDataset(req: ExportRequest): Promise<ExportSummary> {
  const now = req.now ?? (() => Date.now());
  const started = now();
  const { workspace, output, options, codecs } = req;
  const warnings = new Warnings();
  const formats = new Set(options.formats);
  if (formats.size === 0) throw new Error('no export format chosen');

  // Pass 1: which images, and which classes each holds.
  const sidecars = await workspace.listSidecars(options.include, req.skip ?? []);
  if (sidecars.length === 0) {
    throw new Error(
      options.include.length
        ? `no annotated images (*${COCO_SIDECAR_SUFFIX} sidecars) under ${options.include.join(', ')}`
        : `no annotated images (*${COCO_SIDECAR_SUFFIX} sidecars) in the workspace`,
    );
  }
  const entries: ImageEntry[] = [];
  const sidecarNames = new Map<number, string>();
  for (const sidecar of sidecars) {
    if (req.progress?.isCancelled()) return cancelledSummary();
    const path = sidecar.slice(0, -COCO_SIDECAR_SUFFIX.length);
    let classIds: number[];
    try {
      const raw = JSON.parse(await workspace.readText(sidecar)) as { annotations?: unknown; categories?: unknown };
      if (!Array.isArray(raw.annotations)) throw new Error('no annotations array');
      classIds = raw.annotations.map((a) => (a as { category_id?: unknown }).category_id).filter((c): c is number => typeof c === 'number');
      if (Array.isArray(raw.categories)) {
        for (const c of raw.categories as { id?: unknown; name?: unknown }[]) {
          if (typeof c.id === 'number' && typeof c.name === 'string' && !sidecarNames.has(c.id)) sidecarNames.set(c.id, c.name);
        }
      }
    } catch (e) {
      warnings.add('unreadable-sidecar', 'Sidecars that could not be read were skipped', `${sidecar} (${(e as Error).message})`);
      continue;
    }
    if (classIds.length === 0) {
      if (!options.includeEmpty) {
        warnings.add('empty-image-skipped', 'Images without objects were left out', path);
        continue;
      }
    }
    entries.push({ path, sidecar, classIds: [...new Set(classIds)].sort((a, b) => a - b) });
  }
  if (entries.length === 0) throw new Error('none of the selected sidecars could be exported (see the warnings)');

  // Categories: the labels file in id order, then any class id only the sidecars know.
  const labelById = new Map(req.labels.map((l) => [l.id, l]));
  const categories: CocoCategory[] = [...req.labels]
    .sort((a, b) => a.id - b.id)
    .map((l) => ({ id: l.id, name: l.name, supercategory: '', color: l.color }));
  const usedClasses = new Set<number>();
  for (const e of entries) for (const c of e.classIds) usedClasses.add(c);
  for (const c of [...usedClasses].sort((a, b) => a - b)) {
    if (labelById.has(c)) continue;
    const name = uniqueName(sidecarNames.get(c) ?? `class_${c}`, categories);
    // Its VOC colour, so that every category has a colour and an import gives it the same one.
    const voc = vocPalette();
    const color = c >= 0 && c < 256 ? toHexColour([voc[3 * c], voc[3 * c + 1], voc[3 * c + 2]]) : '#808080';
    categories.push({ id: c, name, supercategory: '', color });
    warnings.add('unknown-class', 'Class ids missing from the labels file (exported under the sidecar\'s name)', `${c} "${name}"`);
  }
  categories.sort((a, b) => a.id - b.id);
  for (const l of req.labels) if (!usedClasses.has(l.id)) warnings.add('class-without-objects', 'Classes without objects', l.name);
  const categoryById = new Map(categories.map((c) => [c.id, c]));
  const yoloIndex = new Map(categories.map((c, i) => [c.id, i]));

  // Splits, names and ids: fixed before anything is written.
  const splitOf = assignSplits(entries.map((e) => ({ key: e.path, classIds: e.classIds })), options.splits, options.seed);
  const splitNames = options.splits.map((s) => s.name);
  const stems = uniqueStems(entries.map((e) => e.path));
  const imageIds = new StableImageIds();
  const idOf = new Map(entries.map((e) => [e.path, imageIds.idFor(e.path)]));
  const perSplit: Record<string, number> = Object.fromEntries(splitNames.map((s) => [s, 0]));

  const imageMode = options.images;
  const wsFromOut = output.workspaceFromOutput;
  /** Path from an output-relative folder to a workspace file. */
  const refFrom = (outDir: string, wsPath: string): string => {
    const up = outDir === '' ? [] : outDir.split('/').map(() => '..');
    const base = isAbsolute(wsFromOut) ? [wsFromOut] : [...up, ...(wsFromOut === '' || wsFromOut === '.' ? [] : [wsFromOut])];
    return [...base, wsPath].join('/');
  };

  const files: string[] = [];
  const openStreams: OutStream[] = [];
  const tempFiles: string[] = [];
  const open = async (rel: string): Promise<OutStream> => {
    const s = await output.openStream(rel);
    openStreams.push(s);
    return s;
  };

  // Per-format state.
  const coco = new Map<string, { text: CocoDatasetText; main: OutStream; anns: OutStream; partial: string; temp: string; final: string }>();
  const vocLists = new Map<string, OutStream>();
  const lists = new Map<string, OutStream>();
  const vocPal = vocPalette();
  const classColours = new Map(categories.filter((c) => c.color).map((c) => [c.id, c.color as string]));
  const pseudoPal = pseudoColourPalette(classColours);
  let objectsWritten = 0;
  let imagesWritten = 0;
  let cancelled = false;
  // Whole files (PNGs, XML, copies) are written concurrently with the next images' work; the
  // window is small, so memory stays bounded.
  const writes = new WriteQueue(16);

  try {
    if (formats.has('coco')) {
      for (const split of splitNames) {
        const final = `coco/annotations/instances_${split}.json`;
        const partial = `${final}.partial`;
        const temp = `coco/annotations/.instances_${split}.annotations.tmp`;
        const text = new CocoDatasetText();
        const main = await open(partial);
        const anns = await open(temp);
        tempFiles.push(partial, temp);
        await main.write(
          text.header(
            {
              description: 'Exported by EdgeFlow Annotator',
              version: '1.0',
              image_root: imageMode === 'reference' ? refFrom('coco', '').replace(/\/$/, '') || '.' : 'images',
              split,
            },
            categories,
          ),
        );
        coco.set(split, { text, main, anns, partial, temp, final });
      }
    }
    if (formats.has('voc')) {
      for (const split of splitNames) vocLists.set(split, await open(`voc/ImageSets/Segmentation/${split}.txt`));
      if (splitNames.includes('train') && splitNames.includes('val')) {
        vocLists.set('trainval', await open('voc/ImageSets/Segmentation/trainval.txt'));
      }
    }
    if (splitNames.length > 1) {
      for (const f of ['mask', 'pseudo', 'labelme'] as const) {
        if (!formats.has(f)) continue;
        const dir = f === 'mask' ? 'masks' : f;
        for (const split of splitNames) lists.set(`${f}/${split}`, await open(`${dir}/${split}.txt`));
      }
    }
    if (formats.has('voc') && imageMode === 'reference') {
      warnings.add('voc-no-images', 'VOC JPEGImages/ left empty because images are only referenced', 'voc/JPEGImages');
    }
    if (formats.has('yolo') && imageMode === 'reference') {
      warnings.add('yolo-linked', 'YOLO needs images beside its labels: images were linked instead of referenced', 'yolo/images');
    }

    const total = entries.length;
    for (let n = 0; n < total; n++) {
      if (req.progress?.isCancelled()) {
        cancelled = true;
        break;
      }
      const entry = entries[n];
      const split = splitOf.get(entry.path) as string;
      const written = await exportImage(entry, split);
      if (written) {
        imagesWritten++;
        perSplit[split]++;
      }
      req.progress?.report(n + 1, total, entry.path);
    }

    await writes.drain();
    if (!cancelled) {
      for (const [, c] of coco) {
        await c.main.write(c.text.middle());
        await c.anns.close();
        await output.appendTo(c.main, c.temp);
        await c.main.write(c.text.footer());
        await c.main.close();
        await output.rename(c.partial, c.final);
        await output.remove(c.temp);
        files.push(c.final);
      }
      for (const [name, s] of vocLists) {
        await s.close();
        files.push(`voc/ImageSets/Segmentation/${name}.txt`);
      }
      for (const [key, s] of lists) {
        await s.close();
        const [f, split] = key.split('/');
        files.push(`${f === 'mask' ? 'masks' : f}/${split}.txt`);
      }
      await writeSideFiles();
    }
  } finally {
    await writes.settle();
    for (const s of openStreams) await s.close().catch(() => undefined);
    for (const t of tempFiles) await output.remove(t).catch(() => undefined);
  }

  const summary: ExportSummary = {
    images: imagesWritten,
    objects: objectsWritten,
    perSplit,
    formats: [...formats],
    bytesWritten: output.bytesWritten,
    seconds: (now() - started) / 1000,
    cancelled,
    warnings: warnings.list(),
    files,
  };
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
    await output.writeFile('edgeflow-export.json', JSON.stringify(report, null, 2) + '\n');
    files.push('edgeflow-export.json');
  }
  return { ...summary, files, bytesWritten: output.bytesWritten };

  function cancelledSummary(): ExportSummary {
    return { images: 0, objects: 0, perSplit: {}, formats: [...formats], bytesWritten: 0, seconds: (now() - started) / 1000, cancelled: true, warnings: warnings.list(), files: [] };
  }

  /** Export one image to every format; false when it had to be skipped. */
  async function exportImage(entry: ImageEntry, split: string): Promise<boolean> {
    const parsed = readCocoSidecar(await workspace.readText(entry.sidecar), { maskToRegions: maskToPolygons });
    if (!parsed.ok) {
      warnings.add('unreadable-sidecar', 'Sidecars that could not be read were skipped', `${entry.sidecar} (${parsed.error.message})`);
      return false;
    }
    if (!(await workspace.isFile(entry.path))) {
      warnings.add('missing-image', 'Sidecars whose image is missing were skipped', entry.path);
      return false;
    }
    const { width, height } = parsed.value.image;
    const prepared: PreparedObject[] = [];
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
      prepared.push({ object, regions: cleaned.regions, hasHoles: cleaned.regions.some((r) => r.holes.length > 0), raster });
    }
    if (prepared.length === 0) warnings.add('empty-image', 'Images without objects', entry.path);
    const imageId = idOf.get(entry.path) as number;
    const stem = stems.get(entry.path) as string;
    const ext = extensionOf(entry.path);

    if (formats.has('coco')) {
      const c = coco.get(split)!;
      if (imageMode !== 'reference') await writes.add(output.placeImage(entry.path, `coco/images/${entry.path}`, imageMode));
      await c.main.write(c.text.image({ id: imageId, file_name: entry.path, width, height }));
      let chunk = '';
      for (const p of prepared) {
        const segmentation = p.hasHoles
          ? { size: [height, width] as [number, number], counts: countsToString(rasterToCounts(p.raster, width, height)) }
          : p.regions.map((r) => r.outer);
        chunk += c.text.annotation({
          id: annotationId(imageId, p.object.id),
          image_id: imageId,
          category_id: p.object.classId,
          segmentation,
          area: p.raster.area,
          bbox: p.raster.bbox,
          iscrowd: 0,
        });
      }
      if (chunk) await c.anns.write(chunk);
    }

    let classMap: Uint8Array | undefined;
    if (formats.has('voc') || formats.has('mask') || formats.has('pseudo')) {
      classMap = new Uint8Array(width * height);
      for (const p of prepared) {
        // 8-bit masks: a class id above 255 (only possible for ids missing from the labels file) cannot be a pixel value.
        if (p.object.classId > 255) {
          warnings.add('class-id-too-large', 'Objects with class ids above 255 left out of the mask formats', `${entry.path}#${p.object.id}`);
          continue;
        }
        paint(classMap, width, p.raster, p.object.classId);
      }
    }

    if (formats.has('voc') && classMap) {
      const flat = flattenStem(stem);
      const objectMap = new Uint8Array(width * height);
      let index = 0;
      const vocObjects = [];
      for (const p of prepared) {
        if (p.object.classId >= VOC_VOID_INDEX) {
          warnings.add('voc-void-class', `Class ids ${VOC_VOID_INDEX} (VOC's void index) and above: such objects are left out of VOC`, `${entry.path}#${p.object.id}`);
          continue;
        }
        if (index >= VOC_VOID_INDEX - 1) {
          warnings.add('voc-too-many', 'Images with more than 254 objects: the rest are left out of VOC SegmentationObject', entry.path);
          break;
        }
        index++;
        paint(objectMap, width, p.raster, index);
        const box = vocBoxFromPixelBbox(p.raster.bbox, width, height);
        vocObjects.push({ name: categoryById.get(p.object.classId)!.name, ...box, difficult: false });
      }
      let vocClass = classMap;
      if (prepared.some((p) => p.object.classId >= VOC_VOID_INDEX)) {
        vocClass = classMap.slice();
        for (let i = 0; i < vocClass.length; i++) if (vocClass[i] >= VOC_VOID_INDEX) vocClass[i] = 0;
      }
      if (options.vocBoundary > 0) {
        const band = boundaryBand(objectMap, width, height, options.vocBoundary);
        if (vocClass === classMap) vocClass = classMap.slice();
        for (let i = 0; i < band.length; i++) {
          if (band[i]) {
            vocClass[i] = VOC_VOID_INDEX;
            objectMap[i] = VOC_VOID_INDEX;
          }
        }
      }
      await writes.add(output.writeFile(`voc/SegmentationClass/${flat}.png`, encodePng8({ width, height, data: vocClass, palette: vocPal }, codecs.deflate)));
      await writes.add(output.writeFile(`voc/SegmentationObject/${flat}.png`, encodePng8({ width, height, data: objectMap, palette: vocPal }, codecs.deflate)));
      await writes.add(output.writeFile(
        `voc/Annotations/${flat}.xml`,
        writeVocXml({ folder: 'JPEGImages', filename: `${flat}.jpg`, width, height, depth: 3, segmented: true, objects: vocObjects }),
      ));
      if (imageMode !== 'reference') {
        if (JPEG_EXTENSIONS.has(ext)) await writes.add(output.placeImage(entry.path, `voc/JPEGImages/${flat}.jpg`, imageMode));
        else await writes.add(output.writeJpeg(entry.path, `voc/JPEGImages/${flat}.jpg`, options.jpegQuality));
      }
      await vocLists.get(split)!.write(flat + '\n');
      if ((split === 'train' || split === 'val') && vocLists.has('trainval')) await vocLists.get('trainval')!.write(flat + '\n');
    }

    if (formats.has('mask') && classMap) {
      await writes.add(output.writeFile(`masks/${stem}.png`, encodePng8({ width, height, data: classMap }, codecs.deflate)));
      if (options.objectMasks) {
        for (const p of prepared) {
          const m = new Uint8Array(width * height);
          paint(m, width, p.raster, 255);
          await writes.add(output.writeFile(`masks/objects/${stem}/${p.object.id}.png`, encodePng8({ width, height, data: m }, codecs.deflate)));
        }
      }
      await lists.get(`mask/${split}`)?.write(`${stem}.png\n`);
    }

    if (formats.has('pseudo') && classMap) {
      await writes.add(output.writeFile(`pseudo/${stem}.png`, encodePng8({ width, height, data: classMap, palette: pseudoPal }, codecs.deflate)));
      await lists.get(`pseudo/${split}`)?.write(`${stem}.png\n`);
    }

    if (formats.has('yolo')) {
      const lines: string[] = [];
      for (const p of prepared) {
        if (p.hasHoles || p.regions.length > 1) warnings.add('yolo-bridged', 'YOLO: objects with holes or several parts joined into one polygon', `${entry.path}#${p.object.id}`);
        const line = yoloSegLine(yoloIndex.get(p.object.classId)!, p.regions, width, height);
        if (line) lines.push(line);
      }
      await writes.add(output.writeFile(`yolo/labels/${split}/${stem}.txt`, lines.length ? lines.join('\n') + '\n' : ''));
      await writes.add(output.placeImage(entry.path, `yolo/images/${split}/${stem}${ext ? '.' + ext : ''}`, imageMode === 'reference' ? 'link' : imageMode));
    }

    if (formats.has('labelme')) {
      const jsonPath = `labelme/${stem}.json`;
      let imagePath: string;
      if (imageMode === 'reference') {
        imagePath = refFrom(dirnameRelative(jsonPath), entry.path);
      } else {
        const dst = `labelme/${stem}${ext ? '.' + ext : ''}`;
        await writes.add(output.placeImage(entry.path, dst, imageMode));
        imagePath = basenameRelative(dst);
      }
      const shapes: LabelmeShape[] = [];
      for (const p of prepared) {
        const label = categoryById.get(p.object.classId)!.name;
        if (p.hasHoles) {
          const [bx, by, bw, bh] = p.raster.bbox;
          const crop = new Uint8Array(bw * bh);
          const r = p.raster;
          for (let y = 0; y < bh; y++) {
            for (let x = 0; x < bw; x++) crop[y * bw + x] = r.data[(by - r.y0 + y) * r.w + (bx - r.x0 + x)] ? 255 : 0;
          }
          const png = encodePng8({ width: bw, height: bh, data: crop }, codecs.deflate);
          shapes.push(labelmeMaskShape(label, p.raster.bbox, codecs.base64(png)));
        } else {
          shapes.push(...labelmePolygonShapes(label, p.regions, p.object.id));
        }
      }
      await writes.add(output.writeFile(
        jsonPath,
        writeLabelme({ version: LABELME_VERSION, flags: {}, shapes, imagePath, imageData: null, imageHeight: height, imageWidth: width }),
      ));
      await lists.get(`labelme/${split}`)?.write(`${stem}.json\n`);
    }
    objectsWritten += prepared.length;
    return true;
  }

  /** Legends, class lists and data.yaml, written once at the end. */
  async function writeSideFiles(): Promise<void> {
    const legend = categories.map((c) => ({
      value: c.id,
      name: c.name,
      color: c.color ?? toHexColour([pseudoPal[c.id * 3], pseudoPal[c.id * 3 + 1], pseudoPal[c.id * 3 + 2]] as [number, number, number]),
    }));
    if (formats.has('voc')) {
      const lines = ['# label:color_rgb:parts:actions', 'background:0,0,0::'];
      for (const c of categories) {
        if (c.id >= VOC_VOID_INDEX) continue;
        lines.push(`${c.name.replace(/[:\n]/g, '_')}:${vocPal[c.id * 3]},${vocPal[c.id * 3 + 1]},${vocPal[c.id * 3 + 2]}::`);
      }
      await output.writeFile('voc/labelmap.txt', lines.join('\n') + '\n');
      await output.writeFile('voc/class_ids.json', JSON.stringify(categories.map((c) => ({ value: c.id, name: c.name })), null, 2) + '\n');
      files.push('voc/labelmap.txt');
    }
    if (formats.has('mask')) {
      await output.writeFile('masks/legend.json', JSON.stringify({ background: 0, classes: legend.map(({ value, name }) => ({ value, name })) }, null, 2) + '\n');
      files.push('masks/legend.json');
    }
    if (formats.has('pseudo')) {
      await output.writeFile('pseudo/legend.json', JSON.stringify({ background: { value: 0, color: '#000000' }, classes: legend }, null, 2) + '\n');
      await output.writeFile('pseudo/legend.svg', legendSvg(legend));
      files.push('pseudo/legend.json', 'pseudo/legend.svg');
    }
    if (formats.has('yolo')) {
      const dirs = new Map(splitNames.map((s) => [s, `images/${s}`]));
      await output.writeFile('yolo/data.yaml', yoloDataYaml(dirs, categories.map((c) => c.name)));
      files.push('yolo/data.yaml');
    }
  }
}

/** At most `limit` writes in flight; the first failure is rethrown by the next add/drain. */
class WriteQueue {
  private readonly inflight = new Set<Promise<void>>();
  private error: unknown;
  private failed = false;

  constructor(private readonly limit: number) {}

  async add(p: Promise<void>): Promise<void> {
    const tracked: Promise<void> = p.then(
      () => void this.inflight.delete(tracked),
      (e) => {
        if (!this.failed) {
          this.failed = true;
          this.error = e;
        }
        this.inflight.delete(tracked);
      },
    );
    this.inflight.add(tracked);
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.failed) throw this.error;
  }

  /** Wait for everything; rethrow the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failed) throw this.error;
  }

  /** Wait for everything, ignoring failures (cleanup paths). */
  async settle(): Promise<void> {
    await Promise.all(this.inflight);
  }
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function uniqueName(name: string, taken: readonly CocoCategory[]): string {
  let candidate = name;
  let n = 2;
  while (taken.some((c) => c.name === candidate)) candidate = `${name}_${n++}`;
  return candidate;
}

/** Write `value` wherever the object's crop is set. */
function paint(target: Uint8Array, width: number, r: ObjectRaster, value: number): void {
  for (let y = 0; y < r.h; y++) {
    const src = y * r.w;
    const dst = (r.y0 + y) * width + r.x0;
    for (let x = 0; x < r.w; x++) if (r.data[src + x]) target[dst + x] = value;
  }
}

/**
 * The VOC-style boundary band: pixels within `width/2` (Chebyshev distance) of a pixel with a
 * different instance value, so the band straddles every object outline.
 */
export function boundaryBand(objectMap: Uint8Array, width: number, height: number, bandWidth: number): Uint8Array {
  const r = Math.max(1, Math.floor(bandWidth / 2));
  // Separable min and max filters over a (2r+1)^2 window; the band is where they differ.
  const minH = new Uint8Array(width * height);
  const maxH = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let lo = 255, hi = 0;
      const a = Math.max(0, x - r), b = Math.min(width - 1, x + r);
      for (let k = a; k <= b; k++) {
        const v = objectMap[row + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      minH[row + x] = lo;
      maxH[row + x] = hi;
    }
  }
  const band = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let lo = 255, hi = 0;
      const a = Math.max(0, y - r), b = Math.min(height - 1, y + r);
      for (let k = a; k <= b; k++) {
        const i = k * width + x;
        if (minH[i] < lo) lo = minH[i];
        if (maxH[i] > hi) hi = maxH[i];
      }
      if (lo !== hi) band[y * width + x] = 1;
    }
  }
  return band;
}

function escapeSvg(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** A legend image: one swatch and name per class. */
function legendSvg(legend: readonly { value: number; name: string; color: string }[]): string {
  const rowH = 24;
  const rows = [{ value: 0, name: 'background', color: '#000000' }, ...legend];
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="${rows.length * rowH + 8}" font-family="sans-serif" font-size="14">`,
    '  <rect width="100%" height="100%" fill="#ffffff"/>',
  ];
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const rgb = parseHexColour(r.color) ?? [0, 0, 0];
    lines.push(`  <rect x="8" y="${y}" width="32" height="18" fill="${toHexColour(rgb)}" stroke="#444"/>`);
    lines.push(`  <text x="48" y="${y + 14}">${r.value}: ${escapeSvg(r.name)}</text>`);
  });
  lines.push('</svg>');
  return lines.join('\n') + '\n';
}
