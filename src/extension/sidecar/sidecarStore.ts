/**
 * The sidecars of one image on disk: `<image>.coco.json` (the editor's own storage) and, when
 * `edgeflow.sidecar.formats` asks for it, `<image>.mask.png`. Loads, saves and watches them, and
 * makes the decisions that keep data safe:
 * - every write is atomic (temporary file, fsync, rename), and a save that died with its process
 *   leaves only a temporary file, tidied away on the next open;
 * - a file we did not write (or cannot read) is never replaced without asking; when the user
 *   agrees, a `.bak-<time>` copy is kept first, and the same file is not asked about twice;
 * - a change on disk that is not our own write reloads a clean document and asks before a dirty
 *   one loses anything (once, not again for the same disk version once the user kept theirs).
 *
 * The store reaches the disk and the user through the ports below (`SidecarFiles`,
 * `SidecarStorePrompts`), so it runs in unit tests without VS Code; `workspaceStore.ts` and
 * `sidecarPrompts.ts` are the real ones.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import type * as vscode from 'vscode';
import type { AnnotationState } from '../../shared/annotation';
import { COCO_SIDECAR_SUFFIX, MASK_SIDECAR_SUFFIX, SIDECAR_LIMITS, SidecarExtras, readCocoSidecar, writeCocoSidecar } from '../../shared/formats/cocoSidecar';
import { encodeMaskSidecar, isOurMaskPng } from '../../shared/formats/maskSidecar';
import type { Label } from '../../shared/labels';
import type { ReadOnlyInfo } from '../../shared/protocol';
import type { JsonProblem } from '../diagnostics';
import type { SidecarFormat } from '../settings';
import { baseName, siblingWithSuffix } from '../uriPath';

/** Something to dispose (a `vscode.Disposable` fits). */
export interface DisposableLike {
  dispose(): void;
}

/** Where an object's class id is in the file (for "not in the labels file" warnings). */
export interface ClassRef {
  classId: number;
  path: string;
}

/** Result of reading the sidecar from disk. */
export interface LoadedSidecar {
  state: AnnotationState;
  /** The exact text on disk (undefined: no sidecar, or one too large to read). */
  text: string | undefined;
  /** A readable problem with the file, if any (the state then holds what could be read). */
  problem?: string;
  /** Set when the file could not be read completely: the editor shows what it could, read-only. */
  readOnly?: ReadOnlyInfo;
  /** Everything found wrong (errors and warnings), for the Problems panel. */
  problems: JsonProblem[];
  /** Each object's class id and where it is in the file. */
  classRefs?: ClassRef[];
  /** Class ids used by objects but missing from the labels file. */
  categories: { id: number; name: string }[];
  /** Keys of the file the editor does not use, written back on save. */
  extras?: SidecarExtras;
}

/** The file operations the store needs (`workspaceStore.ts`: over `vscode.workspace.fs`). */
export interface SidecarFiles {
  /** Size of the file, or undefined when it does not exist or cannot be stat'ed. */
  stat(uri: vscode.Uri): Promise<{ size: number } | undefined>;
  /** Contents, or undefined when the file does not exist (other errors reject). */
  read(uri: vscode.Uri): Promise<Uint8Array | undefined>;
  /** Atomic write: readers see the old file or the new one, never half of one. */
  writeAtomic(uri: vscode.Uri, data: Uint8Array | string): Promise<void>;
  /** Copies `from` to `to`, which must not exist. */
  copy(from: vscode.Uri, to: vscode.Uri): Promise<void>;
  /** Moves `from` to `to`, which must not exist. */
  move(from: vscode.Uri, to: vscode.Uri): Promise<void>;
  /** Removes temporary files an interrupted atomic write of `uri` left; resolves how many. */
  removeStaleTempFiles(uri: vscode.Uri): Promise<number>;
  /** Calls `onEvent` whenever `uri` is created, changed or deleted. */
  watch(uri: vscode.Uri, onEvent: () => void): DisposableLike;
}

/** What the store asks the user (`sidecarPrompts.ts`). */
export interface SidecarStorePrompts {
  /** `target` exists and was not written by us or cannot be read: may a save replace it? */
  confirmOverwrite(target: vscode.Uri): Promise<boolean>;
  /** The sidecar changed on disk while the document has unsaved changes. */
  askReloadOrKeep(imageName: string): Promise<'reload' | 'keep' | undefined>;
}

/** Log lines the store writes. */
export interface StoreLog {
  info(message: string): void;
  error(message: string): void;
}

/** Translates a message template with `{0}` placeholders (`vscode.l10n.t`). */
export type Translate = (message: string, ...args: Array<string | number>) => string;

/** Everything a store is built from. */
export interface SidecarStoreDeps {
  files: SidecarFiles;
  prompts: SidecarStorePrompts;
  /** Reads and checks the COCO sidecar (`sidecarReader.ts`). */
  read(sidecarUri: vscode.Uri): Promise<LoadedSidecar>;
  log(): StoreLog;
  t: Translate;
  /** Provenance written into sidecars, e.g. "EdgeFlow Annotator 0.1.0". */
  generator: string;
  /** The clock for backup names (tests fix it). */
  now?: () => Date;
}

/** What a save writes: read at the moments the save needs it (the model may change meanwhile). */
export interface SidecarSource {
  readonly model: { readonly state: AnnotationState };
  readonly labels: readonly Label[];
  readonly image: { readonly width: number; readonly height: number };
}

/** Options of one save. */
export interface SaveOptions {
  /** Sidecars to write (`edgeflow.sidecar.formats` of the target). */
  formats: readonly SidecarFormat[];
  /** Throws when the save was cancelled; called once the user answered any question. */
  throwIfCancelled?: () => void;
  /** The COCO sidecar of this image (not a Save As copy) was written with `text`. */
  onWritten?: (text: string) => void;
}

/** What the document does about a change on disk (`SidecarStore.watch`). */
export interface DiskChangeTarget {
  /** Unsaved changes exist. */
  isDirty(): boolean;
  /** Reload the document from the sidecar (it is clean). */
  reload(): Promise<void>;
  /** The user chose to drop their unsaved changes for the version on disk. */
  requestRevert(): void;
}

/** `<file>.bak-<UTC timestamp>`, e.g. `street.png.coco.json.bak-20261121T101500Z`. */
export function backupName(fileName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${fileName}.bak-${stamp}`;
}

/** Whether `bytes` are a COCO sidecar we wrote that reads cleanly (size first: a huge file is not ours to parse). */
export function isOurCocoSidecar(bytes: Uint8Array): boolean {
  if (bytes.length > SIDECAR_LIMITS.maxBytes) return false;
  const r = readCocoSidecar(Buffer.from(bytes).toString('utf8'));
  return r.ok && r.value.ours;
}

/** The sidecars of one image. */
export class SidecarStore {
  /** Sidecar text we last loaded or wrote: a watcher event with the same text is our own. */
  private syncedText: string | undefined;
  /** Keys of the sidecar on disk that the editor does not use; written back on save. */
  private extras: SidecarExtras | undefined;
  /** Foreign files the user allowed us to overwrite (URI -> fingerprint of the bytes then). */
  private readonly overwriteAllowed = new Map<string, string>();
  /** A reload-or-keep question is open. */
  private asking = false;

  constructor(
    readonly imageUri: vscode.Uri,
    private readonly deps: SidecarStoreDeps,
  ) {}

  /** The COCO sidecar of this image. */
  get sidecarUri(): vscode.Uri {
    return siblingWithSuffix(this.imageUri, COCO_SIDECAR_SUFFIX);
  }

  /** A save that died with its process (crash, kill) leaves its temporary file: tidy it away. */
  removeInterruptedSaves(): void {
    for (const suffix of [COCO_SIDECAR_SUFFIX, MASK_SIDECAR_SUFFIX]) {
      void this.deps.files.removeStaleTempFiles(siblingWithSuffix(this.imageUri, suffix)).then((n) => {
        if (n) this.deps.log().info(`removed ${n} temporary file(s) of an interrupted save of ${baseName(this.imageUri)}${suffix}`);
      });
    }
  }

  /** Reads the COCO sidecar; what it read becomes the version on disk the store knows. */
  async load(): Promise<LoadedSidecar> {
    const loaded = await this.deps.read(this.sidecarUri);
    this.syncedText = loaded.text;
    this.extras = loaded.extras;
    return loaded;
  }

  /**
   * Writes the sidecars of `target` (this image for Save, another for Save As) from `source`.
   * Asks before replacing a file we did not write; declining rejects and writes nothing.
   */
  async save(target: vscode.Uri, source: SidecarSource, options: SaveOptions): Promise<void> {
    const labels = source.labels;
    const image = { fileName: baseName(target), width: source.image.width, height: source.image.height };
    const cocoUri = siblingWithSuffix(target, COCO_SIDECAR_SUFFIX);
    const isSelf = target.toString() === this.imageUri.toString();
    const text = writeCocoSidecar(image, labels, source.model.state, { generator: this.deps.generator, extras: isSelf ? this.extras : undefined });
    const replacing = await this.confirmOverwrite(cocoUri, isOurCocoSidecar);
    options.throwIfCancelled?.();
    // A file we did not write (or cannot read) that the user agreed to replace: keep a copy.
    if (replacing) await this.backupFile(cocoUri, false);
    if (isSelf) this.syncedText = text;
    await this.deps.files.writeAtomic(cocoUri, text);
    if (isSelf) options.onWritten?.(text);
    this.deps.log().info(`saved ${cocoUri.fsPath} (${source.model.state.objects.length} objects)`);
    if (options.formats.includes('mask')) {
      const maskUri = siblingWithSuffix(target, MASK_SIDECAR_SUFFIX);
      const png = encodeMaskSidecar(source.model.state, labels, source.image.width, source.image.height, (d) => deflateSync(d));
      if (await this.confirmOverwrite(maskUri, isOurMaskPng)) await this.backupFile(maskUri, false);
      await this.deps.files.writeAtomic(maskUri, png);
      this.deps.log().info(`saved ${maskUri.fsPath}`);
    }
  }

  /**
   * Repair (the user confirmed): keeps a backup copy of the COCO sidecar and rewrites it from
   * `source` (what could be read). Resolves the backup's URI.
   */
  async rewrite(source: SidecarSource): Promise<vscode.Uri> {
    const backup = await this.backupFile(this.sidecarUri, false);
    const image = { fileName: baseName(this.imageUri), width: source.image.width, height: source.image.height };
    const text = writeCocoSidecar(image, source.labels, source.model.state, { generator: this.deps.generator, extras: this.extras });
    this.syncedText = text;
    await this.deps.files.writeAtomic(this.sidecarUri, text);
    return backup;
  }

  /** Start over (the user confirmed): moves the COCO sidecar aside as a backup; resolves its URI. */
  moveAside(): Promise<vscode.Uri> {
    return this.backupFile(this.sidecarUri, true);
  }

  /** Follows the COCO sidecar on disk: changes that are not our own writes go to `target`. */
  watch(target: DiskChangeTarget): DisposableLike {
    return this.deps.files.watch(this.sidecarUri, () => {
      void this.onChangedOnDisk(target).catch((e) => this.deps.log().error(`sidecar watcher: ${(e as Error).stack ?? e}`));
    });
  }

  /** The sidecar changed on disk (git checkout, another tool, another window, or our own save). */
  private async onChangedOnDisk(target: DiskChangeTarget): Promise<void> {
    // A file too large to parse is not read into memory either (the reader reports it).
    const stat = await this.deps.files.stat(this.sidecarUri);
    const tooLarge = !!stat && stat.size > SIDECAR_LIMITS.maxBytes;
    const bytes = tooLarge ? undefined : await this.deps.files.read(this.sidecarUri);
    const text = bytes ? Buffer.from(bytes).toString('utf8') : undefined;
    if (text === this.syncedText && !tooLarge) return;
    if (!target.isDirty()) {
      await target.reload();
      return;
    }
    if (this.asking) return;
    this.asking = true;
    try {
      const choice = await this.deps.prompts.askReloadOrKeep(baseName(this.imageUri));
      if (choice === 'reload') {
        target.requestRevert();
      } else {
        // Keep mine: this disk version has been seen; saving will replace it.
        this.syncedText = text;
      }
    } finally {
      this.asking = false;
    }
  }

  /**
   * Never silently replaces a file we did not write or cannot read: when `target` exists and
   * `isOurs` says no, ask. Declining rejects (the save is cancelled). Resolves true when the user
   * just agreed to replace such a file (the caller keeps a backup copy of it first).
   */
  private async confirmOverwrite(target: vscode.Uri, isOurs: (bytes: Uint8Array) => boolean): Promise<boolean> {
    const bytes = await this.deps.files.read(target);
    if (!bytes || isOurs(bytes)) return false;
    const fingerprint = createHash('sha256').update(bytes).digest('base64');
    if (this.overwriteAllowed.get(target.toString()) === fingerprint) return false;
    if (!(await this.deps.prompts.confirmOverwrite(target))) {
      throw new Error(this.deps.t('Not saved: {0} was left unchanged.', baseName(target)));
    }
    this.overwriteAllowed.set(target.toString(), fingerprint);
    return true;
  }

  /** Copies (or moves) `file` to a free `<name>.bak-<timestamp>[-n]` beside it; returns its URI. */
  private async backupFile(file: vscode.Uri, move: boolean): Promise<vscode.Uri> {
    const base = backupName(baseName(file), this.deps.now?.());
    let target: vscode.Uri;
    for (let n = 0; ; n++) {
      target = file.with({ path: path.posix.join(path.posix.dirname(file.path), n ? `${base}-${n}` : base) });
      if ((await this.deps.files.stat(target)) === undefined) break;
    }
    if (move) await this.deps.files.move(file, target);
    else await this.deps.files.copy(file, target);
    this.deps.log().info(`kept a backup of ${file.fsPath} as ${target.fsPath}`);
    return target;
  }
}
