/**
 * PASCAL VOC segmentation, with flat names (`<flat>` is the stem with '/' as '__'):
 * `voc/SegmentationClass/<flat>.png` and `voc/SegmentationObject/<flat>.png` (palette PNGs),
 * `voc/Annotations/<flat>.xml`, `voc/JPEGImages/<flat>.jpg` (unless images are only referenced),
 * `voc/ImageSets/Segmentation/<split>.txt` (and `trainval.txt`), `voc/labelmap.txt`.
 * Index 255 is VOC's "void": classes 255 and above are left out, and an optional band of it
 * runs along object outlines.
 */
import { vocBoxFromPixelBbox, writeVocXml } from '../../formats/voc';
import { VOC_VOID_INDEX, vocPalette } from '../../formats/vocPalette';
import { flattenStem } from '../paths';
import { encodePng8 } from '../png';
import type { OutStream } from '../types';
import { boundaryBand, paint } from './raster';
import { ExportContext, ExportImage, FormatWriter, WrittenFiles, defineFormat } from './types';

const JPEG_EXTENSIONS = new Set(['jpg', 'jpeg']);
const LISTS = 'voc/ImageSets/Segmentation';

class VocWriter implements FormatWriter {
  private readonly lists = new Map<string, OutStream>();
  private readonly palette = vocPalette();

  constructor(private readonly ctx: ExportContext) {}

  async begin(): Promise<void> {
    const { ctx } = this;
    for (const split of ctx.splitNames) this.lists.set(split, await ctx.open(`${LISTS}/${split}.txt`));
    if (ctx.splitNames.includes('train') && ctx.splitNames.includes('val')) this.lists.set('trainval', await ctx.open(`${LISTS}/trainval.txt`));
    if (ctx.options.images === 'reference') {
      ctx.warnings.add('voc-no-images', 'VOC JPEGImages/ left empty because images are only referenced', 'voc/JPEGImages');
    }
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx, palette } = this;
    const { width, height } = im;
    const classMap = im.classMap();
    const flat = flattenStem(im.stem);
    const objectMap = new Uint8Array(width * height);
    let index = 0;
    const vocObjects = [];
    for (const p of im.objects) {
      if (p.object.classId >= VOC_VOID_INDEX) {
        ctx.warnings.add('voc-void-class', `Class ids ${VOC_VOID_INDEX} (VOC's void index) and above: such objects are left out of VOC`, `${im.path}#${p.object.id}`);
        continue;
      }
      if (index >= VOC_VOID_INDEX - 1) {
        ctx.warnings.add('voc-too-many', 'Images with more than 254 objects: the rest are left out of VOC SegmentationObject', im.path);
        break;
      }
      index++;
      paint(objectMap, width, p.raster, index);
      const box = vocBoxFromPixelBbox(p.raster.bbox, width, height);
      vocObjects.push({ name: ctx.categoryById.get(p.object.classId)!.name, ...box, difficult: false });
    }
    let vocClass = classMap;
    if (im.objects.some((p) => p.object.classId >= VOC_VOID_INDEX)) {
      vocClass = classMap.slice();
      for (let i = 0; i < vocClass.length; i++) if (vocClass[i] >= VOC_VOID_INDEX) vocClass[i] = 0;
    }
    if (ctx.options.vocBoundary > 0) {
      const band = boundaryBand(objectMap, width, height, ctx.options.vocBoundary);
      if (vocClass === classMap) vocClass = classMap.slice();
      for (let i = 0; i < band.length; i++) {
        if (band[i]) {
          vocClass[i] = VOC_VOID_INDEX;
          objectMap[i] = VOC_VOID_INDEX;
        }
      }
    }
    const { deflate } = ctx.codecs;
    await ctx.queue(ctx.output.writeFile(`voc/SegmentationClass/${flat}.png`, encodePng8({ width, height, data: vocClass, palette }, deflate)));
    await ctx.queue(ctx.output.writeFile(`voc/SegmentationObject/${flat}.png`, encodePng8({ width, height, data: objectMap, palette }, deflate)));
    await ctx.queue(ctx.output.writeFile(
      `voc/Annotations/${flat}.xml`,
      writeVocXml({ folder: 'JPEGImages', filename: `${flat}.jpg`, width, height, depth: 3, segmented: true, objects: vocObjects }),
    ));
    const mode = ctx.options.images;
    if (mode !== 'reference') {
      if (JPEG_EXTENSIONS.has(im.ext)) await ctx.queue(ctx.output.placeImage(im.path, `voc/JPEGImages/${flat}.jpg`, mode));
      else await ctx.queue(ctx.output.writeJpeg(im.path, `voc/JPEGImages/${flat}.jpg`, ctx.options.jpegQuality));
    }
    await this.lists.get(im.split)!.write(flat + '\n');
    if ((im.split === 'train' || im.split === 'val') && this.lists.has('trainval')) await this.lists.get('trainval')!.write(flat + '\n');
  }

  async end(): Promise<WrittenFiles> {
    const { ctx, palette } = this;
    const main: string[] = [];
    for (const [name, s] of this.lists) {
      await s.close();
      main.push(`${LISTS}/${name}.txt`);
    }
    const lines = ['# label:color_rgb:parts:actions', 'background:0,0,0::'];
    for (const c of ctx.categories) {
      if (c.id >= VOC_VOID_INDEX) continue;
      lines.push(`${c.name.replace(/[:\n]/g, '_')}:${palette[c.id * 3]},${palette[c.id * 3 + 1]},${palette[c.id * 3 + 2]}::`);
    }
    await ctx.output.writeFile('voc/labelmap.txt', lines.join('\n') + '\n');
    await ctx.output.writeFile('voc/class_ids.json', JSON.stringify(ctx.categories.map((c) => ({ value: c.id, name: c.name })), null, 2) + '\n');
    return { main, side: ['voc/labelmap.txt'] };
  }
}

/** PASCAL VOC segmentation. */
export const vocFormat = defineFormat({
  format: 'voc',
  folder: 'voc',
  label: 'PASCAL VOC',
  description: 'JPEGImages, SegmentationClass/Object palette PNGs, Annotations XML, ImageSets',
  create: (context) => new VocWriter(context),
});
