/**
 * `AnnotationDocument`: the CustomDocument of one image. A thin adapter around the pure
 * `AnnotationModel`: user edits become VS Code edits (undo/redo closures, dirty marker),
 * `save()` writes the sidecars atomically, `backup()` serialises base + edits for hot exit, and a
 * watcher follows the COCO sidecar on disk (clean documents reload, dirty ones ask).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import * as vscode from 'vscode';
import { AnnotationEdit, AnnotationModel, AnnotationState, describeEdit, emptyState } from '../shared/annotation';
import { Result, err } from '../shared/annotation/result';
import {
  COCO_SIDECAR_SUFFIX,
  MASK_SIDECAR_SUFFIX,
  SIDECAR_LIMITS,
  SidecarContent,
  SidecarError,
  SidecarExtras,
  readCocoSidecar,
  writeCocoSidecar,
} from '../shared/formats/cocoSidecar';
import type { ReadOnlyInfo, SidecarAction } from '../shared/protocol';
import { JsonProblem, clearFileProblems, setFileProblems } from './diagnostics';
import { encodeMaskSidecar, isOurMaskPng } from '../shared/formats/maskSidecar';
import { maskToPolygons } from '../shared/geometry/contours';
import type { Label } from '../shared/labels';
import { baseName, mtimeIfExists, readFileIfExists, removeStaleTempFiles, siblingWithSuffix, writeFileAtomic } from './fsUtil';
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

/** An edit was refused because the document is read-only (its sidecar could not be read). */
export class ReadOnlyDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlyDocumentError';
  }
}

/** `<file>.bak-<UTC timestamp>`, e.g. `street.png.coco.json.bak-20261121T101500Z`. */
export function backupName(fileName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${fileName}.bak-${stamp}`;
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
  /** The exact text on disk (undefined: no sidecar, or one too large to read). */
  text: string | undefined;
  /** A readable problem with the file, if any (the state then holds what could be read). */
  problem?: string;
  /** Set when the file could not be read completely: the editor shows what it could, read-only. */
  readOnly?: ReadOnlyInfo;
  /** Everything found wrong (errors and warnings), for the Problems panel. */
  problems: JsonProblem[];
  /** Each object's class id and where it is in the file (for "not in the labels file" warnings). */
  classRefs?: { classId: number; path: string }[];
  /** Class ids used by objects but missing from the labels file. */
  categories: { id: number; name: string }[];
  /** Keys of the file the editor does not use, written back on save. */
  extras?: SidecarExtras;
}

/** Sidecars larger than this are parsed in a worker thread (sidecarWorker.ts). */
const WORKER_PARSE_BYTES = 2 * 1024 * 1024;

/**
 * Lenient read of a sidecar's text: small files here, large ones in a worker thread so the
 * extension host stays responsive (measured on a 41 MB file: the longest stall of the host's
 * event loop went from 1.5-3.3 s to about 1 s; the rest is building the model and posting it to
 * the webview). Falls back to reading here when the worker cannot run.
 */
async function readSidecarText(text: string, bytes: Uint8Array): Promise<Result<SidecarContent, SidecarError>> {
  const here = () => readCocoSidecar(text, { maskToRegions: (m, w, h) => maskToPolygons(m, w, h), lenient: true });
  const script = path.join(__dirname, 'sidecarWorker.js');
  if (bytes.length <= WORKER_PARSE_BYTES || !existsSync(script)) return here();
  const started = Date.now();
  return new Promise((resolve) => {
    const worker = new Worker(script);
    let settled = false;
    const done = (r: Result<SidecarContent, SidecarError>) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(r);
    };
    worker.once('message', (json: string) => {
      log().info(`parsed a ${(bytes.length / 1048576).toFixed(1)} MB sidecar in a worker in ${Date.now() - started} ms`);
      done(JSON.parse(json) as Result<SidecarContent, SidecarError>);
    });
    worker.once('error', (e) => {
      log().warn(`sidecar worker failed (${e.message}); reading on the main thread`);
      done(here());
    });
    worker.once('exit', (code) => done(err({ code: 'too-large', message: `The file could not be read (the reader stopped with code ${code})` })));
    // A copy the worker owns (transferred): `bytes` may be a view the caller still uses.
    const copy = new Uint8Array(bytes);
    worker.postMessage({ bytes: copy }, [copy.buffer]);
  });
}

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
  private readonly _onDidChangeReadOnly = new vscode.EventEmitter<ReadOnlyInfo | undefined>();
  /** The document became read-only (its sidecar could not be read) or editable again. */
  readonly onDidChangeReadOnly = this._onDidChangeReadOnly.event;
  /** Set while the sidecar on disk could not be read completely. */
  private readOnlyInfo: ReadOnlyInfo | undefined;
  /** The sidecar on disk as last read or written, and what is wrong with it (Problems panel). */
  private disk: { text: string | undefined; problems: JsonProblem[]; classRefs: { classId: number; path: string }[] } = { text: undefined, problems: [], classRefs: [] };

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
    this.readOnlyInfo = loaded.readOnly;
    this.setDisk(loaded.text, loaded.problems, loaded.classRefs ?? []);
    this.disposables.push(labelsStore.onDidChange(() => this.refreshDiagnostics()));
    this.disposables.push(labelsRelease, this._onDidDispose, this._onDidEdit, this._onDidChangeState, this._onDidChangeLabels, this._onRequestRevert, this._onDidChangeReadOnly);
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
    // A save that died with its process (crash, kill) leaves its temporary file: tidy it away.
    for (const suffix of [COCO_SIDECAR_SUFFIX, MASK_SIDECAR_SUFFIX]) {
      void removeStaleTempFiles(siblingWithSuffix(uri, suffix)).then((n) => {
        if (n) log().info(`removed ${n} temporary file(s) of an interrupted save of ${baseName(uri)}${suffix}`);
      });
    }
    const { store, release } = await services.labels.acquire(uri);
    try {
      const loaded = await AnnotationDocument.readSidecar(uri, image);
      let model = new AnnotationModel(loaded.state);
      let restored: AnnotationModel | undefined;
      if (backupId) restored = await AnnotationDocument.readBackup(vscode.Uri.parse(backupId));
      // Unsaved work restored after hot exit stays editable; saving it asks before replacing
      // the unreadable file and keeps a backup copy of it.
      if (restored) {
        model = restored;
        log().info(`${baseName(uri)}: restored ${restored.state.objects.length} object(s) with ${restored.appliedEdits.length} unsaved edit(s) from a backup`);
      } else if (backupId) {
        log().info(`${baseName(uri)}: no usable backup, opened from the sidecar`);
      }
      const doc = new AnnotationDocument(uri, image, model, store, release, services, restored ? { ...loaded, readOnly: undefined } : loaded);
      if (!restored && loaded.problem) doc.announceProblem(loaded);
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

  /**
   * Reads `<image>.coco.json`. A missing file is an empty state; a file that cannot be read
   * completely gives what could be read, marked read-only with the problems for the Problems panel.
   */
  private static async readSidecar(uri: vscode.Uri, image: PreparedImage): Promise<LoadedSidecar> {
    const sidecarUri = siblingWithSuffix(uri, COCO_SIDECAR_SUFFIX);
    const name = baseName(sidecarUri);
    const empty = { state: emptyState(), categories: [] };
    let size: number | undefined;
    try {
      size = (await vscode.workspace.fs.stat(sidecarUri)).size;
    } catch {
      return { ...empty, text: undefined, problems: [] };
    }
    if (size > SIDECAR_LIMITS.maxBytes) {
      // Not even read: parsing hundreds of megabytes would stall the extension host.
      const message = vscode.l10n.t(
        '{0} is too large to open ({1} MB; the limit is {2} MB).',
        name,
        (size / 1048576).toFixed(1),
        (SIDECAR_LIMITS.maxBytes / 1048576).toFixed(0),
      );
      log().warn(`${sidecarUri.fsPath}: ${message}`);
      return {
        ...empty,
        text: undefined,
        problem: message,
        readOnly: { reason: message, actions: ['overwrite'] },
        problems: [{ severity: 'error', message, code: 'too-large', offset: 0 }],
      };
    }
    const bytes = await readFileIfExists(sidecarUri);
    if (!bytes) return { ...empty, text: undefined, problems: [] };
    const text = Buffer.from(bytes).toString('utf8');
    const r = await readSidecarText(text, bytes);
    if (!r.ok) {
      const where = r.error.path ? ` (${r.error.path})` : '';
      log().warn(`${sidecarUri.fsPath}: ${r.error.code}: ${r.error.message}${where}`);
      const message = vscode.l10n.t('Cannot read {0}: {1}{2}.', name, r.error.message, where);
      return {
        ...empty,
        text,
        problem: message,
        readOnly: { reason: message, actions: ['overwrite', 'openSidecar'] },
        problems: [{ severity: 'error', message: r.error.message, path: r.error.path, offset: r.error.offset, code: r.error.code }],
      };
    }
    const problems: JsonProblem[] = r.value.issues.map((i) => ({ severity: i.severity, message: i.message, path: i.path, code: i.code }));
    if (!image.error && (r.value.image.width !== image.width || r.value.image.height !== image.height)) {
      const message = vscode.l10n.t('{0} was made for a {1}x{2} image, but the image is {3}x{4}.', name, r.value.image.width, r.value.image.height, image.width, image.height);
      void vscode.window.showWarningMessage(message);
      problems.push({ severity: 'warning', message, path: 'images[0]', code: 'size-mismatch' });
    }
    const used = new Set(r.value.state.objects.map((o) => o.classId));
    const loaded: LoadedSidecar = {
      state: r.value.state,
      text,
      categories: r.value.categories.filter((c) => used.has(c.id)),
      extras: r.value.extras,
      problems,
      classRefs: r.value.state.objects.map((o, k) => ({ classId: o.classId, path: `annotations[${r.value.sourceIndex[k]}].category_id` })),
    };
    const errors = r.value.issues.filter((i) => i.severity === 'error');
    if (errors.length) {
      for (const e of errors) log().warn(`${sidecarUri.fsPath}: ${e.code}: ${e.message}${e.path ? ` (${e.path})` : ''}`);
      const message = vscode.l10n.t(
        '{0} has {1} problem(s) (first: {2}). Showing the {3} object(s) that could be read; the editor is read-only until the file is repaired.',
        name,
        errors.length,
        errors[0].path ? `${errors[0].message} (${errors[0].path})` : errors[0].message,
        r.value.state.objects.length,
      );
      loaded.problem = message;
      loaded.readOnly = { reason: message, actions: ['repair', 'overwrite', 'openSidecar'] };
    }
    return loaded;
  }

  /** Records the sidecar on disk and shows its problems. */
  private setDisk(text: string | undefined, problems: JsonProblem[], classRefs: { classId: number; path: string }[]): void {
    this.disk = { text, problems, classRefs };
    this.refreshDiagnostics();
  }

  /**
   * The Problems-panel entries of the sidecar: what the reader found, plus one warning per class
   * id that objects use but the labels file lacks (at its first use; redone when labels change).
   */
  private refreshDiagnostics(): void {
    const unknown: JsonProblem[] = [];
    if (!this.labelsStore.error) {
      const known = new Set(this.labelsStore.get().map((l) => l.id));
      const uses = new Map<number, { path: string; count: number }>();
      for (const ref of this.disk.classRefs) {
        if (known.has(ref.classId)) continue;
        const u = uses.get(ref.classId);
        if (u) u.count++;
        else uses.set(ref.classId, { path: ref.path, count: 1 });
      }
      for (const [classId, u] of uses) {
        unknown.push({
          severity: 'warning',
          message: vscode.l10n.t('class id {0} (used by {1} object(s)) is not in the labels file {2}', classId, u.count, this.labelsStore.uri.fsPath),
          path: u.path,
          code: 'unknown-class',
        });
      }
    }
    setFileProblems(this.sidecarUri, this.disk.text, [...this.disk.problems, ...unknown]);
  }

  /** Tells the user why the editor is read-only, with the same actions as the banner. */
  private announceProblem(loaded: LoadedSidecar): void {
    if (!loaded.problem) return;
    const actions = loaded.readOnly?.actions ?? [];
    const labels = new Map<string, SidecarAction>(actions.map((a) => [actionLabel(a), a]));
    void vscode.window.showWarningMessage(loaded.problem, ...labels.keys()).then((choice) => {
      const action = choice ? labels.get(choice) : undefined;
      if (action) void this.runSidecarAction(action).catch((e) => void vscode.window.showErrorMessage((e as Error).message));
    });
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

  /** Copies (or moves) `file` to a free `<name>.bak-<timestamp>[-n]` beside it; returns its URI. */
  private async backupFile(file: vscode.Uri, move: boolean): Promise<vscode.Uri> {
    const base = backupName(baseName(file));
    let target: vscode.Uri;
    for (let n = 0; ; n++) {
      target = file.with({ path: path.posix.join(path.posix.dirname(file.path), n ? `${base}-${n}` : base) });
      if ((await mtimeIfExists(target)) === undefined) break;
    }
    if (move) await vscode.workspace.fs.rename(file, target, { overwrite: false });
    else await vscode.workspace.fs.copy(file, target, { overwrite: false });
    log().info(`kept a backup of ${file.fsPath} as ${target.fsPath}`);
    return target;
  }

  /**
   * Repair: after a modal confirmation, keeps a backup copy of the file and rewrites it with
   * what could be read (bad annotations dropped, duplicate ids renumbered), then reloads.
   */
  private async repairSidecar(): Promise<boolean> {
    if (!this.readOnlyInfo?.actions.includes('repair')) return false;
    const name = baseName(this.sidecarUri);
    const repair = vscode.l10n.t('Repair');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Rewrite {0} with the {1} object(s) that could be read? Entries that could not be read are dropped.', name, this.model.state.objects.length),
      { modal: true, detail: vscode.l10n.t('The current file is kept as {0}.', backupName(name)) },
      repair,
    );
    if (choice !== repair) return false;
    const backup = await this.backupFile(this.sidecarUri, false);
    const image = { fileName: baseName(this.uri), width: this.image.width, height: this.image.height };
    const text = writeCocoSidecar(image, this.labelsStore.get(), this.model.state, { generator: this.services.generator, extras: this.sidecarExtras });
    this.syncedSidecarText = text;
    await writeFileAtomic(this.sidecarUri, text);
    this.resetTo(await AnnotationDocument.readSidecar(this.uri, this.image), 'reload');
    void vscode.window.showInformationMessage(vscode.l10n.t('Repaired {0}; the old file is {1}.', name, baseName(backup)));
    return true;
  }

  /**
   * Overwrite: after a modal confirmation, moves the unreadable file aside as a backup, and the
   * editor starts empty and editable (Save writes a new sidecar).
   */
  private async replaceUnreadableSidecar(): Promise<boolean> {
    if (!this.readOnlyInfo) return false;
    const name = baseName(this.sidecarUri);
    const overwrite = vscode.l10n.t('Start Over');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Start over with no annotations for {0}?', baseName(this.uri)),
      { modal: true, detail: vscode.l10n.t('{0} is moved aside as {1}, not deleted.', name, backupName(name)) },
      overwrite,
    );
    if (choice !== overwrite) return false;
    const backup = await this.backupFile(this.sidecarUri, true);
    this.resetTo(await AnnotationDocument.readSidecar(this.uri, this.image), 'reload');
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} was moved to {1}; the editor starts empty.', name, baseName(backup)));
    return true;
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
    if (this.readOnlyInfo) throw new ReadOnlyDocumentError(this.readOnlyInfo.reason);
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

  /** Revert: reloads the sidecar from disk (the document becomes clean). */
  async revert(): Promise<void> {
    const loaded = await AnnotationDocument.readSidecar(this.uri, this.image);
    if (loaded.problem) this.announceProblem(loaded);
    this.resetTo(loaded, 'revert');
  }

  private resetTo(loaded: LoadedSidecar, reason: 'revert' | 'reload'): void {
    this.generation++;
    this.syncedSidecarText = loaded.text;
    this.sidecarExtras = loaded.extras;
    this.setDisk(loaded.text, loaded.problems, loaded.classRefs ?? []);
    const wasReadOnly = JSON.stringify(this.readOnlyInfo ?? null);
    this.readOnlyInfo = loaded.readOnly;
    this.model.reset(loaded.state);
    if (JSON.stringify(this.readOnlyInfo ?? null) !== wasReadOnly) this._onDidChangeReadOnly.fire(this.readOnlyInfo);
    this._onDidChangeState.fire({ state: this.model.state, reason });
  }

  /** Hot exit: writes base state + edits to `destination`. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.createDirectory(destination.with({ path: path.posix.dirname(destination.path) }));
    // Atomic like a save: a crash while VS Code takes the backup must not leave half a backup.
    await writeFileAtomic(destination, this.model.backupJson());
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
    const replacing = await this.confirmOverwrite(cocoUri, (bytes) => {
      // Our own file that reads cleanly; size first: a huge file is not ours to parse here.
      if (bytes.length > SIDECAR_LIMITS.maxBytes) return false;
      const r = readCocoSidecar(Buffer.from(bytes).toString('utf8'));
      return r.ok && r.value.ours;
    });
    if (cancellation?.isCancellationRequested) throw new vscode.CancellationError();
    const isSelf = imageUri.toString() === this.uri.toString();
    // A file we did not write (or cannot read) that the user agreed to replace: keep a copy.
    if (replacing) await this.backupFile(cocoUri, false);
    if (isSelf) this.syncedSidecarText = text;
    await writeFileAtomic(cocoUri, text);
    // What we wrote has no reader problems; annotations are in object order.
    if (isSelf) this.setDisk(text, [], this.model.state.objects.map((o, i) => ({ classId: o.classId, path: `annotations[${i}].category_id` })));
    log().info(`saved ${cocoUri.fsPath} (${this.model.state.objects.length} objects)`);
    if (settings.sidecarFormats.includes('mask')) {
      const maskUri = siblingWithSuffix(imageUri, MASK_SIDECAR_SUFFIX);
      const png = encodeMaskSidecar(this.model.state, labels, this.image.width, this.image.height, (d) => deflateSync(d));
      if (await this.confirmOverwrite(maskUri, isOurMaskPng)) await this.backupFile(maskUri, false);
      await writeFileAtomic(maskUri, png);
      log().info(`saved ${maskUri.fsPath}`);
    }
  }

  /**
   * Never silently replaces a file we did not write or cannot read: when `target` exists and
   * `isOurs` says no, ask (modal). Declining cancels the save. Resolves true when the user just
   * agreed to replace such a file (the caller keeps a backup copy of it first).
   */
  private async confirmOverwrite(target: vscode.Uri, isOurs: (bytes: Uint8Array) => boolean): Promise<boolean> {
    const bytes = await readFileIfExists(target);
    if (!bytes || isOurs(bytes)) return false;
    const fingerprint = createHash('sha256').update(bytes).digest('base64');
    if (this.overwriteAllowed.get(target.toString()) === fingerprint) return false;
    const overwrite = vscode.l10n.t('Overwrite');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} exists and was not written by EdgeFlow Annotator, or cannot be read. Overwrite it?', baseName(target)),
      { modal: true, detail: vscode.l10n.t('{0}\nA copy is kept as {1}.', target.fsPath, backupName(baseName(target))) },
      overwrite,
    );
    if (choice !== overwrite) {
      throw new Error(vscode.l10n.t('Not saved: {0} was left unchanged.', baseName(target)));
    }
    this.overwriteAllowed.set(target.toString(), fingerprint);
    return true;
  }

  /** The sidecar changed on disk (git checkout, another tool, another window). */
  private async onSidecarChangedOnDisk(): Promise<void> {
    // A file too large to parse is not read into memory either (readSidecar reports it).
    const stat = await vscode.workspace.fs.stat(this.sidecarUri).then(
      (st) => st,
      () => undefined,
    );
    const tooLarge = !!stat && stat.size > SIDECAR_LIMITS.maxBytes;
    const bytes = tooLarge ? undefined : await readFileIfExists(this.sidecarUri);
    const text = bytes ? Buffer.from(bytes).toString('utf8') : undefined;
    if (text === this.syncedSidecarText && !tooLarge) return;
    if (!this.isDirty) {
      const loaded = await AnnotationDocument.readSidecar(this.uri, this.image);
      if (loaded.problem && !this.readOnlyInfo) this.announceProblem(loaded);
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
    clearFileProblems(this.sidecarUri);
    this._onDidDispose.fire();
    for (const d of this.disposables) d.dispose();
  }
}
