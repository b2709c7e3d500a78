/** File helpers: atomic writes (temp file + rename) and "read if it exists". */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Test-only: milliseconds to pause between chunks of an atomic write, from the environment
 * variable EDGEFLOW_TEST_SLOW_WRITE_MS (the crash-safety e2e test kills the extension host in the
 * middle of a save). Unset or invalid: 0, no pause.
 */
function slowWriteMs(): number {
  const v = Number(process.env.EDGEFLOW_TEST_SLOW_WRITE_MS ?? '');
  return Number.isFinite(v) && v > 0 ? Math.min(v, 10_000) : 0;
}

/**
 * Writes `data` so that readers never see a half-written file, even after a crash or power loss:
 * for local files the bytes go to a temporary file in the same folder, are flushed to the disk
 * (fsync), and the temporary file is then renamed over the target (atomic on POSIX and NTFS); the
 * folder is fsynced too where the platform allows, so the rename itself is durable. Other file
 * systems fall back to `workspace.fs.writeFile`.
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
    const fh = await fsp.open(tmp, 'wx');
    try {
      const pause = slowWriteMs();
      if (pause) {
        // Several chunks with pauses between them, so a test can kill us mid-write.
        const chunk = Math.max(1, Math.ceil(bytes.length / 8));
        for (let at = 0; at < bytes.length; at += chunk) {
          await fh.write(bytes, at, Math.min(chunk, bytes.length - at), at);
          await new Promise((r) => setTimeout(r, pause));
        }
      } else {
        await fh.writeFile(bytes);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(path.dirname(target));
}

/** fsyncs a folder so a rename inside it survives a crash; not possible everywhere (Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh: import('node:fs/promises').FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EPERM on platforms that cannot open or sync folders: the file itself is synced.
  } finally {
    await fh?.close().catch(() => undefined);
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
