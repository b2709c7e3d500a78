/**
 * What the user is asked and told about a sidecar: the read-only notice with its actions, the
 * modal confirmations of Repair… and Overwrite… (each names the backup copy it keeps), the
 * question before a save replaces a file we did not write, the reload-or-keep question when the
 * file changes under unsaved edits, and the offer to add missing classes to the labels file.
 */
import * as vscode from 'vscode';
import type { SidecarAction } from '../../shared/protocol';
import type { LabelsStore } from '../labelsStore';
import { baseName } from '../uriPath';
import { type SidecarStorePrompts, backupName } from './sidecarStore';

/** The button text of a banner/notification action. */
export function actionLabel(action: SidecarAction): string {
  switch (action) {
    case 'repair':
      return vscode.l10n.t('Repair…');
    case 'overwrite':
      return vscode.l10n.t('Overwrite…');
    case 'openSidecar':
      return vscode.l10n.t('Open File');
  }
}

/** The questions the sidecar store asks. */
export const storePrompts: SidecarStorePrompts = {
  async confirmOverwrite(target) {
    const overwrite = vscode.l10n.t('Overwrite');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} exists and was not written by EdgeFlow Annotator, or cannot be read. Overwrite it?', baseName(target)),
      { modal: true, detail: vscode.l10n.t('{0}\nA copy is kept as {1}.', target.fsPath, backupName(baseName(target))) },
      overwrite,
    );
    return choice === overwrite;
  },

  async askReloadOrKeep(imageName) {
    const reload = vscode.l10n.t('Reload from Disk');
    const keep = vscode.l10n.t('Keep My Changes');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('The annotations of {0} changed on disk, and you have unsaved changes.', imageName),
      reload,
      keep,
    );
    return choice === reload ? 'reload' : choice === keep ? 'keep' : undefined;
  },
};

/**
 * Says why the editor is read-only, with the same actions as the banner; a chosen action runs
 * through `run` (its failure is shown).
 */
export function announceProblem(problem: string, actions: readonly SidecarAction[], run: (action: SidecarAction) => Promise<unknown>): void {
  const labels = new Map<string, SidecarAction>(actions.map((a) => [actionLabel(a), a]));
  void vscode.window.showWarningMessage(problem, ...labels.keys()).then((choice) => {
    const action = choice ? labels.get(choice) : undefined;
    if (action) void run(action).catch((e) => void vscode.window.showErrorMessage((e as Error).message));
  });
}

/** Asks (modal) before Repair rewrites `sidecarName` with the `objectCount` objects that could be read. */
export async function confirmRepair(sidecarName: string, objectCount: number): Promise<boolean> {
  const repair = vscode.l10n.t('Repair');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Rewrite {0} with the {1} object(s) that could be read? Entries that could not be read are dropped.', sidecarName, objectCount),
    { modal: true, detail: vscode.l10n.t('The current file is kept as {0}.', backupName(sidecarName)) },
    repair,
  );
  return choice === repair;
}

/** Tells that Repair rewrote `sidecarName` and kept the old file as `backup`. */
export function showRepaired(sidecarName: string, backup: vscode.Uri): void {
  void vscode.window.showInformationMessage(vscode.l10n.t('Repaired {0}; the old file is {1}.', sidecarName, baseName(backup)));
}

/** Asks (modal) before Overwrite moves the unreadable `sidecarName` aside and starts empty. */
export async function confirmStartOver(imageName: string, sidecarName: string): Promise<boolean> {
  const overwrite = vscode.l10n.t('Start Over');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Start over with no annotations for {0}?', imageName),
    { modal: true, detail: vscode.l10n.t('{0} is moved aside as {1}, not deleted.', sidecarName, backupName(sidecarName)) },
    overwrite,
  );
  return choice === overwrite;
}

/** Tells that `sidecarName` was moved to `backup`. */
export function showMovedAside(sidecarName: string, backup: vscode.Uri): void {
  void vscode.window.showInformationMessage(vscode.l10n.t('{0} was moved to {1}; the editor starts empty.', sidecarName, baseName(backup)));
}

/** Offers to add sidecar categories that objects use but the labels file lacks. */
export function offerMissingCategories(imageName: string, categories: readonly { id: number; name: string }[], labelsStore: LabelsStore): void {
  const known = new Set(labelsStore.get().map((l) => l.id));
  const names = new Set(labelsStore.get().map((l) => l.name));
  const missing = categories.filter((c) => !known.has(c.id) && !names.has(c.name) && c.id >= 1 && c.id <= 255);
  if (missing.length === 0 || labelsStore.error) return;
  const add = vscode.l10n.t('Add to Labels File');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('{0} uses classes missing from the labels file: {1}', imageName, missing.map((c) => `${c.id} ${c.name}`).join(', ')), add)
    .then(async (choice) => {
      if (choice !== add) return;
      try {
        await labelsStore.addWithIds(missing);
      } catch (e) {
        void vscode.window.showErrorMessage((e as Error).message);
      }
    });
}
