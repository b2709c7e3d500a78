/**
 * Palette commands. Every id here is declared in package.json (category "EdgeFlow") and vice
 * versa; editor commands apply to the active annotator panel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MASK_SIDECAR_SUFFIX } from '../shared/formats/cocoSidecar';
import { checkLabelEdit, newLabelColor, nextLabelId } from '../shared/labels';
import type { WebviewCommand } from '../shared/protocol';
import type { AnnotationEditorProvider } from './editorProvider';
import { VIEW_TYPE } from './editorProvider';
import { IMAGE_EXTENSIONS, isSupportedImage } from './imageSource';
import type { LabelsService } from './labelsStore';
import { applyFileNesting } from './fileNesting';
import { log, registerCommand } from './log';

/** Commands forwarded to the webview as-is: command id -> webview command. */
export const WEBVIEW_COMMAND_IDS: Readonly<Record<string, WebviewCommand>> = {
  'edgeflow.fit': 'fit',
  'edgeflow.zoom100': 'zoom100',
  'edgeflow.zoomIn': 'zoomIn',
  'edgeflow.zoomOut': 'zoomOut',
  'edgeflow.toolSelect': 'toolSelect',
  'edgeflow.toolPolygon': 'toolPolygon',
  'edgeflow.toolSegment': 'toolSegment',
  'edgeflow.finishPolygon': 'finishPolygon',
  'edgeflow.cancel': 'cancel',
  'edgeflow.deleteSelection': 'deleteSelection',
  'edgeflow.nextObject': 'nextObject',
  'edgeflow.previousObject': 'previousObject',
  'edgeflow.toggleHidden': 'toggleHidden',
  'edgeflow.toolBrush': 'toolBrush',
  'edgeflow.toolEraser': 'toolEraser',
  'edgeflow.toggleOverlayOpacity': 'toggleOverlayOpacity',
};

/** Every command this module registers (tests compare it with package.json). */
export const EDITOR_COMMAND_IDS = [
  'edgeflow.useAsDefaultImageEditor',
  'edgeflow.openWithAnnotator',
  'edgeflow.nextImage',
  'edgeflow.previousImage',
  'edgeflow.selectClass',
  'edgeflow.selectClassByNumber',
  'edgeflow.addClass',
  'edgeflow.openLabelsFile',
  'edgeflow.showLog',
  ...Object.keys(WEBVIEW_COMMAND_IDS),
];

/** Images of a folder in natural order (img2 before img10). */
export async function listFolderImages(dir: vscode.Uri): Promise<vscode.Uri[]> {
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return entries
    // Our own mask sidecars are PNGs too, but they are not images to annotate.
    .filter(([name, type]) => (type & vscode.FileType.File) !== 0 && isSupportedImage(name) && !name.toLowerCase().endsWith(MASK_SIDECAR_SUFFIX))
    .map(([name]) => name)
    .sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => vscode.Uri.joinPath(dir, name));
}

function requireActive(provider: AnnotationEditorProvider) {
  const p = provider.activePanel;
  if (!p) throw new Error(vscode.l10n.t('No EdgeFlow Annotator editor is active.'));
  return p;
}

/** Opens the next/previous image of the active image's folder in the same group, closing the current tab. */
async function stepImage(provider: AnnotationEditorProvider, delta: 1 | -1): Promise<void> {
  const p = requireActive(provider);
  if (p.typing) return; // the key went into a text input (see EditorPanel.typing)
  const current = p.document.uri;
  const dir = current.with({ path: path.posix.dirname(current.path) });
  const images = await listFolderImages(dir);
  const i = images.findIndex((u) => u.toString() === current.toString());
  const j = i + delta;
  if (i < 0 || j < 0 || j >= images.length) {
    void vscode.window.showInformationMessage(delta > 0 ? vscode.l10n.t('This is the last image in the folder.') : vscode.l10n.t('This is the first image in the folder.'));
    return;
  }
  const viewColumn = p.panel.viewColumn ?? vscode.ViewColumn.Active;
  await vscode.commands.executeCommand('vscode.openWith', images[j], VIEW_TYPE, { viewColumn, preview: false });
  // Look the tab up only now: Tab objects are snapshots and go stale when the group changes.
  const oldTab = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.group.viewColumn === viewColumn && t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE && t.input.uri.toString() === current.toString());
  // Closing goes through VS Code's usual save prompt for unsaved work (or auto save).
  if (oldTab) {
    const closed = await vscode.window.tabGroups.close(oldTab, true);
    log().info(`next/previous image: opened ${images[j].fsPath}; closing ${current.fsPath}: ${closed}`);
    // The save prompt took the keyboard focus; give it back to the image now shown, so the next
    // key (D, A, a class key) works without a click (issue 30).
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  } else {
    log().info(`next/previous image: opened ${images[j].fsPath}; no tab found for ${current.fsPath}`);
  }
}

/** Registers all commands. */
export function registerCommands(provider: AnnotationEditorProvider, labels: LabelsService): vscode.Disposable[] {
  const d: vscode.Disposable[] = [];
  const selectClass = async (arg?: { index?: number; id?: number } | number): Promise<void> => {
    const p = requireActive(provider);
    const list = p.document.labels;
    let id: number | undefined;
    // A class key (an argument) typed into a text input is text (see EditorPanel.typing).
    if (arg !== undefined && p.typing) return;
    if (typeof arg === 'number') id = list[arg - 1]?.id;
    else if (arg && typeof arg.index === 'number') id = list[arg.index - 1]?.id;
    else if (arg && typeof arg.id === 'number') id = list.find((l) => l.id === arg.id)?.id;
    else {
      const addItem = { label: `$(add) ${vscode.l10n.t('Add New Class…')}`, id: -1 };
      const pick = await vscode.window.showQuickPick(
        [...list.map((l, i) => ({ label: l.name, description: `id ${l.id}${i < 9 ? ` · ${i + 1}` : ''}`, id: l.id })), addItem],
        { placeHolder: vscode.l10n.t('Class for new objects and the selected object') },
      );
      if (!pick) return;
      id = pick.id === -1 ? (await promptAddClass(p.document.labelsFile))?.id : pick.id;
    }
    if (id === undefined) return;
    p.post({ type: 'selectClass', classId: id });
  };

  for (const [id, command] of Object.entries(WEBVIEW_COMMAND_IDS)) {
    d.push(registerCommand(id, () => {
      const p = requireActive(provider);
      if (!p.typing) p.postCommand(command);
    }));
  }

  d.push(
    registerCommand('edgeflow.useAsDefaultImageEditor', async () => {
      if (!vscode.workspace.workspaceFolders?.length) throw new Error(vscode.l10n.t('Open a folder or workspace first.'));
      const config = vscode.workspace.getConfiguration('workbench');
      const current = config.inspect<Record<string, string>>('editorAssociations')?.workspaceValue ?? {};
      const next: Record<string, string> = { ...current };
      for (const ext of IMAGE_EXTENSIONS) next[`*.${ext}`] = VIEW_TYPE;
      await config.update('editorAssociations', next, vscode.ConfigurationTarget.Workspace);
      // The annotation files nest under their images (the workspace's own patterns kept).
      await applyFileNesting();
      void vscode.window.showInformationMessage(vscode.l10n.t('EdgeFlow Annotator now opens images in this workspace, and the Explorer nests annotation files under their image.'));
    }),

    registerCommand('edgeflow.openWithAnnotator', async (uri?: vscode.Uri, selected?: vscode.Uri[]) => {
      let targets = (selected?.length ? selected : uri ? [uri] : []).filter((u) => u instanceof vscode.Uri);
      if (targets.length === 0) {
        const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
        if (active && isSupportedImage(active.path)) targets = [active];
      }
      if (targets.length === 0) {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          filters: { [vscode.l10n.t('Images')]: [...IMAGE_EXTENSIONS] },
        });
        targets = picked ?? [];
      }
      for (const t of targets) {
        if (!isSupportedImage(t.path)) throw new Error(vscode.l10n.t('{0} is not a supported image.', path.posix.basename(t.path)));
        await vscode.commands.executeCommand('vscode.openWith', t, VIEW_TYPE);
      }
    }),

    registerCommand('edgeflow.nextImage', () => stepImage(provider, 1)),
    registerCommand('edgeflow.previousImage', () => stepImage(provider, -1)),

    registerCommand('edgeflow.selectClass', selectClass),
    // The class keys 1-9 run their own command (hidden from the palette), so the palette's
    // "Select Class…" shows no key: with the keys on it, it showed the last one ("9").
    registerCommand('edgeflow.selectClassByNumber', (arg?: { index?: number } | number) => {
      const index = typeof arg === 'number' ? arg : arg?.index;
      return selectClass(typeof index === 'number' ? { index } : undefined);
    }),

    registerCommand('edgeflow.addClass', async () => {
      const p = provider.activePanel;
      if (p) {
        const label = await promptAddClass(p.document.labelsFile);
        if (label) p.post({ type: 'selectClass', classId: label.id });
        return;
      }
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) throw new Error(vscode.l10n.t('Open a folder or workspace first.'));
      const { store, release } = await labels.acquire(vscode.Uri.joinPath(folder.uri, 'image.png'));
      try {
        await promptAddClass(store);
      } finally {
        release.dispose();
      }
    }),

    registerCommand('edgeflow.openLabelsFile', async () => {
      const base = provider.activePanel?.document.uri ?? (vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'image.png') : undefined);
      if (!base) throw new Error(vscode.l10n.t('Open a folder or workspace first.'));
      const uri = labels.labelsUriFor(base);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        throw new Error(vscode.l10n.t('The labels file {0} does not exist yet: add a class first.', uri.fsPath));
      }
      await vscode.window.showTextDocument(uri);
    }),

    registerCommand('edgeflow.showLog', () => log().show()),
  );
  return d;
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

async function promptAddClass(store: import('./labelsStore').LabelsStore) {
  const existing = store.get();
  const id = nextLabelId(existing);
  if (id === undefined) throw new Error(vscode.l10n.t('All 255 class ids are in use.'));
  const color = newLabelColor(existing);
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Class'),
    prompt: vscode.l10n.t('Name of the new class (id {0})', id),
    validateInput: (v) => checkLabelEdit(existing, { id, name: v, color }),
  });
  if (name === undefined) return undefined;
  return store.add(name, color);
}
