/**
 * Gets an image ready for the webview: its size (EXIF orientation applied, as browsers draw it)
 * and a URL the webview can load. PNG, JPEG, BMP and WebP load directly from disk; TIFF (which
 * browsers cannot decode) and GIF (whose animation would play; we annotate its first frame) are
 * converted once with sharp into a PNG in the extension's cache folder, keyed by path, size and
 * modification time. Pixels never travel as JSON.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBmpSize, readImageSize } from '../shared/formats/imageHeader';
import { log } from './log';
import { loadSharp, type SharpModule } from './sharp';

/** File extensions the editor opens (lower case, no dot). */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff'] as const;
/** Extensions the webview can draw straight from the file. */
const BROWSER_NATIVE = new Set(['png', 'jpg', 'jpeg', 'bmp', 'webp']);

/** True for a path/URI whose extension the editor handles. */
export function isSupportedImage(p: string): boolean {
  const ext = path.posix.extname(p).slice(1).toLowerCase();
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

/** What the webview needs to show an image. */
export interface PreparedImage {
  /** File to load in the webview: the image itself or its cached PNG conversion. */
  displayUri: vscode.Uri;
  /** Size in pixels as displayed (orientation applied). */
  width: number;
  height: number;
  /** Modification time of the source, used as a cache-busting version. */
  mtime: number;
  /** True when displayUri is a converted copy. */
  converted: boolean;
}

async function sourceInput(uri: vscode.Uri): Promise<string | Buffer> {
  if (uri.scheme === 'file') return uri.fsPath;
  return Buffer.from(await vscode.workspace.fs.readFile(uri));
}

/**
 * Reads the image header (size, orientation) and converts it when the webview cannot draw it.
 * Throws with a readable message for files that are not decodable images.
 */
export async function prepareImage(uri: vscode.Uri, cacheDir: vscode.Uri): Promise<PreparedImage> {
  const stat = await vscode.workspace.fs.stat(uri);
  const ext = path.posix.extname(uri.path).slice(1).toLowerCase();
  if (ext === 'bmp') {
    // sharp's libvips has no BMP loader; browsers draw BMP, so only the size is needed.
    const size = readBmpSize(await vscode.workspace.fs.readFile(uri));
    if (!size) throw new Error(vscode.l10n.t('Cannot read image {0}: not a BMP file', path.posix.basename(uri.path)));
    return { displayUri: uri, width: size.width, height: size.height, mtime: stat.mtime, converted: false };
  }
  const input = await sourceInput(uri);
  let sharp: SharpModule;
  try {
    sharp = loadSharp();
  } catch (e) {
    // Without sharp (a platform the package has no native build for) the formats the webview
    // draws natively still open, sized from their headers (EXIF orientation is then ignored).
    log().error(`sharp failed to load: ${(e as Error).message}`);
    const size = BROWSER_NATIVE.has(ext) ? readImageSize(await vscode.workspace.fs.readFile(uri)) : undefined;
    if (!size) throw new Error(vscode.l10n.t('Cannot open {0}: the image library (sharp) failed to load: {1}', path.posix.basename(uri.path), (e as Error).message));
    return { displayUri: uri, width: size.width, height: size.height, mtime: stat.mtime, converted: false };
  }
  let meta: Awaited<ReturnType<ReturnType<SharpModule>['metadata']>>;
  try {
    meta = await sharp(input, { pages: 1, limitInputPixels: false }).metadata();
  } catch (e) {
    throw new Error(vscode.l10n.t('Cannot read image {0}: {1}', path.posix.basename(uri.path), (e as Error).message));
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Error(vscode.l10n.t('Cannot read the size of image {0}', path.posix.basename(uri.path)));
  if (BROWSER_NATIVE.has(ext)) return { displayUri: uri, width, height, mtime: stat.mtime, converted: false };

  const key = createHash('sha256').update(`${uri.toString()}\0${stat.size}\0${stat.mtime}`).digest('hex').slice(0, 32);
  const target = vscode.Uri.joinPath(cacheDir, 'images', `${key}.png`);
  try {
    await vscode.workspace.fs.stat(target);
    return { displayUri: target, width, height, mtime: stat.mtime, converted: true };
  } catch {
    // not cached yet
  }
  const started = Date.now();
  await fsp.mkdir(path.dirname(target.fsPath), { recursive: true });
  const tmp = `${target.fsPath}.${process.pid}.tmp`;
  await sharp(input, { pages: 1, limitInputPixels: false }).autoOrient().png({ compressionLevel: 1 }).toFile(tmp);
  await fsp.rename(tmp, target.fsPath);
  log().info(`converted ${uri.fsPath} -> ${target.fsPath} (${width}x${height}, ${Date.now() - started} ms)`);
  void pruneCache(vscode.Uri.joinPath(cacheDir, 'images'));
  return { displayUri: target, width, height, mtime: stat.mtime, converted: true };
}

/** Keeps the conversion cache bounded (oldest files beyond 200 are deleted). */
async function pruneCache(dir: vscode.Uri): Promise<void> {
  try {
    const names = await fsp.readdir(dir.fsPath);
    if (names.length <= 200) return;
    const withTimes = await Promise.all(
      names.map(async (n) => ({ n, t: (await fsp.stat(path.join(dir.fsPath, n))).mtimeMs })),
    );
    withTimes.sort((a, b) => a.t - b.t);
    for (const { n } of withTimes.slice(0, withTimes.length - 200)) await fsp.rm(path.join(dir.fsPath, n), { force: true });
  } catch (e) {
    log().warn(`image cache prune failed: ${e}`);
  }
}
