/**
 * Image sizes read straight from file headers, for formats the browser draws natively but sharp
 * (libvips without ImageMagick) cannot open: BMP.
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
