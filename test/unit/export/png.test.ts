import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32, decodePng, encodePng8 } from '../../../src/shared/export/png';
import { vocPalette } from '../../../src/shared/formats/vocPalette';

const deflate = (d: Uint8Array) => zlib.deflateSync(d);
const inflate = (d: Uint8Array) => zlib.inflateSync(d);

/** A PNG built by hand from raw (already filtered) scanlines. */
function handPng(width: number, height: number, bitDepth: number, colorType: number, raw: number[], palette?: number[]): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    Buffer.from(data).copy(b, 8);
    b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr)];
  if (palette) parts.push(chunk('PLTE', Uint8Array.from(palette)));
  parts.push(chunk('IDAT', zlib.deflateSync(Uint8Array.from(raw))), chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(parts));
}

describe('PNG writer and reader', () => {
  it('computes the PNG CRC-32 (the IEND chunk CRC is AE426082)', () => {
    assert.equal(crc32(Buffer.from('IEND', 'latin1')), 0xae426082);
    assert.equal(crc32(Buffer.from('123456789', 'latin1')), 0xcbf43926);
  });

  it('round-trips palette and grayscale images', () => {
    const data = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) & 0xff);
    const pal = vocPalette();
    const p = decodePng(encodePng8({ width: 7, height: 5, data, palette: pal }, deflate), inflate);
    assert.equal(p.colorType, 3);
    assert.deepEqual(p.data, data);
    assert.deepEqual(p.palette, pal);
    const g = decodePng(encodePng8({ width: 7, height: 5, data }, deflate), inflate);
    assert.equal(g.colorType, 0);
    assert.deepEqual(g.data, data);
  });

  it('libpng (through sharp) reads what we write: grey and palette PNGs of odd and 1-pixel sizes, every sample value', async () => {
    const shortPalette = Uint8Array.from([0, 0, 0, 200, 10, 30, 5, 250, 128]);
    for (const [width, height] of [[1, 1], [1, 7], [7, 1], [13, 5], [300, 2]]) {
      const n = width * height;
      // Every value 0..255 where there is room, in an order that differs from row to row.
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 97 + Math.floor(i / width) * 31) & 0xff);
      const g = encodePng8({ width, height, data }, deflate);
      const gMeta = await sharp(g).metadata();
      assert.deepEqual([gMeta.width, gMeta.height, gMeta.channels, gMeta.space, gMeta.isPalette], [width, height, 1, 'b-w', false], `grey ${width}x${height}`);
      assert.deepEqual(new Uint8Array(await sharp(g).toColourspace('b-w').raw().toBuffer()), data, `grey ${width}x${height}`);
      for (const palette of [vocPalette(), shortPalette]) {
        const entries = palette.length / 3;
        const indices = data.map((v) => v % entries);
        const p = encodePng8({ width, height, data: indices, palette }, deflate);
        const pMeta = await sharp(p).metadata();
        assert.deepEqual([pMeta.width, pMeta.height, pMeta.isPalette], [width, height, true], `palette of ${entries}, ${width}x${height}`);
        const rgb = new Uint8Array(await sharp(p).toColourspace('srgb').raw().toBuffer());
        const expected = new Uint8Array(n * 3);
        indices.forEach((k, i) => expected.set(palette.subarray(k * 3, k * 3 + 3), i * 3));
        assert.deepEqual(rgb, expected, `palette of ${entries}, ${width}x${height}`);
      }
    }
  });

  it('undoes every filter type', () => {
    // 3x5 gray, one row per filter: None, Sub, Up, Average, Paeth. By hand: Average row
    // 4+floor((0+6)/2)=7, 4+floor((7+11)/2)=13, 4+floor((13+16)/2)=18; Paeth row picks the
    // upper neighbour each time: 1+7, 1+13, 1+18.
    const raw = [0, 10, 20, 30, 1, 5, 5, 5, 2, 1, 1, 1, 3, 4, 4, 4, 4, 1, 1, 1];
    const p = decodePng(handPng(3, 5, 8, 0, raw), inflate);
    assert.deepEqual([...p.data], [10, 20, 30, 5, 10, 15, 6, 11, 16, 7, 13, 18, 8, 14, 19]);
  });

  it('reads 1-bit palette and 2-bit gray images', () => {
    const pal = decodePng(handPng(10, 1, 1, 3, [0, 0b10110000, 0b01000000], [0, 0, 0, 255, 255, 255]), inflate);
    assert.deepEqual([...pal.data], [1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
    const gray = decodePng(handPng(4, 1, 2, 0, [0, 0b00011011]), inflate);
    assert.deepEqual([...gray.data], [0, 85, 170, 255]);
  });

  it('rejects broken files with a reason', () => {
    assert.throws(() => decodePng(new Uint8Array(10), inflate), /not a PNG/);
    const good = encodePng8({ width: 2, height: 2, data: new Uint8Array(4) }, deflate);
    assert.throws(() => decodePng(good.subarray(0, 30), inflate), /truncated|no image data/);
    assert.throws(() => encodePng8({ width: 2, height: 2, data: new Uint8Array(3) }, deflate), /samples/);
  });
});
