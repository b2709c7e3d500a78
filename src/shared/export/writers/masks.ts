/**
 * Grayscale class-id masks: `masks/<stem>.png` (pixel value = class id, 0 = background),
 * optionally `masks/objects/<stem>/<object id>.png` (binary, 255 = the object), per-split lists
 * `masks/<split>.txt`, and `masks/legend.json`.
 */
import { encodePng8 } from '../png';
import { paint } from './raster';
import { SplitLists } from './splitLists';
import { ExportContext, ExportImage, FormatWriter, WrittenFiles, defineFormat } from './types';

class MaskWriter implements FormatWriter {
  private lists?: SplitLists;

  constructor(private readonly ctx: ExportContext) {}

  async begin(): Promise<void> {
    this.lists = await SplitLists.open(this.ctx, 'masks');
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx } = this;
    const { width, height, stem } = im;
    const { deflate } = ctx.codecs;
    await ctx.queue(ctx.output.writeFile(`masks/${stem}.png`, encodePng8({ width, height, data: im.classMap() }, deflate)));
    if (ctx.options.objectMasks) {
      for (const p of im.objects) {
        const m = new Uint8Array(width * height);
        paint(m, width, p.raster, 255);
        await ctx.queue(ctx.output.writeFile(`masks/objects/${stem}/${p.object.id}.png`, encodePng8({ width, height, data: m }, deflate)));
      }
    }
    await this.lists!.add(im.split, `${stem}.png`);
  }

  async end(): Promise<WrittenFiles> {
    const main = await this.lists!.close();
    const classes = this.ctx.categories.map((c) => ({ value: c.id, name: c.name }));
    await this.ctx.output.writeFile('masks/legend.json', JSON.stringify({ background: 0, classes }, null, 2) + '\n');
    return { main, side: ['masks/legend.json'] };
  }
}

/** Grayscale class-id PNGs. */
export const maskFormat = defineFormat({
  format: 'mask',
  folder: 'masks',
  aliases: ['masks'],
  label: 'Masks',
  description: 'grayscale class-id PNGs (optionally one binary mask per object)',
  create: (context) => new MaskWriter(context),
});
