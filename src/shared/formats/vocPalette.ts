/**
 * Palettes for indexed mask PNGs.
 *
 * The PASCAL VOC palette is the one from the VOC development kit (`VOClabelcolormap.m`): the bits
 * of the index are spread, three at a time, over the high bits of red, green and blue. Index 0 is
 * black (background), 255 is (224, 224, 192) (the "void" boundary band).
 */

/** The 256-entry VOC palette as 768 bytes, R G B per index. */
export function vocPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    palette[i * 3] = r;
    palette[i * 3 + 1] = g;
    palette[i * 3 + 2] = b;
  }
  return palette;
}

/** The VOC "void" index: boundary bands and pixels to ignore. */
export const VOC_VOID_INDEX = 255;

/** Parse `#rrggbb` or `#rgb` into [r, g, b]; undefined when it is not such a colour. */
export function parseHexColour(colour: string): [number, number, number] | undefined {
  const m6 = /^#?([0-9a-fA-F]{6})$/.exec(colour.trim());
  if (m6) {
    const v = parseInt(m6[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const m3 = /^#?([0-9a-fA-F]{3})$/.exec(colour.trim());
  if (m3) {
    const [r, g, b] = m3[1].split('').map((h) => parseInt(h + h, 16));
    return [r, g, b];
  }
  return undefined;
}

/** `[r, g, b]` as `#rrggbb`. */
export function toHexColour(rgb: readonly [number, number, number]): string {
  return '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/**
 * The pseudo-colour palette: index 0 black; an index with a class colour from the labels file
 * gets that colour; every other index gets its VOC colour, so the palette is fixed for a given
 * labels file and never depends on which images are exported.
 */
export function pseudoColourPalette(classColours: ReadonlyMap<number, string>): Uint8Array {
  const palette = vocPalette();
  for (const [index, colour] of classColours) {
    if (index <= 0 || index > 255) continue;
    const rgb = parseHexColour(colour);
    if (!rgb) continue;
    palette.set(rgb, index * 3);
  }
  return palette;
}
