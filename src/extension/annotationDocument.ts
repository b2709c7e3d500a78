/**
 * `AnnotationDocument`: the CustomDocument of one image. A thin adapter around the pure
 * `AnnotationModel`: user edits become VS Code edits (undo/redo closures, dirty marker),
 * `save()` writes the sidecars atomically, `backup()` serialises base + edits for hot exit, and a
 * watcher follows the COCO sidecar on disk (clean documents reload, dirty ones ask).
 */
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import * as vscode from 'vscode';
import { AnnotationEdit, AnnotationModel, AnnotationState, describeEdit, emptyState } from '../shared/annotation';
import {
  COCO_SIDECAR_SUFFIX,
  MASK_SIDECAR_SUFFIX,
  SidecarExtras,
  readCocoSidecar,
  writeCocoSidecar,
} from '../shared/formats/cocoSidecar';
import { encodeMaskSidecar, isOurMaskPng } from '../shared/formats/maskSidecar';
import { maskToPolygons } from '../shared/geometry/contours';
import type { Label } from '../shared/labels';
import { baseName, readFileIfExists, siblingWithSuffix, writeFileAtomic } from './fsUtil';
import { PreparedImage, prepareImage } from './imageSource';
import type { LabelsService, LabelsStore } from './labelsStore';
import { log } from './log';
import { readSettings } from './settings';

/** What documents need from the extension. */
export interface DocumentServices {
  labels: LabelsService;
  /** Folder for converted images. */
  cacheDir: vscode.Uri;
  /** Provenance written into sidecars, e.g. "EdgeFlow Annotator 0.1.0". */
  generator: string;
}

/** Why the state changed (mirrors protocol StateMessage.reason). */
export type StateChangeReason = 'edit' | 'undo' | 'redo' | 'revert' | 'reload';

/** A state change, with the panel that caused it (which already shows it) when there is one. */
export interface StateChange {
  state: AnnotationState;
  reason: StateChangeReason;
  origin?: unknown;
}

/** Result of reading the sidecar from disk. */
interface LoadedSidecar {
  state: AnnotationState;
  /** The exact text on disk (undefined: no sidecar). */
  text: string | undefined;
  /** A readable problem with the file, if any (the state is then empty). */
  problem?: string;
  /** Class ids used by objects but missing from the labels file. */
  categories: { id: number; name: string }[];
  /** Keys of the file the editor does not use, written back on save. */
  extras?: SidecarExtras;
}

function localizedEditLabel(edit: AnnotationEdit): string {
  switch (edit.kind) {
    case 'addObject':
      return vscode.l10n.t('Add Object');
    case 'removeObject':
      return vscode.l10n.t('Delete Object');
    case 'setGeometry':
      return vscode.l10n.t('Edit Polygon');
    case 'setClass':
      return vscode.l10n.t('Change Class');
    case 'setHidden':
      return edit.after ? vscode.l10n.t('Hide Object') : vscode.l10n.t('Show Object');
    case 'reorder':
      return vscode.l10n.t('Reorder Object');
    case 'replaceAll':
      return vscode.l10n.t('Replace All Objects');
    case 'batch':
      return edit.edits.length === 1 ? localizedEditLabel(edit.edits[0]) : describeEdit(edit);
  }
}

export class AnnotationDocument implements vscode.CustomDocument {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  /** Fires when the document is disposed. */
  readonly onDidDispose = this._onDidDispose.event;
  private readonly _onDidEdit = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<AnnotationDocument>>();
  /** User edits, for the provider's onDidChangeCustomDocument. */
  readonly onDidEdit = this._onDidEdit.event;
  private readonly _onDidChangeState = new vscode.EventEmitter<StateChange>();
  /** Any state change (edit, undo, redo, revert, reload): panels refresh. */
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeLabels = new vscode.EventEmitter<readonly Label[]>();
  /** The labels file changed. */
  readonly onDidChangeLabels = this._onDidChangeLabels.event;
  private readonly _onRequestRevert = new vscode.EventEmitter<void>();
  /** The user chose to reload a dirty document from disk: the provider runs VS Code's revert. */
  readonly onRequestRevert = this._onRequestRevert.event;

  /** Bumped on revert/reload: undo closures of older edits become no-ops instead of misapplying. */
  private generation = 0;
  /** Sidecar text we last loaded or wrote: a watcher event with the same text is our own. */
  private syncedSidecarText: string | undefined;
  /** Foreign files the user allowed us to overwrite (URI -> text at the time). */
  private readonly overwriteAllowed = new Map<string, string>();
  private asking = false;
  /** Keys of the sidecar on disk that the editor does not use; written back on save. */
  private sidecarExtras: SidecarExtras | undefined;

  private constructor(
    readonly uri: vscode.Uri,
    readonly image: PreparedImage,
    readonly model: AnnotationModel,
    private readonly labelsStore: LabelsStore,
    labelsRelease: vscode.Disposable,
    private readonly services: DocumentServices,
    loaded: LoadedSidecar,
  ) {
    this.syncedSidecarText = loaded.text;
    this.sidecarExtras = loaded.extras;
    this.disposables.push(labelsRelease, this._onDidDispose, this._onDidEdit, this._onDidChangeState, this._onDidChangeLabels, this._onRequestRevert);
    this.disposables.push(labelsStore.onDidChange((labels) => this._onDidChangeLabels.fire(labels)));
    const dir = uri.with({ path: path.posix.dirname(uri.path) });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, baseName(uri) + COCO_SIDECAR_SUFFIX));
    const onDisk = () => void this.onSidecarChangedOnDisk().catch((e) => log().error(`sidecar watcher: ${(e as Error).stack ?? e}`));
    watcher.onDidChange(onDisk);
    watcher.onDidCreate(onDisk);
    watcher.onDidDelete(onDisk);
    this.disposables.push(watcher);
  }

  /** Opens a document: from a hot-exit backup when `backupId` is given, else from the sidecar. */
  static async create(uri: vscode.Uri, backupId: string | undefined, services: DocumentServices): Promise<AnnotationDocument> {
    const image = await prepareImage(uri, services.cacheDir);
    const { store, release } = await services.labels.acquire(uri);
    try {
      const loaded = await AnnotationDocument.readSidecar(uri, image);
      let model = new AnnotationModel(loaded.state);
      if (backupId) {
        const restored = await AnnotationDocument.readBackup(vscode.Uri.parse(backupId));
        if (restored) model = restored;
      } else if (loaded.problem) {
        void vscode.window.showWarningMessage(loaded.problem);
      }
      const doc = new AnnotationDocument(uri, image, model, store, release, services, loaded);
      doc.offerMissingCategories(loaded.categories);
      return doc;
    } catch (e) {
      release.dispose();
      throw e;
    }
  }

  private static async readBackup(backupUri: vscode.Uri): Promise<AnnotationModel | undefined> {
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

  /** Reads `<image>.coco.json`; a missing file is an empty state, a bad one an empty state + problem. */
  private static async readSidecar(uri: vscode.Uri, image: PreparedImage): Promise<LoadedSidecar> {
    const sidecarUri = siblingWithSuffix(uri, COCO_SIDECAR_SUFFIX);
    const bytes = await readFileIfExists(sidecarUri);
    if (!bytes) return { state: emptyState(), text: undefined, categories: [] };
    const text = Buffer.from(bytes).toString('utf8');
    const r = readCocoSidecar(text, { maskToRegions: (m, w, h) => maskToPolygons(m, w, h) });
    const name = baseName(sidecarUri);
    if (!r.ok) {
      const where = r.error.path ? ` (${r.error.path})` : '';
      log().warn(`${sidecarUri.fsPath}: ${r.error.code}: ${r.error.message}${where}`);
      return {
        state: emptyState(),
        text,
        problem: vscode.l10n.t('Cannot read {0}: {1}{2}. The editor starts empty; saving will ask before replacing the file.', name, r.error.message, where),
        categories: [],
      };
    }
    if (r.value.image.width !== image.width || r.value.image.height !== image.height) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('{0} was made for a {1}x{2} image, but the image is {3}x{4}.', name, r.value.image.width, r.value.image.height, image.width, image.height),
      );
    }
    const used = new Set(r.value.state.objects.map((o) => o.classId));
    return { state: r.value.state, text, categories: r.value.categories.filter((c) => used.has(c.id)), extras: r.value.extras };
  }

  /** Offers to add sidecar categories that objects use but the labels file lacks. */
  private offerMissingCategories(categories: { id: number; name: string }[]): void {
    const known = new Set(this.labelsStore.get().map((l) => l.id));
    const names = new Set(this.labelsStore.get().map((l) => l.name));
    const missing = categories.filter((c) => !known.has(c.id) && !names.has(c.name) && c.id >= 1 && c.id <= 255);
    if (missing.length === 0 || this.labelsStore.error) return;
    const add = vscode.l10n.t('Add to Labels File');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('{0} uses classes missing from the labels file: {1}', baseName(this.uri), missing.map((c) => `${c.id} ${c.name}`).join(', ')),
        add,
      )
      .then(async (choice) => {
        if (choice !== add) return;
        try {
          await this.labelsStore.addWithIds(missing);
        } catch (e) {
          void vscode.window.showErrorMessage((e as Error).message);
        }
      });
  }

  /** The COCO sidecar of this image. */
  get sidecarUri(): vscode.Uri {
    return siblingWithSuffix(this.uri, COCO_SIDECAR_SUFFIX);
  }

  /** The labels (classes) that apply to this image. */
  get labels(): readonly Label[] {
    return this.labelsStore.get();
  }

  /** The labels store (for class edits from the UI). */
  get labelsFile(): LabelsStore {
    return this.labelsStore;
  }

  /** Unsaved changes exist (edits applied since the last save/load). */
  get isDirty(): boolean {
    return this.model.appliedEdits.length > 0;
  }

  /**
   * Applies a finished user action and hands it to VS Code's undo stack. Throws (EditConflictError)
   * when the edit does not fit the current state; the caller resyncs the webview.
   */
  applyEdit(edit: AnnotationEdit, origin?: unknown): void {
    this.model.apply(edit);
    const gen = this.generation;
    this._onDidChangeState.fire({ state: this.model.state, reason: 'edit', origin });
    this._onDidEdit.fire({
      document: this,
      label: localizedEditLabel(edit),
      undo: () => this.replay(gen, () => this.model.undo(edit), 'undo'),
      redo: () => this.replay(gen, () => this.model.apply(edit), 'redo'),
    });
  }

  private replay(gen: number, action: () => void, reason: 'undo' | 'redo'): void {
    if (gen !== this.generation) {
      log().info(`${reason} skipped: ${baseName(this.uri)} was reloaded since that edit`);
      return;
    }
    try {
      action();
    } catch (e) {
      log().error(`${reason} failed: ${(e as Error).stack ?? e}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot {0}: {1}', reason, (e as Error).message));
      return;
    }
    this._onDidChangeState.fire({ state: this.model.state, reason });
  }

  /** Writes the sidecars of this image (Save). */
  async save(cancellation?: vscode.CancellationToken): Promise<void> {
    await this.writeSidecars(this.uri, cancellation);
    this.model.markSaved();
  }

  /** Save As: copies the image to `target` and writes sidecars beside the copy. */
  async saveAs(target: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    if (target.toString() !== this.uri.toString()) {
      await vscode.workspace.fs.copy(this.uri, target, { overwrite: true });
    }
    await this.writeSidecars(target, cancellation);
  }

  /** Revert: reloads the sidecar from disk (the document becomes clean). */
  async revert(): Promise<void> {
    const loaded = await AnnotationDocument.readSidecar(this.uri, this.image);
    if (loaded.problem) void vscode.window.showWarningMessage(loaded.problem);
    this.resetTo(loaded, 'revert');
  }

  private resetTo(loaded: LoadedSidecar, reason: 'revert' | 'reload'): void {
    this.generation++;
    this.syncedSidecarText = loaded.text;
    this.sidecarExtras = loaded.extras;
    this.model.reset(loaded.state);
    this._onDidChangeState.fire({ state: this.model.state, reason });
  }

  /** Hot exit: writes base state + edits to `destination`. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.createDirectory(destination.with({ path: path.posix.dirname(destination.path) }));
    await vscode.workspace.fs.writeFile(destination, Buffer.from(this.model.backupJson(), 'utf8'));
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

  private async writeSidecars(imageUri: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    const settings = readSettings(imageUri);
    const labels = this.labelsStore.get();
    const image = { fileName: baseName(imageUri), width: this.image.width, height: this.image.height };
    const cocoUri = siblingWithSuffix(imageUri, COCO_SIDECAR_SUFFIX);
    const extras = imageUri.toString() === this.uri.toString() ? this.sidecarExtras : undefined;
    const text = writeCocoSidecar(image, labels, this.model.state, { generator: this.services.generator, extras });
    await this.confirmOverwrite(cocoUri, (bytes) => {
      const r = readCocoSidecar(Buffer.from(bytes).toString('utf8'));
      return r.ok && r.value.ours;
    });
    if (cancellation?.isCancellationRequested) throw new vscode.CancellationError();
    const isSelf = imageUri.toString() === this.uri.toString();
    if (isSelf) this.syncedSidecarText = text;
    await writeFileAtomic(cocoUri, text);
    log().info(`saved ${cocoUri.fsPath} (${this.model.state.objects.length} objects)`);
    if (settings.sidecarFormats.includes('mask')) {
      const maskUri = siblingWithSuffix(imageUri, MASK_SIDECAR_SUFFIX);
      const png = encodeMaskSidecar(this.model.state, labels, this.image.width, this.image.height, (d) => deflateSync(d));
      await this.confirmOverwrite(maskUri, isOurMaskPng);
      await writeFileAtomic(maskUri, png);
      log().info(`saved ${maskUri.fsPath}`);
    }
  }

  /**
   * Never silently replaces a file we did not write: when `target` exists and `isOurs` says no,
   * ask (modal). Declining cancels the save.
   */
  private async confirmOverwrite(target: vscode.Uri, isOurs: (bytes: Uint8Array) => boolean): Promise<void> {
    const bytes = await readFileIfExists(target);
    if (!bytes || isOurs(bytes)) return;
    const fingerprint = Buffer.from(bytes).toString('base64');
    if (this.overwriteAllowed.get(target.toString()) === fingerprint) return;
    const overwrite = vscode.l10n.t('Overwrite');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} exists and was not written by EdgeFlow Annotator. Overwrite it?', baseName(target)),
      { modal: true, detail: target.fsPath },
      overwrite,
    );
    if (choice !== overwrite) {
      throw new Error(vscode.l10n.t('Not saved: {0} was left unchanged.', baseName(target)));
    }
    this.overwriteAllowed.set(target.toString(), fingerprint);
  }

  /** The sidecar changed on disk (git checkout, another tool, another window). */
  private async onSidecarChangedOnDisk(): Promise<void> {
    const bytes = await readFileIfExists(this.sidecarUri);
    const text = bytes ? Buffer.from(bytes).toString('utf8') : undefined;
    if (text === this.syncedSidecarText) return;
    if (!this.isDirty) {
      const loaded = await AnnotationDocument.readSidecar(this.uri, this.image);
      if (loaded.problem) void vscode.window.showWarningMessage(loaded.problem);
      log().info(`reloaded ${this.sidecarUri.fsPath} after a change on disk`);
      this.resetTo(loaded, 'reload');
      return;
    }
    if (this.asking) return;
    this.asking = true;
    try {
      const reload = vscode.l10n.t('Reload from Disk');
      const keep = vscode.l10n.t('Keep My Changes');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('The annotations of {0} changed on disk, and you have unsaved changes.', baseName(this.uri)),
        reload,
        keep,
      );
      if (choice === reload) {
        this._onRequestRevert.fire();
      } else {
        // Keep mine: this disk version has been seen; saving will replace it.
        this.syncedSidecarText = text;
      }
    } finally {
      this.asking = false;
    }
  }

  dispose(): void {
    this._onDidDispose.fire();
    for (const d of this.disposables) d.dispose();
  }
}
