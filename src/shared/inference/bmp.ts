/**
 * A BMP decoder, because sharp's libvips has no BMP loader: every DIB header version, 1/4/8-bit
 * palettes (uncompressed, RLE4, RLE8), 16/32-bit with or without bit fields, 24-bit, bottom-up
 * and top-down rows. Output is 8-bit RGB (alpha dropped, like the other decoders).
 */
import type { RgbImage } from './resize';

/** True when `bytes` start like a BMP file. */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** Decodes a BMP file; throws with a specific message on what it cannot read. */
export function decodeBmp(bytes: Uint8Array): RgbImage {
  if (!isBmp(bytes)) throw new Error('not a BMP file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number, rawHeight: number, bpp: number, compression = 0, colorsUsed = 0;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    rawHeight = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
  } else if (headerSize >= 40) {
    width = dv.getInt32(18, true);
    rawHeight = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
  } else {
    throw new Error(`unsupported BMP header size ${headerSize}`);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (!(width > 0 && height > 0) || width * height > 1 << 28) throw new Error(`bad BMP size ${width}x${rawHeight}`);
  // Channel masks: BI_BITFIELDS / BI_ALPHABITFIELDS, in the V4/V5 header or right after a 40-byte one.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3 || compression === 6) {
    const at = 14 + (headerSize >= 52 ? 40 : headerSize);
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
  } else if (compression !== 0 && compression !== 1 && compression !== 2) {
    throw new Error(`unsupported BMP compression ${compression}`);
  }
  const paletteAt = 14 + headerSize + (compression === 3 && headerSize === 40 ? 12 : compression === 6 && headerSize === 40 ? 16 : 0);
  const entry = headerSize === 12 ? 3 : 4;
  const paletteSize = bpp <= 8 ? colorsUsed || 1 << bpp : 0;
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < Math.min(paletteSize, 256); i++) {
    const p = paletteAt + i * entry;
    if (p + 2 >= bytes.length) break;
    palette[i * 3] = bytes[p + 2];
    palette[i * 3 + 1] = bytes[p + 1];
    palette[i * 3 + 2] = bytes[p];
  }
  const out = new Uint8Array(width * height * 3);
  const rowOf = (fileRow: number): number => (topDown ? fileRow : height - 1 - fileRow);
  const put = (row: number, col: number, index: number): void => {
    const o = (row * width + col) * 3;
    out[o] = palette[index * 3];
    out[o + 1] = palette[index * 3 + 1];
    out[o + 2] = palette[index * 3 + 2];
  };

  if (compression === 1 || compression === 2) {
    // RLE8 / RLE4: rows from the bottom; escapes 0 = end of line, 1 = end of bitmap, 2 = delta.
    const rle4 = compression === 2;
    let p = dataOffset, x = 0, y = 0;
    while (p + 1 < bytes.length && y < height) {
      const n = bytes[p], v = bytes[p + 1];
      p += 2;
      if (n > 0) {
        for (let k = 0; k < n && x < width; k++, x++) put(rowOf(y), x, rle4 ? (k & 1 ? v & 15 : v >> 4) : v);
      } else if (v === 0) {
        x = 0;
        y++;
      } else if (v === 1) {
        break;
      } else if (v === 2) {
        x += bytes[p];
        y += bytes[p + 1];
        p += 2;
      } else {
        for (let k = 0; k < v; k++, x++) {
          const b = rle4 ? bytes[p + (k >> 1)] : bytes[p + k];
          if (x < width) put(rowOf(y), x, rle4 ? (k & 1 ? b & 15 : b >> 4) : b);
        }
        const used = rle4 ? (v + 1) >> 1 : v;
        p += used + (used & 1);
      }
    }
    return { width, height, data: out };
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * (height - 1) + Math.ceil((bpp * width) / 8) > bytes.length) throw new Error('truncated BMP pixel data');
  const [mr, mg, mb] = masks.map(maskShift);
  const scale = (v: number, m: { shift: number; max: number }) => (m.max === 0 ? 0 : Math.round((((v >>> m.shift) & m.max) * 255) / m.max));
  for (let fr = 0; fr < height; fr++) {
    const src = dataOffset + fr * stride;
    const row = rowOf(fr);
    let o = row * width * 3;
    switch (bpp) {
      case 1:
      case 4:
      case 8: {
        const perByte = 8 / bpp, mask = (1 << bpp) - 1;
        for (let c = 0; c < width; c++) {
          const b = bytes[src + Math.floor(c / perByte)];
          put(row, c, (b >> (8 - bpp * ((c % perByte) + 1))) & mask);
        }
        break;
      }
      case 24:
        for (let c = 0; c < width; c++, o += 3) {
          const s = src + c * 3;
          out[o] = bytes[s + 2];
          out[o + 1] = bytes[s + 1];
          out[o + 2] = bytes[s];
        }
        break;
      case 16:
        for (let c = 0; c < width; c++, o += 3) {
          const v = dv.getUint16(src + c * 2, true);
          out[o] = scale(v, mr);
          out[o + 1] = scale(v, mg);
          out[o + 2] = scale(v, mb);
        }
        break;
      case 32:
        for (let c = 0; c < width; c++, o += 3) {
          const v = dv.getUint32(src + c * 4, true);
          out[o] = scale(v, mr);
          out[o + 1] = scale(v, mg);
          out[o + 2] = scale(v, mb);
        }
        break;
      default:
        throw new Error(`unsupported BMP bit depth ${bpp}`);
    }
  }
  return { width, height, data: out };
}
