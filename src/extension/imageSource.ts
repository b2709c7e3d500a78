/**
 * Gets an image ready for the webview: its size as displayed (EXIF orientation applied, as
 * browsers draw it and as sidecar coordinates are stored) and what the webview loads. What a file
 * is comes from its content (probe.ts), not its name. PNG, JPEG, BMP and WebP load straight from
 * disk; TIFF, HEIF (which browsers cannot decode) and GIF (whose animation would play; we annotate
 * its first frame) are converted once with sharp into a PNG in the extension's cache folder,
 * keyed by path, size and modification time; very large images get a preview and a tile pyramid
 * there (largeImage.ts). Pixels never travel as JSON. Files that cannot be shown throw an
 * `ImageLoadError` whose message names the file and says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageInfo } from '../shared/protocol';
import { readImageSize } from '../shared/formats/imageHeader';
import { writeBrowserCopy } from './image/convert';
import { prepareLargeImage, previewPath } from './image/largeImage';
import { ImageLoadError, probeImage, type ImageProbe } from './image/probe';
import { log } from './log';

export { ImageLoadError } from './image/probe';

/** File extensions the editor opens (lower case, no dot). */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff'] as const;

/** True for a path/URI whose extension the editor handles. */
export function isSupportedImage(p: string): boolean {
  const ext = path.posix.extname(p).slice(1).toLowerCase();
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

/** The preview and tiles of a very large image. */
export interface PreparedTiles {
  /** Folder holding `<level>/<col>_<row>.<format>` (Deep Zoom numbering). */
  dir: vscode.Uri;
  format: 'jpeg' | 'png';
  tileSize: number;
  maxLevel: number;
  ready: Promise<void>;
}

/** What the webview needs to show an image. */
export interface PreparedImage {
  /** File to load in the webview: the image itself, its cached PNG conversion, or its preview. */
  displayUri: vscode.Uri;
  /** Size in pixels as displayed (orientation applied); always the full resolution. */
  width: number;
  height: number;
  /** Modification time of the source, used as a cache-busting version. */
  mtime: number;
  /** True when displayUri is a converted copy. */
  converted: boolean;
  /** Set for very large images: displayUri is then a downscaled preview. */
  tiles?: PreparedTiles;
  /** What the file is (format, orientation, frames). */
  probe?: ImageProbe;
  /**
   * Why the image cannot be shown (width and height are then 0): the editor still opens, shows
   * this message in place of the image and edits nothing, instead of VS Code's generic error.
   */
  error?: string;
  /** The error's kind. */
  errorCode?: ImageLoadError['code'];
}

async function sourceInput(uri: vscode.Uri): Promise<string | Buffer> {
  if (uri.scheme === 'file') return uri.fsPath;
  return Buffer.from(await vscode.workspace.fs.readFile(uri));
}

const name = (uri: vscode.Uri) => path.posix.basename(uri.path);

/** Recent probe results by file version (URI, size, mtime), least recently used first. */
const probes = new Map<string, ImageProbe>();

/**
 * Reads and checks the image, and converts it when the webview cannot draw it as it is. An image
 * that cannot be shown gives a `PreparedImage` with `error` set (the message names the file and
 * says why); other failures (sharp missing and the format needs it) throw.
 */
export async function prepareImage(uri: vscode.Uri, cacheDir: vscode.Uri): Promise<PreparedImage> {
  try {
    return await prepareImageOrThrow(uri, cacheDir);
  } catch (e) {
    if (!(e instanceof ImageLoadError)) throw e;
    log().warn(`${uri.fsPath}: ${e.code}: ${e.message}`);
    return { displayUri: uri, width: 0, height: 0, mtime: 0, converted: false, error: e.message, errorCode: e.code };
  }
}

/** `prepareImage`, throwing `ImageLoadError` for an image that cannot be shown. */
export async function prepareImageOrThrow(uri: vscode.Uri, cacheDir: vscode.Uri): Promise<PreparedImage> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (e) {
    throw new ImageLoadError('unreadable', vscode.l10n.t('Cannot open {0}: {1}', name(uri), (e as Error).message));
  }
  const input = await sourceInput(uri);
  // A file version already checked (reopened, or back to it with Previous Image) is not decoded again.
  const version = `${uri.toString()}\0${stat.size}\0${stat.mtime}`;
  let probe: ImageProbe;
  try {
    probe = probes.get(version) ?? (await probeImage(input));
    probes.delete(version);
    probes.set(version, probe);
    if (probes.size > 256) probes.delete(probes.keys().next().value as string);
  } catch (e) {
    if (e instanceof ImageLoadError) throw new ImageLoadError(e.code, vscode.l10n.t('Cannot open {0}: {1}.', name(uri), e.message));
    if (isSharpLoadFailure(e)) return withoutSharp(uri, stat, e as Error);
    throw e;
  }
  const { width, height } = probe;
  if (probe.browserNative) return { displayUri: uri, width, height, mtime: stat.mtime, converted: false, probe };

  const key = createHash('sha256').update(version).digest('hex').slice(0, 32);
  if (probe.large) {
    const dir = vscode.Uri.joinPath(cacheDir, 'large', key);
    const started = Date.now();
    let files;
    try {
      const make = () => prepareLargeImage(input, probe, dir.fsPath, (l) => log().info(`${uri.fsPath}: ${l}`));
      // Decoding hundreds of megapixels takes seconds to a minute the first time: say what is going on.
      files = existsSync(previewPath(dir.fsPath, probe)) ? await make() : await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Preparing a preview of {0} ({1}x{2}, {3} megapixels)…', name(uri), width, height, Math.round((width * height) / 1e6)),
        },
        make,
      );
    } catch (e) {
      if (e instanceof ImageLoadError) throw new ImageLoadError(e.code, vscode.l10n.t('Cannot open {0}: {1}.', name(uri), e.message));
      throw e;
    }
    log().info(`${uri.fsPath}: ${width}x${height} shown through a ${files.previewWidth}x${files.previewHeight} preview and tiles (${Date.now() - started} ms to the preview)`);
    files.tilesReady.catch((e) => log().error(`${uri.fsPath}: tiles failed: ${(e as Error).message}`));
    void pruneCache(vscode.Uri.joinPath(cacheDir, 'large'), 4);
    return {
      displayUri: vscode.Uri.file(files.preview),
      width,
      height,
      mtime: stat.mtime,
      converted: true,
      probe,
      tiles: { dir: vscode.Uri.file(files.tilesDir), format: files.tileFormat, tileSize: files.tileSize, maxLevel: files.maxLevel, ready: files.tilesReady },
    };
  }

  const target = vscode.Uri.joinPath(cacheDir, 'images', `${key}.png`);
  try {
    await vscode.workspace.fs.stat(target);
    return { displayUri: target, width, height, mtime: stat.mtime, converted: true, probe };
  } catch {
    // not cached yet
  }
  const started = Date.now();
  try {
    await writeBrowserCopy(input, target.fsPath);
  } catch (e) {
    if (e instanceof ImageLoadError) throw new ImageLoadError(e.code, vscode.l10n.t('Cannot open {0}: {1}.', name(uri), e.message));
    throw e;
  }
  log().info(`converted ${uri.fsPath} -> ${target.fsPath} (${width}x${height}, ${Date.now() - started} ms)`);
  void pruneCache(vscode.Uri.joinPath(cacheDir, 'images'), 200);
  return { displayUri: target, width, height, mtime: stat.mtime, converted: true, probe };
}

/** The image as the webview's init message carries it. */
export function webviewImageInfo(image: PreparedImage, webview: vscode.Webview, fileName: string): ImageInfo {
  const v = `v=${image.mtime}`;
  const src = webview.asWebviewUri(image.displayUri).with({ query: v }).toString();
  const info: ImageInfo = { src, fileName, width: image.width, height: image.height };
  if (image.error) info.error = image.error;
  if (image.tiles) {
    const t = image.tiles;
    info.tiles = { base: webview.asWebviewUri(t.dir).toString(), query: v, format: t.format, tileSize: t.tileSize, maxLevel: t.maxLevel };
  }
  return info;
}

function isSharpLoadFailure(e: unknown): boolean {
  return /sharp|\.node|dlopen|libvips/i.test(String((e as Error)?.message)) && !(e instanceof ImageLoadError);
}

/**
 * Without sharp (a platform the package has no native build for) the formats the webview draws
 * natively still open, sized from their headers (EXIF orientation is then ignored).
 */
async function withoutSharp(uri: vscode.Uri, stat: vscode.FileStat, e: Error): Promise<PreparedImage> {
  log().error(`sharp failed to load: ${e.message}`);
  const size = readImageSize(await vscode.workspace.fs.readFile(uri));
  if (!size) throw new Error(vscode.l10n.t('Cannot open {0}: the image library (sharp) failed to load: {1}', name(uri), e.message));
  return { displayUri: uri, width: size.width, height: size.height, mtime: stat.mtime, converted: false };
}

/** Keeps a cache folder bounded: the oldest entries beyond `keep` are deleted. */
async function pruneCache(dir: vscode.Uri, keep: number): Promise<void> {
  try {
    const names = (await fsp.readdir(dir.fsPath)).filter((n) => !n.endsWith('.tmp'));
    if (names.length <= keep) return;
    const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await fsp.stat(path.join(dir.fsPath, n))).mtimeMs })));
    withTimes.sort((a, b) => a.t - b.t);
    for (const { n } of withTimes.slice(0, withTimes.length - keep)) await fsp.rm(path.join(dir.fsPath, n), { recursive: true, force: true });
  } catch (e) {
    log().warn(`image cache prune failed: ${e}`);
  }
}
