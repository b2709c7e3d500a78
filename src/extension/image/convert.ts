/**
 * The PNG copy a webview draws for an image it cannot draw as it is (TIFF, HEIF, GIF and other
 * animations: their first frame), in the displayed frame (EXIF orientation applied), written
 * atomically. No VS Code API here (tested over the bad-image corpus).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../sharp';
import { describeDecodeError, ImageLoadError } from './probe';

/** Writes the browser copy of `input` to `target` (a .png path); throws `ImageLoadError`. */
export async function writeBrowserCopy(input: string | Buffer, target: string): Promise<void> {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await loadSharp()(input, { pages: 1, limitInputPixels: false, failOn: 'truncated' }).autoOrient().png({ compressionLevel: 1 }).toFile(tmp);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    if (e instanceof ImageLoadError) throw e;
    const d = describeDecodeError(e);
    throw new ImageLoadError(d.code, d.message);
  }
}
