/**
 * `AnnotationModel`: the current state of one image's annotations plus the list of edits applied
 * since the last saved/loaded base state. Pure: no VS Code, no DOM. The host's CustomDocument
 * wraps it and hands each edit to VS Code's undo stack; the webview keeps a mirror.
 */
import { AnnotationEdit, applyEdit, invertEdit } from './edits';
import { AnnotationObject, AnnotationState, MultiPolygonXY, cloneRegions, cloneState, emptyState } from './types';
import { checkEdit, checkState, isIssue } from './validate';
import { Result, err, ok } from './result';

/** Hot-exit backup file content: the base state (as last saved/loaded) plus the edits applied on top. */
export interface AnnotationBackup {
  format: 'edgeflow.annotation-backup';
  version: 1;
  base: AnnotationState;
  edits: AnnotationEdit[];
}

/** Why a backup could not be restored. */
export interface BackupError {
  code: 'invalid-json' | 'invalid-backup' | 'edit-conflict';
  message: string;
}

export class AnnotationModel {
  private _state: AnnotationState;
  private _base: AnnotationState;
  private _applied: AnnotationEdit[] = [];

  constructor(initial: AnnotationState = emptyState()) {
    this._base = cloneState(initial);
    this._state = cloneState(initial);
  }

  /** Current state. Treat as read-only: change it only through `apply`/`undo`. */
  get state(): Readonly<AnnotationState> {
    return this._state;
  }

  /** The edits applied since the base state (after undo, the undone edit is gone). */
  get appliedEdits(): readonly AnnotationEdit[] {
    return this._applied;
  }

  /** Object by id, or undefined. */
  getObject(id: number): AnnotationObject | undefined {
    return this._state.objects.find((o) => o.id === id);
  }

  /** Index of object `id` in drawing order, -1 if absent. */
  indexOf(id: number): number {
    return this._state.objects.findIndex((o) => o.id === id);
  }

  /**
   * Applies an edit. Throws EditConflictError if it does not fit, and then leaves the state and
   * the applied edits as they were (callers keep no copy to roll back to).
   */
  apply(edit: AnnotationEdit): void {
    applyEdit(this._state, edit);
    this._applied.push(edit);
  }

  /** Undoes `edit`, which must be the most recently applied edit still in effect. */
  undo(edit: AnnotationEdit): void {
    applyEdit(this._state, invertEdit(edit));
    const last = this._applied.lastIndexOf(edit);
    if (last >= 0) this._applied.splice(last, 1);
    else this._applied.push(invertEdit(edit));
  }

  /** Replaces everything (load from disk, revert); the new state becomes the base. */
  reset(state: AnnotationState): void {
    this._base = cloneState(state);
    this._state = cloneState(state);
    this._applied = [];
  }

  /** Marks the current state as saved: it becomes the base and the applied list empties. */
  markSaved(): void {
    this._base = cloneState(this._state);
    this._applied = [];
  }

  /** Builds (but does not apply) the edit that adds a new object with a fresh id on top. */
  makeAdd(classId: number, regions: MultiPolygonXY): AnnotationEdit {
    return {
      kind: 'addObject',
      object: { id: this._state.nextId, classId, regions: cloneRegions(regions), hidden: false },
      index: this._state.objects.length,
    };
  }

  /** Builds the edit that deletes object `id`. */
  makeRemove(id: number): AnnotationEdit {
    const i = this.indexOf(id);
    if (i < 0) throw new Error(`No object ${id}`);
    return { kind: 'removeObject', object: this._state.objects[i], index: i };
  }

  /** Serialises base + applied edits for hot exit. */
  backup(): AnnotationBackup {
    return { format: 'edgeflow.annotation-backup', version: 1, base: cloneState(this._base), edits: this._applied.slice() };
  }

  /** Serialised backup as JSON text. */
  backupJson(): string {
    return JSON.stringify(this.backup());
  }

  /**
   * Restores a model from `backupJson()` output: the base becomes the model's base and the edits
   * are re-applied, so the model is "dirty" exactly as before the backup.
   */
  static fromBackup(text: string): Result<AnnotationModel, BackupError> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return err({ code: 'invalid-json', message: `Backup is not JSON: ${(e as Error).message}` });
    }
    if (typeof raw !== 'object' || raw === null) return err({ code: 'invalid-backup', message: 'Backup is not an object' });
    const r = raw as Record<string, unknown>;
    if (r.format !== 'edgeflow.annotation-backup' || r.version !== 1) {
      return err({ code: 'invalid-backup', message: 'Not an EdgeFlow annotation backup (format/version)' });
    }
    const base = checkState(r.base, 'base');
    if (isIssue(base)) return err({ code: 'invalid-backup', message: `${base.path}: ${base.message}` });
    if (!Array.isArray(r.edits)) return err({ code: 'invalid-backup', message: 'edits: expected an array' });
    const model = new AnnotationModel(base);
    for (let i = 0; i < r.edits.length; i++) {
      const e = checkEdit(r.edits[i], `edits[${i}]`);
      if (isIssue(e)) return err({ code: 'invalid-backup', message: `${e.path}: ${e.message}` });
      try {
        model.apply(e);
      } catch (x) {
        return err({ code: 'edit-conflict', message: `edits[${i}]: ${(x as Error).message}` });
      }
    }
    return ok(model);
  }
}
