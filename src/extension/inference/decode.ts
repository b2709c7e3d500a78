/**
 * Decodes an image file once, at full resolution, into 8-bit sRGB: EXIF orientation applied;
 * grayscale, 16-bit, alpha, CMYK and palette images normalised.
 */
import type { RgbImage } from '../../shared/inference/resize';
import { loadSharp } from '../sharp';

/** Decodes `input` (a path or the file's bytes) to interleaved 8-bit RGB. */
export async function decodeImage(input: string | Buffer): Promise<RgbImage> {
  const { data, info } = await loadSharp()(input, { failOn: 'none', limitInputPixels: 1 << 30, animated: false })
    .rotate() // applies and strips the EXIF orientation
    .toColourspace('srgb') // grayscale, CMYK (ICC-aware), palette -> sRGB; 16-bit -> 8-bit
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decodeImage: expected 3 channels after conversion, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
