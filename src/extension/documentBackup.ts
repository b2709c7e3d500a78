/**
 * Hot exit: a document's unsaved work (base state + edits, `AnnotationModel.backupJson()`) in the
 * file VS Code names, and back. Written atomically like a save; an unusable backup is logged and
 * ignored (the document then opens from its sidecar).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AnnotationModel } from '../shared/annotation';
import { writeFileAtomic } from './fsUtil';
import { log } from './log';

/** Writes `json` to `destination`; the returned backup deletes it when VS Code is done with it. */
export async function writeBackup(destination: vscode.Uri, json: string): Promise<vscode.CustomDocumentBackup> {
  await vscode.workspace.fs.createDirectory(destination.with({ path: path.posix.dirname(destination.path) }));
  // Atomic like a save: a crash while VS Code takes the backup must not leave half a backup.
  await writeFileAtomic(destination, json);
  return {
    id: destination.toString(),
    delete: async () => {
      try {
        await vscode.workspace.fs.delete(destination);
      } catch {
        // already gone
      }
    },
  };
}

/** The model saved in `backupUri`, or undefined (logged) when it cannot be read or used. */
export async function readBackup(backupUri: vscode.Uri): Promise<AnnotationModel | undefined> {
  try {
    const text = Buffer.from(await vscode.workspace.fs.readFile(backupUri)).toString('utf8');
    const r = AnnotationModel.fromBackup(text);
    if (r.ok) return r.value;
    log().warn(`ignoring backup ${backupUri.toString()}: ${r.error.message}`);
  } catch (e) {
    log().warn(`cannot read backup ${backupUri.toString()}: ${e}`);
  }
  return undefined;
}
