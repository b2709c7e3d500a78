import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../../src/extension/inference/decode';
import { decodeBmp, isBmp } from '../../../src/shared/inference/bmp';
import { goldenPath, inputPath } from '../helpers/golden';

/** A BMP file with a 40-byte header: `pixelData` rows as stored, optional palette / masks. */
function bmp(w: number, h: number, bpp: number, compression: number, pixelData: number[], extra: number[] = []): Uint8Array {
  const offset = 54 + extra.length;
  const b = Buffer.alloc(offset + pixelData.length);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  b.writeUInt32LE(compression, 30);
  b.writeUInt32LE(pixelData.length, 34);
  Buffer.from(extra).copy(b, 54);
  Buffer.from(pixelData).copy(b, offset);
  return new Uint8Array(b);
}

describe('BMP decoding (libvips has no BMP loader)', () => {
  const expected = JSON.parse(readFileSync(goldenPath('inference/bmp.json'), 'utf8')) as Record<string, { width: number; height: number; rgb: number[] }>;
  for (const [name, e] of Object.entries(expected)) {
    it(`decodes ${name} like PIL`, () => {
      const bytes = new Uint8Array(readFileSync(inputPath(`bmp/${name}`)));
      assert.ok(isBmp(bytes));
      const img = decodeBmp(bytes);
      assert.deepEqual([img.width, img.height], [e.width, e.height]);
      assert.deepEqual([...img.data], e.rgb);
    });
  }

  it('decodes RLE8 (runs, absolute runs, end of line) bottom-up', () => {
    // 4x2, palette 0 black, 1 red, 2 green. Bottom row: 4 x red. Top row: absolute [2, 1, 2] then 1 x black.
    const palette = [0, 0, 0, 0, 0, 0, 255, 0, 0, 255, 0, 0];
    const data = [4, 1, 0, 0, 0, 3, 2, 1, 2, 0, 1, 0, 0, 1];
    const img = decodeBmp(bmp(4, 2, 8, 1, data, palette));
    assert.deepEqual([...img.data], [0, 255, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, ...Array(4).fill([255, 0, 0]).flat()]);
  });

  it('decodes 16-bit 565 bit fields and 4-bit palettes', () => {
    const masks = [0x00, 0xf8, 0, 0, 0xe0, 0x07, 0, 0, 0x1f, 0, 0, 0];
    // One pixel per row, row padded to 4 bytes: pure red (0xf800), then pure blue (0x001f) on top.
    const img = decodeBmp(bmp(1, 2, 16, 3, [0x00, 0xf8, 0, 0, 0x1f, 0x00, 0, 0], masks));
    assert.deepEqual([...img.data], [0, 0, 255, 255, 0, 0]);
    const pal = [0, 0, 0, 0, 0, 255, 0, 0];
    const four = decodeBmp(bmp(3, 1, 4, 0, [0x10, 0x10, 0, 0], pal));
    assert.deepEqual([...four.data], [0, 255, 0, 0, 0, 0, 0, 255, 0]);
  });

  it('is what the predictor decodes BMP files with (path or bytes)', async () => {
    const e = expected['pal8.bmp'];
    const fromPath = await decodeImage(inputPath('bmp/pal8.bmp'));
    assert.deepEqual([fromPath.width, fromPath.height, [...fromPath.data]], [e.width, e.height, e.rgb]);
    const fromBytes = await decodeImage(readFileSync(inputPath('bmp/pal8.bmp')));
    assert.deepEqual([...fromBytes.data], e.rgb);
  });

  it('rejects what it cannot read with a specific message', () => {
    assert.throws(() => decodeBmp(new Uint8Array([1, 2, 3])), /not a BMP/);
    assert.throws(() => decodeBmp(bmp(4, 4, 24, 0, [1, 2, 3])), /truncated/);
    assert.throws(() => decodeBmp(bmp(1, 1, 24, 4, [0, 0, 0, 0])), /compression 4/);
  });
});
