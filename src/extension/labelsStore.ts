/**
 * The workspace labels file: one `LabelsStore` per file, shared by every editor whose image lives
 * in the same workspace folder; watched so edits from another window, git or a text editor show up
 * at once. Writes are atomic and never replace a file that failed to parse.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  Label,
  LabelsExtras,
  LabelsFile,
  MAX_LABELS_FILE_CHARS,
  checkLabelEdit,
  newLabelColor,
  nextLabelId,
  parseLabels,
  serializeLabels,
} from '../shared/labels';
import { clearFileProblems, setFileProblems } from './diagnostics';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from './fsUtil';
import { log } from './log';
import { readSettings } from './settings';

/** The labels of one labels file. */
export class LabelsStore implements vscode.Disposable {
  private labels: Label[] = [];
  /** Keys of the file this editor does not use, written back unchanged. */
  private extras: LabelsExtras | undefined;
  /** Parse error of the file on disk; while set, the file is never overwritten. */
  private problem: string | undefined;
  private lastText: string | undefined;
  private readonly changed = new vscode.EventEmitter<readonly Label[]>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires with the new labels whenever they change (by us or on disk). */
  readonly onDidChange = this.changed.event;
  private reloading: Promise<void> = Promise.resolve();

  constructor(readonly uri: vscode.Uri) {
    const dir = uri.with({ path: path.posix.dirname(uri.path) });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, path.posix.basename(uri.path)));
    const reload = () => {
      this.reloading = this.reloading.then(() => this.load()).catch((e) => log().error(`labels reload: ${e}`));
    };
    watcher.onDidChange(reload);
    watcher.onDidCreate(reload);
    watcher.onDidDelete(reload);
    this.disposables.push(watcher);
    void removeStaleTempFiles(uri).then((n) => {
      if (n) log().info(`removed ${n} temporary file(s) of an interrupted write of ${uri.fsPath}`);
    });
  }

  /** Current labels (sorted by id). */
  get(): readonly Label[] {
    return this.labels;
  }

  /** Why the file could not be read, if it could not. */
  get error(): string | undefined {
    return this.problem;
  }

  /** (Re)reads the file; a missing file is an empty list. */
  async load(): Promise<void> {
    // A huge file is refused by its size, without reading it into memory.
    const size = await vscode.workspace.fs.stat(this.uri).then(
      (st) => st.size,
      () => 0,
    );
    const tooLarge = size > MAX_LABELS_FILE_CHARS * 4;
    const bytes = tooLarge ? undefined : await readFileIfExists(this.uri);
    const text = bytes ? Buffer.from(bytes).toString('utf8') : '';
    if (bytes && text === this.lastText && !this.problem) return;
    this.lastText = bytes ? text : undefined;
    const r: ReturnType<typeof parseLabels> = tooLarge
      ? { ok: false, error: { code: 'too-large', message: `Labels file is too large (${size} bytes; the limit is ${MAX_LABELS_FILE_CHARS} characters)` } }
      : parseLabels(text);
    if (!r.ok) {
      const first = this.problem !== r.error.message;
      this.problem = r.error.message;
      setFileProblems(this.uri, text, [{ severity: 'error', message: r.error.message, path: r.error.path, offset: r.error.offset, code: r.error.code }]);
      if (first) {
        log().warn(`${this.uri.fsPath}: ${r.error.message}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('EdgeFlow labels file {0} is invalid: {1}', this.uri.fsPath, r.error.message));
      }
      return;
    }
    this.problem = undefined;
    // Skipped attribute declarations are warnings: the classes still load.
    const warnings = r.value.warnings ?? [];
    if (warnings.length) {
      setFileProblems(this.uri, text, warnings.map((w) => ({ severity: 'warning', message: w.message, path: w.path, code: 'invalid-attribute' })));
      log().warn(`${this.uri.fsPath}: ${warnings.map((w) => w.message).join('; ')}`);
    } else clearFileProblems(this.uri);
    this.extras = r.value.extras;
    const next = r.value.labels.slice().sort((a, b) => a.id - b.id);
    if (JSON.stringify(next) !== JSON.stringify(this.labels)) {
      this.labels = next;
      this.changed.fire(this.labels);
    }
  }

  private async write(labels: Label[]): Promise<void> {
    if (this.problem) {
      throw new Error(vscode.l10n.t('The labels file {0} is invalid ({1}); fix it before changing classes.', this.uri.fsPath, this.problem));
    }
    const file: LabelsFile = { version: 1, labels, extras: this.extras };
    const text = serializeLabels(file);
    await writeFileAtomic(this.uri, text);
    this.lastText = text;
    // Read back what was written: a new or renamed class gets its attribute declarations
    // (workspace-wide ones, or its own kept in the extras) exactly as a reload would give them.
    const written = parseLabels(text);
    this.labels = (written.ok ? written.value.labels : labels).slice().sort((a, b) => a.id - b.id);
    this.changed.fire(this.labels);
    log().info(`wrote ${this.uri.fsPath} (${labels.length} classes)`);
  }

  /** Adds a class (creating the file when it is missing). */
  async add(name: string, color?: string): Promise<Label> {
    await this.reloading;
    const id = nextLabelId(this.labels);
    if (id === undefined) throw new Error(vscode.l10n.t('All 255 class ids are in use.'));
    const label: Label = { id, name: name.trim(), color: (color ?? newLabelColor(this.labels)).toLowerCase() };
    const problem = checkLabelEdit(this.labels, label);
    if (problem) throw new Error(problem);
    await this.write([...this.labels, label]);
    return label;
  }

  /** Adds classes with given ids (e.g. categories found in a sidecar); colours are assigned. */
  async addWithIds(entries: readonly { id: number; name: string }[]): Promise<void> {
    await this.reloading;
    const next = [...this.labels];
    for (const e of entries) {
      const label: Label = { id: e.id, name: e.name.trim(), color: newLabelColor(next) };
      const problem = checkLabelEdit(next, label);
      if (problem) throw new Error(problem);
      next.push(label);
    }
    await this.write(next);
  }

  /** Renames/recolours a class; its id never changes. */
  async update(id: number, name: string, color: string): Promise<Label> {
    await this.reloading;
    if (!this.labels.some((l) => l.id === id)) throw new Error(vscode.l10n.t('Class {0} does not exist.', id));
    const label: Label = { id, name: name.trim(), color: color.toLowerCase() };
    const problem = checkLabelEdit(this.labels, label, id);
    if (problem) throw new Error(problem);
    await this.write(this.labels.map((l) => (l.id === id ? label : l)));
    return label;
  }

  /** Removes a class from the file (objects keep their class id). */
  async remove(id: number): Promise<void> {
    await this.reloading;
    await this.write(this.labels.filter((l) => l.id !== id));
  }

  dispose(): void {
    clearFileProblems(this.uri);
    for (const d of this.disposables) d.dispose();
  }
}

/** Finds (and shares) the labels store for an image. */
export class LabelsService implements vscode.Disposable {
  private readonly stores = new Map<string, { store: LabelsStore; refs: number }>();

  /** The labels file that applies to `imageUri` (setting, relative to its workspace folder). */
  labelsUriFor(imageUri: vscode.Uri): vscode.Uri {
    const setting = readSettings(imageUri).labelsFile;
    if (path.isAbsolute(setting)) return vscode.Uri.file(setting);
    const folder = vscode.workspace.getWorkspaceFolder(imageUri);
    const base = folder ? folder.uri : imageUri.with({ path: path.posix.dirname(imageUri.path) });
    return vscode.Uri.joinPath(base, ...setting.split(/[\\/]+/));
  }

  /** Acquires the store for an image; release it with the returned disposable. */
  async acquire(imageUri: vscode.Uri): Promise<{ store: LabelsStore; release: vscode.Disposable }> {
    const uri = this.labelsUriFor(imageUri);
    const key = uri.toString();
    let entry = this.stores.get(key);
    if (!entry) {
      entry = { store: new LabelsStore(uri), refs: 0 };
      this.stores.set(key, entry);
      await entry.store.load();
    }
    entry.refs++;
    const e = entry;
    let released = false;
    return {
      store: e.store,
      release: new vscode.Disposable(() => {
        if (released) return;
        released = true;
        if (--e.refs === 0) {
          e.store.dispose();
          this.stores.delete(key);
        }
      }),
    };
  }

  dispose(): void {
    for (const { store } of this.stores.values()) store.dispose();
    this.stores.clear();
  }
}
