/**
 * Decodes an image file once, at full resolution, into 8-bit sRGB: EXIF orientation applied;
 * grayscale, 16-bit, alpha, CMYK and palette images normalised.
 */
import { promises as fsp } from 'node:fs';
import { decodeBmp, isBmp } from '../../shared/inference/bmp';
import type { RgbImage } from '../../shared/inference/resize';
import { loadSharp } from '../sharp';

/** Decodes `input` (a path or the file's bytes) to interleaved 8-bit RGB. */
export async function decodeImage(input: string | Buffer): Promise<RgbImage> {
  // libvips (sharp) has no BMP loader: BMP files are decoded here (they carry no EXIF).
  const head = typeof input === 'string' ? await readHead(input) : input.subarray(0, 2);
  if (head.length >= 2 && head[0] === 0x42 && head[1] === 0x4d) {
    const bytes = typeof input === 'string' ? await fsp.readFile(input) : input;
    if (isBmp(bytes)) return decodeBmp(bytes);
  }
  const { data, info } = await loadSharp()(input, { failOn: 'none', limitInputPixels: 1 << 30, animated: false })
    .rotate() // applies and strips the EXIF orientation
    .toColourspace('srgb') // grayscale, CMYK (ICC-aware), palette -> sRGB; 16-bit -> 8-bit
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decodeImage: expected 3 channels after conversion, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function readHead(path: string): Promise<Uint8Array> {
  const f = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await f.read(buf, 0, 2, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}
