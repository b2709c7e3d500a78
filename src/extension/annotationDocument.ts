/**
 * `AnnotationDocument`: the CustomDocument of one image. A thin adapter around the pure
 * `AnnotationModel`: user edits become VS Code edits (undo/redo closures, dirty marker); `save()`,
 * `revert()` and changes on disk go through the image's `SidecarStore` (sidecar/sidecarStore.ts:
 * atomic writes, no file we did not write replaced without asking, a watcher that reloads a clean
 * document and asks a dirty one); `backup()` serialises base + edits for hot exit
 * (documentBackup.ts). While the sidecar cannot be read completely the document is read-only,
 * with Repair… and Overwrite… (their questions in sidecar/sidecarPrompts.ts); the sidecar's
 * Problems-panel entries are sidecar/sidecarDiagnostics.ts.
 */
import * as vscode from 'vscode';
import { AnnotationEdit, AnnotationModel, AnnotationState, withReviewRule } from '../shared/annotation';
import type { Label } from '../shared/labels';
import type { ReadOnlyInfo, SidecarAction } from '../shared/protocol';
import { clearFileProblems, setFileProblems } from './diagnostics';
import { readBackup, writeBackup } from './documentBackup';
import { localizedEditLabel } from './editLabel';
import { PreparedImage, prepareImage } from './imageSource';
import type { LabelsService, LabelsStore } from './labelsStore';
import { log } from './log';
import { readSettings } from './settings';
import { SidecarDiagnostics } from './sidecar/sidecarDiagnostics';
import { announceProblem, confirmRepair, confirmStartOver, offerMissingCategories, showMovedAside, showRepaired } from './sidecar/sidecarPrompts';
import type { LoadedSidecar, SidecarStore } from './sidecar/sidecarStore';
import { createSidecarStore } from './sidecar/workspaceStore';
import { baseName } from './uriPath';

/** What documents need from the extension. */
export interface DocumentServices {
  labels: LabelsService;
  /** Folder for converted images. */
  cacheDir: vscode.Uri;
  /** Provenance written into sidecars, e.g. "EdgeFlow Annotator 0.1.0". */
  generator: string;
}

/** An edit was refused because the document is read-only (its sidecar could not be read). */
export class ReadOnlyDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlyDocumentError';
  }
}

/** Why the state changed (mirrors protocol StateMessage.reason). */
export type StateChangeReason = 'edit' | 'undo' | 'redo' | 'revert' | 'reload';

/** A state change, with the panel that caused it (which already shows it) when there is one. */
export interface StateChange {
  state: AnnotationState;
  reason: StateChangeReason;
  origin?: unknown;
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
  private readonly _onDidChangeReadOnly = new vscode.EventEmitter<ReadOnlyInfo | undefined>();
  /** The document became read-only (its sidecar could not be read) or editable again. */
  readonly onDidChangeReadOnly = this._onDidChangeReadOnly.event;
  /** Set while the sidecar on disk could not be read completely. */
  private readOnlyInfo: ReadOnlyInfo | undefined;
  /** Bumped on revert/reload: undo closures of older edits become no-ops instead of misapplying. */
  private generation = 0;
  /** The sidecar's entries in the Problems panel. */
  private readonly problems: SidecarDiagnostics;

  private constructor(
    readonly uri: vscode.Uri,
    readonly image: PreparedImage,
    readonly model: AnnotationModel,
    private readonly labelsStore: LabelsStore,
    labelsRelease: vscode.Disposable,
    private readonly store: SidecarStore,
    loaded: LoadedSidecar,
  ) {
    this.problems = new SidecarDiagnostics(store.sidecarUri, labelsStore, { set: setFileProblems, clear: clearFileProblems }, vscode.l10n.t);
    this.readOnlyInfo = loaded.readOnly;
    this.problems.setDisk(loaded.text, loaded.problems, loaded.classRefs ?? []);
    this.disposables.push(labelsStore.onDidChange(() => this.problems.refresh()));
    this.disposables.push(labelsRelease, this._onDidDispose, this._onDidEdit, this._onDidChangeState, this._onDidChangeLabels, this._onRequestRevert, this._onDidChangeReadOnly);
    this.disposables.push(labelsStore.onDidChange((labels) => this._onDidChangeLabels.fire(labels)));
    this.disposables.push(
      store.watch({
        isDirty: () => this.isDirty,
        reload: () => this.reloadFromDisk(),
        requestRevert: () => this._onRequestRevert.fire(),
      }),
    );
  }

  /** Opens a document: from a hot-exit backup when `backupId` is given, else from the sidecar. */
  static async create(uri: vscode.Uri, backupId: string | undefined, services: DocumentServices): Promise<AnnotationDocument> {
    const image = await prepareImage(uri, services.cacheDir);
    const store = createSidecarStore(uri, image, services.generator);
    store.removeInterruptedSaves();
    const { store: labelsStore, release } = await services.labels.acquire(uri);
    try {
      const loaded = await store.load();
      let model = new AnnotationModel(loaded.state);
      let restored: AnnotationModel | undefined;
      if (backupId) restored = await readBackup(vscode.Uri.parse(backupId));
      // Unsaved work restored after hot exit stays editable; saving it asks before replacing
      // the unreadable file and keeps a backup copy of it.
      if (restored) {
        model = restored;
        log().info(`${baseName(uri)}: restored ${restored.state.objects.length} object(s) with ${restored.appliedEdits.length} unsaved edit(s) from a backup`);
      } else if (backupId) {
        log().info(`${baseName(uri)}: no usable backup, opened from the sidecar`);
      }
      const doc = new AnnotationDocument(uri, image, model, labelsStore, release, store, restored ? { ...loaded, readOnly: undefined } : loaded);
      if (!restored && loaded.problem) doc.announceProblem(loaded);
      offerMissingCategories(baseName(uri), loaded.categories, labelsStore);
      return doc;
    } catch (e) {
      release.dispose();
      throw e;
    }
  }

  /** Tells the user why the editor is read-only, with the same actions as the banner. */
  private announceProblem(loaded: LoadedSidecar): void {
    if (!loaded.problem) return;
    announceProblem(loaded.problem, loaded.readOnly?.actions ?? [], (action) => this.runSidecarAction(action));
  }

  /** Why the document is read-only, or undefined when it is editable. */
  get readOnly(): ReadOnlyInfo | undefined {
    return this.readOnlyInfo;
  }

  /** Runs a banner action; resolves true when something changed on disk. */
  async runSidecarAction(action: SidecarAction): Promise<boolean> {
    switch (action) {
      case 'repair':
        return this.repairSidecar();
      case 'overwrite':
        return this.replaceUnreadableSidecar();
      case 'openSidecar':
        await vscode.commands.executeCommand('vscode.open', this.sidecarUri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
        return false;
    }
  }

  /**
   * Repair: after a modal confirmation, keeps a backup copy of the file and rewrites it with
   * what could be read (bad annotations dropped, duplicate ids renumbered), then reloads.
   */
  private async repairSidecar(): Promise<boolean> {
    if (!this.readOnlyInfo?.actions.includes('repair')) return false;
    const name = baseName(this.sidecarUri);
    if (!(await confirmRepair(name, this.model.state.objects.length))) return false;
    const backup = await this.store.rewrite(this);
    this.resetTo(await this.store.load(), 'reload');
    showRepaired(name, backup);
    return true;
  }

  /**
   * Overwrite: after a modal confirmation, moves the unreadable file aside as a backup, and the
   * editor starts empty and editable (Save writes a new sidecar).
   */
  private async replaceUnreadableSidecar(): Promise<boolean> {
    if (!this.readOnlyInfo) return false;
    const name = baseName(this.sidecarUri);
    if (!(await confirmStartOver(baseName(this.uri), name))) return false;
    const backup = await this.store.moveAside();
    this.resetTo(await this.store.load(), 'reload');
    showMovedAside(name, backup);
    return true;
  }

  /** The COCO sidecar of this image. */
  get sidecarUri(): vscode.Uri {
    return this.store.sidecarUri;
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
  applyEdit(userEdit: AnnotationEdit, origin?: unknown): void {
    if (this.readOnlyInfo) throw new ReadOnlyDocumentError(this.readOnlyInfo.reason);
    // An edit of an approved image also clears the approval, in the same undo step.
    const edit = withReviewRule(this.model.state, userEdit);
    this.model.apply(edit);
    const gen = this.generation;
    this._onDidChangeState.fire({ state: this.model.state, reason: 'edit', origin });
    this._onDidEdit.fire({
      document: this,
      label: localizedEditLabel(userEdit),
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
    if (this.readOnlyInfo) throw new ReadOnlyDocumentError(this.readOnlyInfo.reason);
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

  private writeSidecars(imageUri: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    return this.store.save(imageUri, this, {
      formats: readSettings(imageUri).sidecarFormats,
      throwIfCancelled: () => {
        if (cancellation?.isCancellationRequested) throw new vscode.CancellationError();
      },
      // What we wrote has no reader problems; annotations are in object order.
      onWritten: (text) => this.problems.setDisk(text, [], this.model.state.objects.map((o, i) => ({ classId: o.classId, path: `annotations[${i}].category_id` }))),
    });
  }

  /** Revert: reloads the sidecar from disk (the document becomes clean). */
  async revert(): Promise<void> {
    const loaded = await this.store.load();
    if (loaded.problem) this.announceProblem(loaded);
    this.resetTo(loaded, 'revert');
  }

  /** The sidecar changed on disk and the document is clean: show the file's new content. */
  private async reloadFromDisk(): Promise<void> {
    const loaded = await this.store.load();
    if (loaded.problem && !this.readOnlyInfo) this.announceProblem(loaded);
    log().info(`reloaded ${this.sidecarUri.fsPath} after a change on disk`);
    this.resetTo(loaded, 'reload');
  }

  private resetTo(loaded: LoadedSidecar, reason: 'revert' | 'reload'): void {
    this.generation++;
    this.problems.setDisk(loaded.text, loaded.problems, loaded.classRefs ?? []);
    const wasReadOnly = JSON.stringify(this.readOnlyInfo ?? null);
    this.readOnlyInfo = loaded.readOnly;
    this.model.reset(loaded.state);
    if (JSON.stringify(this.readOnlyInfo ?? null) !== wasReadOnly) this._onDidChangeReadOnly.fire(this.readOnlyInfo);
    this._onDidChangeState.fire({ state: this.model.state, reason });
  }

  /** Hot exit: writes base state + edits to `destination`. */
  backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    return writeBackup(destination, this.model.backupJson());
  }

  dispose(): void {
    this.problems.clear();
    this._onDidDispose.fire();
    for (const d of this.disposables) d.dispose();
  }
}
