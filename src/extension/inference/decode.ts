/**
 * Decodes an image file once, at full resolution, into 8-bit sRGB: EXIF orientation applied (the
 * frame the editor displays and sidecar coordinates use); grayscale, 16-bit, alpha, CMYK and
 * palette images normalised; the first frame of an animation. Files that are not whole images
 * throw the same `ImageLoadError`s the editor shows when it opens them.
 */
import { promises as fsp } from 'node:fs';
import { decodeBmp } from '../../shared/inference/bmp';
import type { RgbImage } from '../../shared/inference/resize';
import { describeDecodeError, ImageLoadError, probeImage } from '../image/probe';
import { isIdentity, WORKING_PIXELS, workingSize, type WorkingScale } from '../../shared/inference/workingImage';
import { loadSharp } from '../sharp';

/**
 * Most pixels decoded for click segmentation: its state is about 12 bytes a pixel (the RGB image
 * and two float maps), so 50 megapixels is ~600 MB. Larger images are segmented on a region.
 */
export const MAX_DECODE_PIXELS = 50_000_000;

/** Decodes `input` (a path or the file's bytes) to interleaved 8-bit RGB. */
export async function decodeImage(input: string | Buffer, options: { maxPixels?: number } = {}): Promise<RgbImage> {
  const probe = await probeImage(input, { validate: false });
  const max = options.maxPixels ?? MAX_DECODE_PIXELS;
  if (probe.width * probe.height > max) {
    throw new ImageLoadError(
      'tooLarge',
      `Click segmentation works on images up to ${Math.round(max / 1e6)} megapixels; this one is ${probe.width}x${probe.height} (${Math.round((probe.width * probe.height) / 1e6)} MP). Draw its objects with the polygon tool.`,
    );
  }
  // libvips (sharp) has no BMP loader: BMP files are decoded here (they carry no EXIF).
  if (probe.format === 'bmp') return decodeBmp(typeof input === 'string' ? await fsp.readFile(input) : input);
  try {
    const { data, info } = await loadSharp()(input, { failOn: 'truncated', limitInputPixels: false, pages: 1 })
      .autoOrient() // applies and strips the EXIF orientation
      .toColourspace('srgb') // grayscale, CMYK (ICC-aware), palette -> sRGB; 16-bit -> 8-bit
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decodeImage: expected 3 channels after conversion, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    if (e instanceof ImageLoadError) throw e;
    const d = describeDecodeError(e);
    throw new ImageLoadError(d.code, d.message);
  }
}

/**
 * The image click segmentation works on: the whole image decoded when it has at most
 * `maxPixels`, else a downscaled working copy made by sharp (shrink-on-load for JPEG; the full
 * image is never held in memory) with the scale to map clicks and predictions (workingImage.ts).
 */
export async function decodeWorkingImage(input: string | Buffer, maxPixels = WORKING_PIXELS): Promise<{ image: RgbImage; working: WorkingScale }> {
  const probe = await probeImage(input, { validate: false });
  const working = workingSize(probe.width, probe.height, maxPixels);
  if (isIdentity(working)) return { image: await decodeImage(input, { maxPixels: Infinity }), working };
  if (probe.format === 'bmp') throw new ImageLoadError('tooLarge', `BMP files over ${Math.round(maxPixels / 1e6)} megapixels cannot be segmented: convert it to PNG`);
  try {
    const { data, info } = await loadSharp()(input, { failOn: 'truncated', limitInputPixels: false, pages: 1, sequentialRead: true })
      .autoOrient()
      .resize({ width: working.width, height: working.height, fit: 'fill' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { image: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, working };
  } catch (e) {
    const d = describeDecodeError(e);
    throw new ImageLoadError(d.code, d.message);
  }
}
