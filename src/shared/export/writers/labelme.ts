/**
 * labelme: `labelme/<stem>.json` per image (no embedded image data), the image beside it
 * (copied or linked) or referenced by a relative `imagePath`, and per-split lists
 * `labelme/<split>.txt`. Objects with holes become mask shapes, others one polygon per part;
 * attributes go into each shape's `flags` (booleans) and `attributes` (strings), see formats/labelme.ts.
 */
import { LABELME_VERSION, LabelmeShape, labelmeMaskShape, labelmePolygonShapes, writeLabelme } from '../../formats/labelme';
import { basenameRelative, dirnameRelative } from '../paths';
import { encodePng8 } from '../png';
import { SplitLists } from './splitLists';
import { ExportContext, ExportImage, FormatWriter, PreparedObject, WrittenFiles, defineFormat } from './types';

class LabelmeWriter implements FormatWriter {
  private lists?: SplitLists;

  constructor(private readonly ctx: ExportContext) {}

  async begin(): Promise<void> {
    this.lists = await SplitLists.open(this.ctx, 'labelme');
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx } = this;
    const jsonPath = `labelme/${im.stem}.json`;
    let imagePath: string;
    const mode = ctx.options.images;
    if (mode === 'reference') {
      imagePath = ctx.refFrom(dirnameRelative(jsonPath), im.path);
    } else {
      const dst = `labelme/${im.stem}${im.ext ? '.' + im.ext : ''}`;
      await ctx.queue(ctx.output.placeImage(im.path, dst, mode));
      imagePath = basenameRelative(dst);
    }
    const shapes: LabelmeShape[] = [];
    for (const p of im.objects) {
      const label = ctx.categoryById.get(p.object.classId)!.name;
      const attributes = ctx.attributesOf(p.object);
      if (p.hasHoles) shapes.push(labelmeMaskShape(label, p.raster.bbox, ctx.codecs.base64(this.cropPng(p)), attributes));
      else shapes.push(...labelmePolygonShapes(label, p.regions, p.object.id, attributes));
    }
    await ctx.queue(ctx.output.writeFile(
      jsonPath,
      writeLabelme({ version: LABELME_VERSION, flags: {}, shapes, imagePath, imageData: null, imageHeight: im.height, imageWidth: im.width }),
    ));
    await this.lists!.add(im.split, `${im.stem}.json`);
  }

  /** The object's mask over its box, as a binary PNG (labelme's mask shape). */
  private cropPng(p: PreparedObject): Uint8Array {
    const [bx, by, bw, bh] = p.raster.bbox;
    const crop = new Uint8Array(bw * bh);
    const r = p.raster;
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) crop[y * bw + x] = r.data[(by - r.y0 + y) * r.w + (bx - r.x0 + x)] ? 255 : 0;
    }
    return encodePng8({ width: bw, height: bh, data: crop }, this.ctx.codecs.deflate);
  }

  async end(): Promise<WrittenFiles> {
    return { main: await this.lists!.close() };
  }
}

/** labelme JSON per image. */
export const labelmeFormat = defineFormat({
  format: 'labelme',
  folder: 'labelme',
  label: 'labelme',
  description: 'one JSON per image, no embedded image data',
  create: (context) => new LabelmeWriter(context),
});
