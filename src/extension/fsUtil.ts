/** File helpers: atomic writes (temp file + rename) and "read if it exists". */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Writes `data` so that readers never see a half-written file: for local files the bytes go to a
 * temporary file in the same folder, which is then renamed over the target (atomic on POSIX and
 * NTFS). Other file systems fall back to `workspace.fs.writeFile`.
 */
export async function writeFileAtomic(uri: vscode.Uri, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (uri.scheme !== 'file') {
    await vscode.workspace.fs.writeFile(uri, bytes);
    return;
  }
  const target = uri.fsPath;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** File contents, or undefined when the file does not exist (other errors propagate). */
export async function readFileIfExists(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Modification time in ms, or undefined when the file does not exist. */
export async function mtimeIfExists(uri: vscode.Uri): Promise<number | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).mtime;
  } catch {
    return undefined;
  }
}

/** The URI of a sibling file: same folder as `uri`, name = basename(uri) + suffix. */
export function siblingWithSuffix(uri: vscode.Uri, suffix: string): vscode.Uri {
  return uri.with({ path: uri.path + suffix });
}

/** Base name of a URI's path. */
export function baseName(uri: vscode.Uri): string {
  return path.posix.basename(uri.path);
}
