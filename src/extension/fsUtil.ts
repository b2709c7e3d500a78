/** File helpers: atomic writes (temp file + rename) and "read if it exists". */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export { baseName, siblingWithSuffix } from './uriPath';

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

/**
 * Removes the temporary files `writeFileAtomic` left beside `uri` when its process died
 * mid-write (`.<name>.<pid>.<random>.tmp` whose process no longer runs, or older than a day).
 * Best effort; returns how many were removed.
 */
export async function removeStaleTempFiles(uri: vscode.Uri): Promise<number> {
  if (uri.scheme !== 'file') return 0;
  const dir = path.dirname(uri.fsPath);
  const prefix = `.${path.basename(uri.fsPath)}.`;
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const file = path.join(dir, name);
    try {
      const st = await fsp.lstat(file);
      if (!st.isFile()) continue;
      const old = Date.now() - st.mtimeMs > 24 * 3600 * 1000;
      if (!old && processRuns(pid)) continue;
      await fsp.rm(file, { force: true });
      removed++;
    } catch {
      // raced with another cleanup, or not ours to remove
    }
  }
  return removed;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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
