/**
 * Pseudo-colour masks: `pseudo/<stem>.png`, palette PNGs whose colours are the class colours
 * (index = class id), per-split lists `pseudo/<split>.txt`, and a legend
 * (`pseudo/legend.json`, `pseudo/legend.svg`).
 */
import { parseHexColour, pseudoColourPalette, toHexColour } from '../../formats/vocPalette';
import { encodePng8 } from '../png';
import { SplitLists } from './splitLists';
import { ExportContext, ExportImage, FormatWriter, WrittenFiles, defineFormat } from './types';

interface LegendEntry {
  readonly value: number;
  readonly name: string;
  readonly color: string;
}

class PseudoWriter implements FormatWriter {
  private lists?: SplitLists;
  private readonly palette: Uint8Array;

  constructor(private readonly ctx: ExportContext) {
    this.palette = pseudoColourPalette(new Map(ctx.categories.filter((c) => c.color).map((c) => [c.id, c.color as string])));
  }

  async begin(): Promise<void> {
    this.lists = await SplitLists.open(this.ctx, 'pseudo');
  }

  async image(im: ExportImage): Promise<void> {
    const { ctx } = this;
    const png = encodePng8({ width: im.width, height: im.height, data: im.classMap(), palette: this.palette }, ctx.codecs.deflate);
    await ctx.queue(ctx.output.writeFile(`pseudo/${im.stem}.png`, png));
    await this.lists!.add(im.split, `${im.stem}.png`);
  }

  async end(): Promise<WrittenFiles> {
    const main = await this.lists!.close();
    const pal = this.palette;
    const legend: LegendEntry[] = this.ctx.categories.map((c) => ({
      value: c.id,
      name: c.name,
      color: c.color ?? toHexColour([pal[c.id * 3], pal[c.id * 3 + 1], pal[c.id * 3 + 2]] as [number, number, number]),
    }));
    await this.ctx.output.writeFile('pseudo/legend.json', JSON.stringify({ background: { value: 0, color: '#000000' }, classes: legend }, null, 2) + '\n');
    await this.ctx.output.writeFile('pseudo/legend.svg', legendSvg(legend));
    return { main, side: ['pseudo/legend.json', 'pseudo/legend.svg'] };
  }
}

function escapeSvg(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** A legend image: one swatch and name per class. */
function legendSvg(legend: readonly LegendEntry[]): string {
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

/** Colour PNGs in the class colours. */
export const pseudoFormat = defineFormat({
  format: 'pseudo',
  folder: 'pseudo',
  label: 'Pseudo-colour',
  description: 'colour PNGs in the class colours, with a legend',
  create: (context) => new PseudoWriter(context),
});
