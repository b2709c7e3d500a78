/**
 * YOLO segmentation (Ultralytics layout): `yolo/labels/<split>/<stem>.txt` with one normalised
 * polygon per object, images beside them under `yolo/images/<split>/` (linked when the export
 * only references images, since YOLO finds images by that layout), and `yolo/data.yaml`.
 */
import { yoloDataYaml, yoloSegLine } from '../../formats/yolo';
import { ExportContext, ExportImage, FormatWriter, WrittenFiles, defineFormat } from './types';

class YoloWriter implements FormatWriter {
  /** Class id -> YOLO class index (the position among the categories). */
  private readonly index: ReadonlyMap<number, number>;

  constructor(private readonly ctx: ExportContext) {
    this.index = new Map(ctx.categories.map((c, i) => [c.id, i]));
  }

  async begin(): Promise<void> {
    if (this.ctx.options.images === 'reference') {
      this.ctx.warnings.add('yolo-linked', 'YOLO needs images beside its labels: images were linked instead of referenced', 'yolo/images');
    }
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx } = this;
    const lines: string[] = [];
    for (const p of im.objects) {
      if (p.hasHoles || p.regions.length > 1) ctx.warnings.add('yolo-bridged', 'YOLO: objects with holes or several parts joined into one polygon', `${im.path}#${p.object.id}`);
      const line = yoloSegLine(this.index.get(p.object.classId)!, p.regions, im.width, im.height);
      if (line) lines.push(line);
    }
    await ctx.queue(ctx.output.writeFile(`yolo/labels/${im.split}/${im.stem}.txt`, lines.length ? lines.join('\n') + '\n' : ''));
    const mode = ctx.options.images === 'reference' ? 'link' : ctx.options.images;
    await ctx.queue(ctx.output.placeImage(im.path, `yolo/images/${im.split}/${im.stem}${im.ext ? '.' + im.ext : ''}`, mode));
  }

  async end(): Promise<WrittenFiles> {
    const dirs = new Map(this.ctx.splitNames.map((s) => [s, `images/${s}`]));
    await this.ctx.output.writeFile('yolo/data.yaml', yoloDataYaml(dirs, this.ctx.categories.map((c) => c.name)));
    return { main: [], side: ['yolo/data.yaml'] };
  }
}

/** YOLO segmentation labels. */
export const yoloFormat = defineFormat({
  format: 'yolo',
  folder: 'yolo',
  aliases: ['yolo-seg'],
  label: 'YOLO-seg',
  description: 'labels/*.txt with normalised polygons and data.yaml',
  create: (context) => new YoloWriter(context),
});
