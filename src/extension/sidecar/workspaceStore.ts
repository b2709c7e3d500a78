/**
 * The sidecar store wired to VS Code: files through `vscode.workspace.fs` (atomic writes from
 * fsUtil.ts), questions through sidecarPrompts.ts, reading through sidecarReader.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from '../fsUtil';
import type { PreparedImage } from '../imageSource';
import { log } from '../log';
import { baseName } from '../uriPath';
import { storePrompts } from './sidecarPrompts';
import { readSidecar } from './sidecarReader';
import { type SidecarFiles, SidecarStore } from './sidecarStore';

/** `SidecarFiles` for files VS Code can reach (local or remote). */
export const workspaceFiles: SidecarFiles = {
  async stat(uri) {
    try {
      return await vscode.workspace.fs.stat(uri);
    } catch {
      return undefined;
    }
  },
  read: readFileIfExists,
  writeAtomic: writeFileAtomic,
  async copy(from, to) {
    await vscode.workspace.fs.copy(from, to, { overwrite: false });
  },
  async move(from, to) {
    await vscode.workspace.fs.rename(from, to, { overwrite: false });
  },
  removeStaleTempFiles,
  watch(uri, onEvent) {
    const dir = uri.with({ path: path.posix.dirname(uri.path) });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, baseName(uri)));
    watcher.onDidChange(onEvent);
    watcher.onDidCreate(onEvent);
    watcher.onDidDelete(onEvent);
    return watcher;
  },
};

/** The store of `imageUri`'s sidecars; `generator` is the provenance written into them. */
export function createSidecarStore(imageUri: vscode.Uri, image: PreparedImage, generator: string): SidecarStore {
  return new SidecarStore(imageUri, {
    files: workspaceFiles,
    prompts: storePrompts,
    read: (sidecarUri) => readSidecar(workspaceFiles, sidecarUri, image),
    log,
    t: vscode.l10n.t,
    generator,
  });
}
