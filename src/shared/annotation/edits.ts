/**
 * Edits on an `AnnotationState`: plain data (JSON-serialisable, so they can cross the webview
 * boundary and go into hot-exit backups), each with an exact inverse. Every finished user action
 * is exactly one edit; compound actions use `batch`.
 */
import {
  AnnotationObject,
  AnnotationState,
  MultiPolygonXY,
  cloneObject,
  cloneRegions,
  cloneState,
} from './types';
import { putAttribute, type AttributeValue } from './attributes';
import type { ReviewRecord } from './review';

/** Insert `object` at `index` in the drawing order. */
export interface AddObjectEdit {
  kind: 'addObject';
  object: AnnotationObject;
  index: number;
}
/** Remove the object `object.id`, which sits at `index`; `object` is its full state, for undo. */
export interface RemoveObjectEdit {
  kind: 'removeObject';
  object: AnnotationObject;
  index: number;
}
/** Replace the geometry of object `id` (drag vertex, insert/delete vertex, move polygon). */
export interface SetGeometryEdit {
  kind: 'setGeometry';
  id: number;
  before: MultiPolygonXY;
  after: MultiPolygonXY;
}
/** Change the class of object `id`. */
export interface SetClassEdit {
  kind: 'setClass';
  id: number;
  before: number;
  after: number;
}
/** Show or hide object `id`. */
export interface SetHiddenEdit {
  kind: 'setHidden';
  id: number;
  before: boolean;
  after: boolean;
}
/**
 * Set (or, with `null`, remove) one attribute of object `id`; `before` is the value stored before
 * (`null`: none). One edit per control change, so each is one undo step.
 */
export interface SetAttributeEdit {
  kind: 'setAttribute';
  id: number;
  name: string;
  before: AttributeValue | null;
  after: AttributeValue | null;
}
/** Move object `id` in the drawing order. */
export interface ReorderEdit {
  kind: 'reorder';
  id: number;
  from: number;
  to: number;
}
/** Replace the whole state (e.g. "delete all", or an import). */
export interface ReplaceAllEdit {
  kind: 'replaceAll';
  before: AnnotationState;
  after: AnnotationState;
}
/** Set (or, with `null`, clear) the image's review; `before` is the review it replaces. */
export interface SetReviewEdit {
  kind: 'setReview';
  before: ReviewRecord | null;
  after: ReviewRecord | null;
}
/** Several edits applied in order as one user action (undone in reverse order). */
export interface BatchEdit {
  kind: 'batch';
  edits: AnnotationEdit[];
}

/** Any edit. */
export type AnnotationEdit =
  | AddObjectEdit
  | RemoveObjectEdit
  | SetGeometryEdit
  | SetClassEdit
  | SetHiddenEdit
  | SetAttributeEdit
  | ReorderEdit
  | ReplaceAllEdit
  | SetReviewEdit
  | BatchEdit;

/** All edit kinds, for validation and exhaustive tests. */
export const EDIT_KINDS: readonly AnnotationEdit['kind'][] = [
  'addObject',
  'removeObject',
  'setGeometry',
  'setClass',
  'setHidden',
  'setAttribute',
  'reorder',
  'replaceAll',
  'setReview',
  'batch',
];

/** Thrown when an edit does not fit the state it is applied to (a programming error or a corrupt backup). */
export class EditConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditConflictError';
  }
}

function indexOfId(state: AnnotationState, id: number): number {
  for (let i = 0; i < state.objects.length; i++) if (state.objects[i].id === id) return i;
  return -1;
}

function requireIndex(state: AnnotationState, id: number, what: string): number {
  const i = indexOfId(state, id);
  if (i < 0) throw new EditConflictError(`${what}: object ${id} does not exist`);
  return i;
}

/**
 * Applies `edit` to `state` in place. Throws `EditConflictError` if the edit does not match the
 * state (object missing, duplicate id, index out of range); the state is unchanged in that case
 * except for batches, which are applied atomically by working on a copy.
 */
export function applyEdit(state: AnnotationState, edit: AnnotationEdit): void {
  switch (edit.kind) {
    case 'addObject': {
      if (indexOfId(state, edit.object.id) >= 0) {
        throw new EditConflictError(`addObject: object ${edit.object.id} already exists`);
      }
      if (edit.index < 0 || edit.index > state.objects.length || !Number.isInteger(edit.index)) {
        throw new EditConflictError(`addObject: index ${edit.index} out of range 0..${state.objects.length}`);
      }
      state.objects.splice(edit.index, 0, cloneObject(edit.object));
      // Ids are never reused, so nextId only grows (undoing an add does not lower it).
      state.nextId = Math.max(state.nextId, edit.object.id + 1);
      return;
    }
    case 'removeObject': {
      const i = requireIndex(state, edit.object.id, 'removeObject');
      if (i !== edit.index) {
        throw new EditConflictError(`removeObject: object ${edit.object.id} is at ${i}, not ${edit.index}`);
      }
      state.objects.splice(i, 1);
      return;
    }
    case 'setGeometry': {
      const i = requireIndex(state, edit.id, 'setGeometry');
      state.objects[i].regions = cloneRegions(edit.after);
      return;
    }
    case 'setClass': {
      const i = requireIndex(state, edit.id, 'setClass');
      state.objects[i].classId = edit.after;
      return;
    }
    case 'setHidden': {
      const i = requireIndex(state, edit.id, 'setHidden');
      state.objects[i].hidden = edit.after;
      return;
    }
    case 'setAttribute': {
      const i = requireIndex(state, edit.id, 'setAttribute');
      const o = state.objects[i];
      // A fresh map (spread copies a "__proto__" key as an own key): states handed out earlier keep theirs.
      const next = { ...(o.attributes ?? {}) };
      if (edit.after === null) delete next[edit.name];
      else putAttribute(next, edit.name, edit.after);
      if (Object.keys(next).length > 0) o.attributes = next;
      else delete o.attributes;
      return;
    }
    case 'reorder': {
      const i = requireIndex(state, edit.id, 'reorder');
      if (i !== edit.from) throw new EditConflictError(`reorder: object ${edit.id} is at ${i}, not ${edit.from}`);
      if (edit.to < 0 || edit.to >= state.objects.length || !Number.isInteger(edit.to)) {
        throw new EditConflictError(`reorder: index ${edit.to} out of range`);
      }
      const [o] = state.objects.splice(i, 1);
      state.objects.splice(edit.to, 0, o);
      return;
    }
    case 'replaceAll': {
      const next = cloneState(edit.after);
      state.objects = next.objects;
      state.nextId = Math.max(state.nextId, next.nextId);
      return;
    }
    case 'setReview': {
      if (edit.after) state.review = { ...edit.after };
      else delete state.review;
      return;
    }
    case 'batch': {
      const work = cloneState(state);
      for (const e of edit.edits) applyEdit(work, e);
      state.objects = work.objects;
      state.nextId = work.nextId;
      if (work.review) state.review = work.review;
      else delete state.review;
      return;
    }
  }
}

/** The edit that undoes `edit`. */
export function invertEdit(edit: AnnotationEdit): AnnotationEdit {
  switch (edit.kind) {
    case 'addObject':
      return { kind: 'removeObject', object: edit.object, index: edit.index };
    case 'removeObject':
      return { kind: 'addObject', object: edit.object, index: edit.index };
    case 'setGeometry':
      return { kind: 'setGeometry', id: edit.id, before: edit.after, after: edit.before };
    case 'setClass':
      return { kind: 'setClass', id: edit.id, before: edit.after, after: edit.before };
    case 'setHidden':
      return { kind: 'setHidden', id: edit.id, before: edit.after, after: edit.before };
    case 'setAttribute':
      return { kind: 'setAttribute', id: edit.id, name: edit.name, before: edit.after, after: edit.before };
    case 'reorder':
      return { kind: 'reorder', id: edit.id, from: edit.to, to: edit.from };
    case 'replaceAll':
      return { kind: 'replaceAll', before: edit.after, after: edit.before };
    case 'setReview':
      return { kind: 'setReview', before: edit.after, after: edit.before };
    case 'batch':
      return { kind: 'batch', edits: edit.edits.slice().reverse().map(invertEdit) };
  }
}

/** Undoes `edit` on `state` in place (equivalent to applying its inverse). */
export function undoEdit(state: AnnotationState, edit: AnnotationEdit): void {
  applyEdit(state, invertEdit(edit));
}

/** A short English label for the edit, used as the undo/redo label (the host localises by kind). */
export function describeEdit(edit: AnnotationEdit): string {
  switch (edit.kind) {
    case 'addObject':
      return 'Add Object';
    case 'removeObject':
      return 'Delete Object';
    case 'setGeometry':
      return 'Edit Polygon';
    case 'setClass':
      return 'Change Class';
    case 'setHidden':
      return edit.after ? 'Hide Object' : 'Show Object';
    case 'setAttribute':
      return 'Set Attribute';
    case 'reorder':
      return 'Reorder Object';
    case 'replaceAll':
      return 'Replace All Objects';
    case 'setReview':
      return edit.after === null ? 'Clear Review' : edit.after.status === 'approved' ? 'Approve Image' : 'Mark Image as Needing a Fix';
    case 'batch':
      return edit.edits.length === 1 ? describeEdit(edit.edits[0]) : 'Edit Objects';
  }
}
