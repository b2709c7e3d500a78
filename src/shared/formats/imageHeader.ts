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
