/**
 * What an image file really is, before anything is shown: its format from its content (never its
 * name), its size as displayed (EXIF orientation applied, as browsers and COCO tools see it), and
 * whether it is whole. Every failure is an `ImageLoadError` whose code says what is wrong and
 * whose message says it in words a user understands. No VS Code API here, so the corpus tests
 * run it under plain mocha.
 */
import { promises as fsp } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeBmp } from '../../shared/inference/bmp';
import { checkPngStructure, readBmpSize, sniffImageFormat, type SniffedFormat } from '../../shared/formats/imageHeader';
import { loadSharp } from '../sharp';

/** Why an image cannot be opened. */
export type ImageErrorCode = 'empty' | 'notImage' | 'unsupported' | 'truncated' | 'corrupt' | 'tooLarge' | 'unreadable';

/** The one error type image loading throws; `message` is ready to show. */
export class ImageLoadError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

/**
 * Largest image the editor opens, in pixels (2^29, about 537 megapixels: 23000x23000, or
 * 30000x17000). Beyond it even the downscaled preview and tiles take minutes and gigabytes to make.
 */
export const MAX_IMAGE_PIXELS = 2 ** 29;
/**
 * From this many pixels, or a side longer than `LARGE_IMAGE_SIDE`, the webview is given a
 * downscaled preview plus full-resolution tiles instead of the file (a browser decodes the whole
 * file into 4 bytes a pixel, and canvases stop working around 16384 pixels a side).
 */
export const LARGE_IMAGE_PIXELS = 50_000_000;
export const LARGE_IMAGE_SIDE = 16384;
/** Images up to this many pixels are test-decoded at open (catches corrupt data; ~0.1-0.5 s). */
export const VALIDATE_DECODE_PIXELS = LARGE_IMAGE_PIXELS;

/** Formats the editor opens. */
export type ImageFormat = Exclude<SniffedFormat, 'svg'>;
/** Formats a webview draws straight from the file (GIF is converted: it would animate). */
const BROWSER_NATIVE: ReadonlySet<ImageFormat> = new Set(['png', 'jpeg', 'webp', 'bmp']);

/** What `probeImage` found. */
export interface ImageProbe {
  format: ImageFormat;
  /** Size as displayed: EXIF orientation applied. */
  width: number;
  height: number;
  /** EXIF orientation (1 = none, 1..8). */
  orientation: number;
  /** Frames in the file (animated GIF/WebP, multi-page TIFF); the first one is annotated. */
  pages: number;
  hasAlpha: boolean;
  /** Bytes in the file. */
  fileSize: number;
  /** A webview can draw the file as it is (otherwise it is converted to PNG first). */
  browserNative: boolean;
  /** Shown through a preview and tiles (see LARGE_IMAGE_PIXELS). */
  large: boolean;
}

const mb = (n: number) => `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} megapixels`;

async function readBytes(input: string | Buffer, pos: number, len: number): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(pos, pos + len);
  const f = await fsp.open(input, 'r');
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await f.read(buf, 0, len, pos);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}

/**
 * Positioned reads through one file handle and a 1 MiB window: walking the chunks of a 1 GB PNG
 * is then ~1000 reads, not one open() per chunk.
 */
async function blockReader(input: string | Buffer): Promise<{ read: (pos: number, len: number) => Promise<Uint8Array>; close: () => Promise<void> }> {
  if (typeof input !== 'string') return { read: async (pos, len) => input.subarray(pos, pos + len), close: async () => undefined };
  const f = await fsp.open(input, 'r');
  const BLOCK = 1 << 20;
  let start = -1;
  let block = Buffer.alloc(0);
  return {
    async read(pos, len) {
      if (start < 0 || pos < start || pos + len > start + block.length) {
        const buf = Buffer.alloc(Math.max(BLOCK, len));
        const { bytesRead } = await f.read(buf, 0, buf.length, pos);
        start = pos;
        block = buf.subarray(0, bytesRead);
      }
      return block.subarray(pos - start, pos - start + len);
    },
    close: () => f.close(),
  };
}

/** Puts libvips' wording into ours (its messages name internal functions). */
export function describeDecodeError(e: unknown): { code: ImageErrorCode; message: string } {
  const text = String((e as Error)?.message ?? e);
  // libpng says only "read error"; a PNG cut short is found by its chunk walk before decoding.
  if (/libpng read error/i.test(text)) return { code: 'corrupt', message: 'the compressed image data is damaged and cannot be decoded' };
  if (/premature end|truncated|unexpected end|not enough data|end of (file|stream)|read error|short read/i.test(text)) {
    return { code: 'truncated', message: 'the file ends before the image data is complete (it was cut short, e.g. by an interrupted copy or download)' };
  }
  if (/pixel limit/i.test(text)) return { code: 'tooLarge', message: 'the image is larger than the decoder accepts' };
  if (/unsupported image format/i.test(text)) return { code: 'notImage', message: 'the file is not an image this editor can read' };
  const first = text.split('\n').find((l) => l.trim()) ?? text;
  return { code: 'corrupt', message: `the image data is damaged (${first.replace(/^(\w+load(_\w+)?|vips\w*|VipsJpeg|VipsPng|pngload|jpegload): /i, '').trim()})` };
}

/**
 * Identifies and checks an image given as a path or as the file's bytes. Throws `ImageLoadError`
 * for anything that cannot be opened; `validate: false` skips the test decode (the caller decodes
 * the whole image anyway).
 */
export async function probeImage(input: string | Buffer, options: { validate?: boolean } = {}): Promise<ImageProbe> {
  let fileSize: number;
  try {
    fileSize = typeof input === 'string' ? (await fsp.stat(input)).size : input.length;
  } catch (e) {
    throw new ImageLoadError('unreadable', `the file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (fileSize === 0) throw new ImageLoadError('empty', 'the file is empty (0 bytes)');
  const head = await readBytes(input, 0, 512);
  const sniffed = sniffImageFormat(head);
  if (sniffed === 'svg') throw new ImageLoadError('unsupported', 'it is an SVG (vector) file, not a raster image; export it as PNG to annotate it');
  if (!sniffed) {
    throw new ImageLoadError('notImage', 'the file is not a PNG, JPEG, WebP, GIF, TIFF or BMP image (its content matches none of them, whatever its name says)');
  }
  const format = sniffed;

  if (format === 'png') {
    const reader = await blockReader(input);
    let problem;
    try {
      problem = await checkPngStructure(reader.read, fileSize, (b) => crc32(b));
    } finally {
      await reader.close();
    }
    if (problem?.kind === 'truncated') throw new ImageLoadError('truncated', `the PNG is cut short: ${problem.detail}`);
    if (problem) throw new ImageLoadError('corrupt', `the PNG is damaged: ${problem.detail}`);
  }

  if (format === 'bmp') return probeBmp(input, fileSize);

  const sharp = loadSharp();
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(input, { pages: 1, limitInputPixels: false }).metadata();
  } catch (e) {
    const d = describeDecodeError(e);
    throw new ImageLoadError(d.code, d.message);
  }
  const storedW = meta.width ?? 0;
  const storedH = meta.height ?? 0;
  if (!(storedW > 0 && storedH > 0)) throw new ImageLoadError('corrupt', 'the image header gives no size');
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const swap = orientation >= 5;
  const width = swap ? storedH : storedW;
  const height = swap ? storedW : storedH;
  checkPixels(width, height);
  const large = width * height > LARGE_IMAGE_PIXELS || Math.max(width, height) > LARGE_IMAGE_SIDE;
  if ((options.validate ?? true) && width * height <= VALIDATE_DECODE_PIXELS) {
    try {
      // A small decode reads every byte of the compressed data (JPEG shrink-on-load keeps it fast).
      await sharp(input, { pages: 1, limitInputPixels: false, failOn: 'truncated' })
        .resize({ width: 256, height: 256, fit: 'inside', withoutEnlargement: true })
        .raw()
        .toBuffer();
    } catch (e) {
      const d = describeDecodeError(e);
      throw new ImageLoadError(d.code, d.message);
    }
  }
  const pages = meta.pages ?? 1;
  // Browsers animate APNG and animated WebP (the canvas would show whichever frame is current):
  // those are converted to their first frame like GIF.
  const animated = pages > 1 || (format === 'png' && isApng(head));
  return {
    format,
    width,
    height,
    orientation,
    pages,
    hasAlpha: !!meta.hasAlpha,
    fileSize,
    browserNative: BROWSER_NATIVE.has(format) && !large && !animated,
    large,
  };
}

/** An animated PNG has an acTL chunk before its first IDAT (in practice right after IHDR). */
function isApng(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const actl = text.indexOf('acTL');
  const idat = text.indexOf('IDAT');
  return actl > 0 && (idat < 0 || actl < idat);
}

function checkPixels(width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageLoadError(
      'tooLarge',
      `the image is ${width}x${height} (${mb(width * height)}); the editor opens images up to ${mb(MAX_IMAGE_PIXELS)}. Split it into tiles first (e.g. with vips dzsave or gdal_retile)`,
    );
  }
}

async function probeBmp(input: string | Buffer, fileSize: number): Promise<ImageProbe> {
  const size = readBmpSize(await readBytes(input, 0, 64));
  if (!size) throw new ImageLoadError('corrupt', 'the BMP header is damaged');
  checkPixels(size.width, size.height);
  if (size.width * size.height > LARGE_IMAGE_PIXELS || Math.max(size.width, size.height) > LARGE_IMAGE_SIDE) {
    throw new ImageLoadError('tooLarge', `the BMP is ${size.width}x${size.height}; BMP files over ${mb(LARGE_IMAGE_PIXELS)} are not supported: convert it to PNG or TIFF`);
  }
  try {
    decodeBmp(typeof input === 'string' ? await fsp.readFile(input) : input);
  } catch (e) {
    const text = (e as Error).message;
    throw new ImageLoadError(/short|end|truncat|beyond|outside/i.test(text) ? 'truncated' : 'corrupt', `the BMP cannot be decoded: ${text}`);
  }
  return { format: 'bmp', ...size, orientation: 1, pages: 1, hasAlpha: false, fileSize, browserNative: true, large: false };
}
