/**
 * Image sizes read straight from file headers: for BMP, which the browser draws natively but sharp
 * (libvips without ImageMagick) cannot open, and as a fallback for PNG, JPEG and WebP when sharp
 * cannot be loaded at all.
 */

/** Width and height of a BMP file (any DIB header version), or undefined if `bytes` is not one. */
export function readBmpSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dib = v.getUint32(14, true);
  let width: number;
  let height: number;
  if (dib === 12) {
    // BITMAPCOREHEADER (OS/2 1.x): 16-bit unsigned sizes.
    width = v.getUint16(18, true);
    height = v.getUint16(20, true);
  } else if (dib >= 40 && bytes.length >= 26) {
    // BITMAPINFOHEADER and later: signed 32-bit; a negative height means top-down rows.
    width = v.getInt32(18, true);
    height = Math.abs(v.getInt32(22, true));
  } else {
    return undefined;
  }
  if (width <= 0 || height <= 0) return undefined;
  return { width, height };
}

/** Width and height of a PNG (from IHDR), or undefined. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return undefined;
  const width = v.getUint32(16);
  const height = v.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * Width and height of a JPEG from its first SOF marker, or undefined. EXIF orientation is NOT
 * applied (callers that can should prefer a decoder that reads it).
 */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return undefined;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2; // markers without a length
      continue;
    }
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    if (len < 2) return undefined;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (p + 9 > bytes.length) return undefined;
      const height = (bytes[p + 5] << 8) | bytes[p + 6];
      const width = (bytes[p + 7] << 8) | bytes[p + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // image data before any SOF
    p += 2 + len;
  }
  return undefined;
}

/** Width and height of a WebP (lossy VP8, lossless VP8L or extended VP8X), or undefined. */
export function readWebpSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const tag = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.length < 30 || tag(0) !== 'RIFF' || tag(8) !== 'WEBP') return undefined;
  const chunk = tag(12);
  const b = (o: number) => bytes[o];
  let width: number;
  let height: number;
  if (chunk === 'VP8 ') {
    width = ((b(27) << 8) | b(26)) & 0x3fff;
    height = ((b(29) << 8) | b(28)) & 0x3fff;
  } else if (chunk === 'VP8L') {
    const bits = b(21) | (b(22) << 8) | (b(23) << 16) | (b(24) << 24);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8X') {
    width = (b(24) | (b(25) << 8) | (b(26) << 16)) + 1;
    height = (b(27) | (b(28) << 8) | (b(29) << 16)) + 1;
  } else {
    return undefined;
  }
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Size from the header of a PNG, JPEG, WebP or BMP file, whichever `bytes` is; undefined otherwise. */
export function readImageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  return readPngSize(bytes) ?? readJpegSize(bytes) ?? readWebpSize(bytes) ?? readBmpSize(bytes);
}

/** Image container formats recognised from their first bytes. */
export type SniffedFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff' | 'bmp' | 'heif' | 'svg';

/**
 * The format `head` (the file's first 32 bytes or more) starts like, whatever the file is named;
 * undefined for anything that is not an image container we know. SVG/XML is recognised only to
 * refuse it with a precise message.
 */
export function sniffImageFormat(head: Uint8Array): SniffedFormat | undefined {
  const at = (o: number, ...b: number[]) => head.length >= o + b.length && b.every((x, i) => head[o + i] === x);
  const ascii = (o: number, s: string) => at(o, ...[...s].map((c) => c.charCodeAt(0)));
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return 'tiff';
  if (readBmpSize(head.length >= 26 ? head : new Uint8Array(0)) || (at(0, 0x42, 0x4d) && head.length < 26)) return 'bmp';
  if (ascii(4, 'ftyp') && /^(heic|heix|hevc|mif1|msf1|avif|avis)$/.test(String.fromCharCode(...head.subarray(8, 12)))) return 'heif';
  // Text that opens like XML or SVG (after an optional BOM and whitespace).
  const text = String.fromCharCode(...head.subarray(0, Math.min(head.length, 512))).replace(/^\xef\xbb\xbf/, '').trimStart();
  if (text.startsWith('<') && /<svg[\s>]/i.test(text)) return 'svg';
  return undefined;
}

/** Where a PNG's chunk structure first goes wrong, or undefined when it is whole. */
export type PngStructureProblem = { kind: 'truncated' | 'corrupt'; detail: string };

/**
 * Walks a PNG's chunks (lengths, types, the IHDR checksum, the IEND terminator) without
 * inflating anything: finds files cut short and mangled headers cheaply. `read(pos, len)` returns
 * the bytes at `pos` (fewer at the end of the file); `size` is the file size.
 */
export async function checkPngStructure(
  read: (pos: number, len: number) => Promise<Uint8Array> | Uint8Array,
  size: number,
  crc32: (bytes: Uint8Array) => number,
): Promise<PngStructureProblem | undefined> {
  let pos = 8;
  let first = true;
  let sawData = false;
  while (pos + 12 <= size) {
    const h = await read(pos, 8);
    if (h.length < 8) break;
    const len = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
    const type = String.fromCharCode(h[4], h[5], h[6], h[7]);
    if (!/^[A-Za-z]{4}$/.test(type) || len > 0x7fffffff) return { kind: 'corrupt', detail: `bad chunk at byte ${pos}` };
    if (first) {
      if (type !== 'IHDR' || len !== 13) return { kind: 'corrupt', detail: 'the first chunk is not a valid IHDR' };
      const body = await read(pos + 4, 4 + 13 + 4);
      if (body.length < 21) return { kind: 'truncated', detail: 'the file ends inside its header' };
      const want = ((body[17] << 24) | (body[18] << 16) | (body[19] << 8) | body[20]) >>> 0;
      if ((crc32(body.subarray(0, 17)) >>> 0) !== want) return { kind: 'corrupt', detail: 'the header checksum is wrong' };
      first = false;
    }
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') return sawData ? undefined : { kind: 'corrupt', detail: 'there is no image data' };
    pos += 12 + len;
  }
  return first ? { kind: 'corrupt', detail: 'there is no header' } : { kind: 'truncated', detail: 'the file ends before the image data is complete' };
}
