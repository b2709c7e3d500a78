/**
 * Minimal PNG encoder and decoder for masks: 8-bit grayscale and 8-bit palette images (the
 * formats of class-id masks and VOC segmentation PNGs), plus decoding of the other non-interlaced
 * PNG kinds a mask may come in. Compression is injected (`deflate`/`inflate`, zlib streams), so
 * this module stays runtime-neutral; the extension and the CLI pass node:zlib.
 */

/** zlib-wrapped deflate (RFC 1950), e.g. node's `zlib.deflateSync`. */
export type DeflateFn = (data: Uint8Array) => Uint8Array;
/** zlib-wrapped inflate (RFC 1950), e.g. node's `zlib.inflateSync`. */
export type InflateFn = (data: Uint8Array) => Uint8Array;

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG uses it) of `data`, continuing from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An 8-bit single-channel image, row-major. */
export interface Png8 {
  readonly width: number;
  readonly height: number;
  /** width*height samples. */
  readonly data: Uint8Array;
  /** RGB triples: present = a palette PNG (colour type 3), absent = grayscale (colour type 0). */
  readonly palette?: Uint8Array;
}

/**
 * Encode an 8-bit grayscale or palette PNG. Rows use filter 0 (None): mask rows are long runs of
 * equal values, which deflate handles best unfiltered (PNG spec 12.8 recommends None for palette
 * images).
 */
export function encodePng8(image: Png8, deflate: DeflateFn): Uint8Array {
  const { width, height, data, palette } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`PNG size must be positive integers, not ${width}x${height}`);
  }
  if (data.length !== width * height) throw new Error(`PNG data holds ${data.length} samples, expected ${width * height}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = palette ? 3 : 0;
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', ihdr)];
  if (palette) {
    if (palette.length % 3 !== 0 || palette.length === 0 || palette.length > 768) {
      throw new Error('PNG palette must hold 1..256 RGB triples');
    }
    parts.push(chunk('PLTE', palette));
  }
  parts.push(chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}

/** A decoded PNG: samples expanded to 8 bits, `channels` per pixel (1 gray/index, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly colorType: 0 | 2 | 3 | 4 | 6;
  readonly channels: 1 | 2 | 3 | 4;
  /** width*height*channels samples; for palette images the palette indices. */
  readonly data: Uint8Array;
  readonly palette?: Uint8Array;
}

const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Largest image decodePng accepts (pixels), so a hostile header cannot exhaust memory. */
export const PNG_MAX_PIXELS = 1 << 28;

/**
 * Decode a non-interlaced PNG of bit depth 1, 2, 4 or 8 (16-bit samples keep their high byte).
 * Palette images keep their indices (not the colours), which is what a segmentation PNG means.
 * Throws with a specific message on anything it cannot read.
 */
export function decodePng(bytes: Uint8Array, inflate: InflateFn): DecodedPng {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new Error('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const start = pos + 8;
    if (start + len + 4 > bytes.length) throw new Error(`PNG chunk ${type} is truncated`);
    const body = bytes.subarray(start, start + len);
    if (type === 'IHDR') {
      if (len !== 13) throw new Error('PNG IHDR has the wrong length');
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
      bitDepth = bytes[start + 8];
      colorType = bytes[start + 9];
      if (bytes[start + 12] !== 0) throw new Error('interlaced PNGs are not supported for masks');
    } else if (type === 'PLTE') {
      palette = body.slice();
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    pos = start + len + 4;
  }
  const channels = CHANNELS[colorType];
  if (!channels) throw new Error(`PNG colour type ${colorType} is not supported`);
  if (![1, 2, 4, 8, 16].includes(bitDepth) || (bitDepth < 8 && colorType !== 0 && colorType !== 3)) {
    throw new Error(`PNG bit depth ${bitDepth} is not valid for colour type ${colorType}`);
  }
  if (width < 1 || height < 1 || width * height > PNG_MAX_PIXELS) throw new Error(`PNG size ${width}x${height} is not supported`);
  if (colorType === 3 && !palette) throw new Error('palette PNG without a PLTE chunk');
  if (idat.length === 0) throw new Error('PNG has no image data');
  const raw = inflate(concat(idat));
  const bitsPerPixel = bitDepth * channels;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  if (raw.length < (stride + 1) * height) throw new Error('PNG image data is truncated');
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let x = line[i];
      switch (f) {
        case 0: break;
        case 1: x += a; break;
        case 2: x += b; break;
        case 3: x += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          x += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`PNG row ${y} has unknown filter ${f}`);
      }
      cur[i] = x & 0xff;
    }
    const o = y * width * channels;
    if (bitDepth === 8) {
      out.set(cur.subarray(0, width * channels), o);
    } else if (bitDepth === 16) {
      for (let i = 0; i < width * channels; i++) out[o + i] = cur[i * 2];
    } else {
      const perByte = 8 / bitDepth;
      const maskBits = (1 << bitDepth) - 1;
      // Gray below 8 bits is scaled to 0..255; palette indices stay indices.
      const scale = colorType === 0 ? 255 / maskBits : 1;
      for (let x = 0; x < width; x++) {
        const byte = cur[Math.floor(x / perByte)];
        const shift = 8 - bitDepth * ((x % perByte) + 1);
        out[o + x] = Math.round(((byte >> shift) & maskBits) * scale);
      }
    }
    prev.set(cur);
  }
  return { width, height, colorType: colorType as DecodedPng['colorType'], channels, data: out, palette };
}
