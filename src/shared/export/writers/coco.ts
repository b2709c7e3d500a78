/**
 * COCO instance segmentation: `coco/annotations/instances_<split>.json`, images under
 * `coco/images/<path>` (copied or linked) or referenced through `info.image_root`. Polygons for
 * plain objects, RLE for objects with holes; `attributes` per annotation as CVAT writes them. Each JSON goes out as a stream; the annotations
 * collect in a temporary file spliced in at the end, so memory does not grow with the images.
 */
import { CocoDatasetText, annotationId } from '../../formats/cocoDataset';
import { countsToString } from '../../formats/rle';
import { rasterToCounts } from '../clean';
import type { OutStream } from '../types';
import { ExportContext, ExportImage, FormatWriter, WrittenFiles, defineFormat } from './types';

interface SplitFile {
  readonly text: CocoDatasetText;
  readonly main: OutStream;
  readonly anns: OutStream;
  readonly partial: string;
  readonly temp: string;
  readonly final: string;
}

class CocoWriter implements FormatWriter {
  private readonly splits = new Map<string, SplitFile>();

  constructor(private readonly ctx: ExportContext) {}

  async begin(): Promise<void> {
    const { ctx } = this;
    const imageRoot = ctx.options.images === 'reference' ? ctx.refFrom('coco', '').replace(/\/$/, '') || '.' : 'images';
    for (const split of ctx.splitNames) {
      const final = `coco/annotations/instances_${split}.json`;
      const partial = `${final}.partial`;
      const temp = `coco/annotations/.instances_${split}.annotations.tmp`;
      const text = new CocoDatasetText();
      const main = await ctx.openTemporary(partial);
      const anns = await ctx.openTemporary(temp);
      await main.write(text.header({ description: 'Exported by EdgeFlow Annotator', version: '1.0', image_root: imageRoot, split }, ctx.categories));
      this.splits.set(split, { text, main, anns, partial, temp, final });
    }
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx } = this;
    const c = this.splits.get(im.split)!;
    if (ctx.options.images !== 'reference') await ctx.queue(ctx.output.placeImage(im.path, `coco/images/${im.path}`, ctx.options.images));
    await c.main.write(c.text.image({ id: im.id, file_name: im.path, width: im.width, height: im.height }));
    let chunk = '';
    for (const p of im.objects) {
      const segmentation = p.hasHoles
        ? { size: [im.height, im.width] as [number, number], counts: countsToString(rasterToCounts(p.raster, im.width, im.height)) }
        : p.regions.map((r) => r.outer);
      chunk += c.text.annotation({
        id: annotationId(im.id, p.object.id),
        image_id: im.id,
        category_id: p.object.classId,
        segmentation,
        area: p.raster.area,
        bbox: p.raster.bbox,
        iscrowd: 0,
        attributes: ctx.attributesOf(p.object),
      });
    }
    if (chunk) await c.anns.write(chunk);
  }

  async end(): Promise<WrittenFiles> {
    const { output } = this.ctx;
    const main: string[] = [];
    for (const [, c] of this.splits) {
      await c.main.write(c.text.middle());
      await c.anns.close();
      await output.appendTo(c.main, c.temp);
      await c.main.write(c.text.footer());
      await c.main.close();
      await output.rename(c.partial, c.final);
      await output.remove(c.temp);
      main.push(c.final);
    }
    return { main };
  }
}

/** COCO instance segmentation JSON per split. */
export const cocoFormat = defineFormat({
  format: 'coco',
  folder: 'coco',
  label: 'COCO',
  description: 'instance segmentation JSON per split (polygons, RLE for holes)',
  create: (context) => new CocoWriter(context),
});
