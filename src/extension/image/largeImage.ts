/**
 * Very large images (beyond LARGE_IMAGE_PIXELS) are never handed to the webview whole: a browser
 * would decode them into 4 bytes a pixel (1.6 GB for 20000x20000) and its canvases stop at about
 * 16384 pixels a side. Instead sharp writes, once per file version, into the extension's cache:
 * - a preview, at most PREVIEW_SIDE pixels on its longer side, shown at once and whenever the
 *   view needs no more detail than it has;
 * - a Deep Zoom tile pyramid (512-pixel JPEG tiles, PNG for images with alpha) the webview loads
 *   tile by tile for the visible region when zoomed in; it is written to a temporary folder and
 *   renamed when complete, so the webview sees either no tiles (and keeps the preview) or all.
 * Both are made from the EXIF-oriented image, so preview, tiles, polygons and the model all use
 * the displayed frame. No VS Code API here (the bench and the tests drive it directly).
 */
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../sharp';
import { describeDecodeError, ImageLoadError, type ImageProbe } from './probe';

/** Longer side of the preview in pixels. */
export const PREVIEW_SIDE = 4096;
/** Tile size of the pyramid in pixels. */
export const TILE_SIZE = 512;

/** Files made for one large image. */
export interface LargeImageFiles {
  /** The preview image (JPEG, or PNG with alpha). */
  preview: string;
  previewWidth: number;
  previewHeight: number;
  /** Folder of the pyramid: `<level>/<col>_<row>.<tileFormat>`, Deep Zoom numbering. */
  tilesDir: string;
  tileFormat: 'jpeg' | 'png';
  tileSize: number;
  /** Deep Zoom level of the full resolution: ceil(log2(max(width, height))). */
  maxLevel: number;
  /** Resolves when the tiles are on disk (at once when they were cached); rejects on failure. */
  tilesReady: Promise<void>;
}

/** Previews and tile sets being made, by target path: two editors on one file share the work. */
const pending = new Map<string, Promise<void>>();

function once(key: string, make: () => Promise<void>): Promise<void> {
  let p = pending.get(key);
  if (!p) {
    p = make();
    pending.set(key, p);
    const done = () => pending.delete(key);
    p.then(done, done);
  }
  return p;
}

/** Deep Zoom level of the full-resolution image. */
export function deepZoomMaxLevel(width: number, height: number): number {
  return Math.ceil(Math.log2(Math.max(width, height, 1)));
}

/** Where the preview of an image lies in its cache folder `dir` (it may not exist yet). */
export function previewPath(dir: string, probe: ImageProbe): string {
  return path.join(dir, probe.hasAlpha ? 'preview.png' : 'preview.jpg');
}

/** Size of the preview for an image of width x height. */
export function previewSize(width: number, height: number): { width: number; height: number } {
  const s = Math.min(1, PREVIEW_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * Makes (or finds) the preview and starts the tiles of `input` in `dir` (a folder of its own per
 * file version). Resolves once the preview exists; `tilesReady` follows.
 */
export async function prepareLargeImage(
  input: string | Buffer,
  probe: ImageProbe,
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<LargeImageFiles> {
  const sharp = loadSharp();
  const tileFormat = probe.hasAlpha ? 'png' : 'jpeg';
  const preview = previewPath(dir, probe);
  const tilesDir = path.join(dir, 'tiles_files');
  const { width: previewWidth, height: previewHeight } = previewSize(probe.width, probe.height);
  await fsp.mkdir(dir, { recursive: true });
  // Reused now: the cache prune (oldest first) must not pick it.
  const now = new Date();
  await fsp.utimes(dir, now, now).catch(() => undefined);
  const open = () => sharp(input, { limitInputPixels: false, failOn: 'truncated', pages: 1, sequentialRead: true }).autoOrient();
  if (!existsSync(preview)) {
    await once(preview, async () => {
      const t0 = Date.now();
      const tmp = `${preview}.${process.pid}.tmp`;
      try {
        let img = open().resize({ width: previewWidth, height: previewHeight, fit: 'fill' }).toColourspace('srgb');
        img = tileFormat === 'png' ? img.png({ compressionLevel: 1 }) : img.jpeg({ quality: 88 });
        await img.toFile(tmp);
        await fsp.rename(tmp, preview);
      } catch (e) {
        await fsp.rm(tmp, { force: true });
        const d = describeDecodeError(e);
        throw new ImageLoadError(d.code, d.message);
      }
      log(`large image preview ${previewWidth}x${previewHeight} in ${Date.now() - t0} ms`);
    });
  }
  const tilesReady = existsSync(tilesDir) ? Promise.resolve() : once(tilesDir, makeTiles);
  tilesReady.catch(() => undefined); // the caller may not wait for it
  async function makeTiles(): Promise<void> {
    const t0 = Date.now();
    const work = path.join(dir, `.tiles-${process.pid}-${Date.now()}`);
    try {
      let img = open().toColourspace('srgb');
      img = tileFormat === 'png' ? img.png({ compressionLevel: 1 }) : img.jpeg({ quality: 88 });
      await img.tile({ size: TILE_SIZE, overlap: 0, layout: 'dz', container: 'fs' }).toFile(path.join(work, 'tiles'));
      await fsp.rename(path.join(work, 'tiles_files'), tilesDir);
      log(`large image tiles in ${Date.now() - t0} ms`);
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }
  return { preview, previewWidth, previewHeight, tilesDir, tileFormat, tileSize: TILE_SIZE, maxLevel: deepZoomMaxLevel(probe.width, probe.height), tilesReady };
}

/**
 * Reads `box` (displayed-frame pixels) of a large image at full resolution, or scaled to at most
 * `maxSide` pixels on its longer side, as 8-bit RGB: what inference needs of a large image without
 * decoding all of it into memory.
 */
export async function readRegion(
  input: string | Buffer,
  box: { x: number; y: number; width: number; height: number },
  maxSide = Infinity,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const s = Math.min(1, maxSide / Math.max(box.width, box.height));
  let img = loadSharp()(input, { limitInputPixels: false, failOn: 'truncated', pages: 1 })
    .autoOrient()
    .extract({ left: box.x, top: box.y, width: box.width, height: box.height });
  if (s < 1) img = img.resize({ width: Math.max(1, Math.round(box.width * s)), height: Math.max(1, Math.round(box.height * s)), fit: 'fill' });
  const { data, info } = await img.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
