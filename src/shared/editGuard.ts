/**
 * The host's check that an edit from the webview matches the document before it is applied.
 * An edit carries its own "before" values (the class, geometry, visibility, attribute or object it
 * replaces), and VS Code's undo applies exactly those: an edit whose "before" differs from what
 * the document holds would apply fine and then make Ctrl+Z write values the document never had.
 * The document model checks ids and indices (EditConflictError); this checks the rest, for
 * batches edit by edit on a scratch copy.
 */
import { applyEdit, EditConflictError, type AnnotationEdit } from './annotation/edits';
import { attributesEqual, getAttribute } from './annotation/attributes';
import { reviewsEqual } from './annotation/review';
import { cloneState, type AnnotationObject, type AnnotationState, type MultiPolygonXY, type RingXY } from './annotation/types';

function ringsEqual(a: RingXY, b: RingXY): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Exact equality of two multipolygons (same regions, rings and vertices in the same order). */
export function regionsEqual(a: MultiPolygonXY, b: MultiPolygonXY): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ha = a[i].holes ?? [];
    const hb = b[i].holes ?? [];
    if (!ringsEqual(a[i].outer, b[i].outer) || ha.length !== hb.length) return false;
    for (let j = 0; j < ha.length; j++) if (!ringsEqual(ha[j], hb[j])) return false;
  }
  return true;
}

function objectsEqual(a: AnnotationObject, b: AnnotationObject): boolean {
  return a.id === b.id && a.classId === b.classId && !!a.hidden === !!b.hidden && attributesEqual(a.attributes, b.attributes) && regionsEqual(a.regions, b.regions);
}

function find(state: AnnotationState, id: number): AnnotationObject | undefined {
  return state.objects.find((o) => o.id === id);
}

/** Why `edit`'s "before" values do not match `state` (one level, no batches), or undefined. */
function beforeMismatch(state: AnnotationState, edit: AnnotationEdit): string | undefined {
  switch (edit.kind) {
    case 'removeObject': {
      const o = find(state, edit.object.id);
      return o && !objectsEqual(o, edit.object) ? `removeObject: object ${edit.object.id} differs from the document's` : undefined;
    }
    case 'setGeometry': {
      const o = find(state, edit.id);
      return o && !regionsEqual(o.regions, edit.before) ? `setGeometry: the geometry before does not match object ${edit.id}` : undefined;
    }
    case 'setClass': {
      const o = find(state, edit.id);
      return o && o.classId !== edit.before ? `setClass: object ${edit.id} has class ${o.classId}, not ${edit.before}` : undefined;
    }
    case 'setHidden': {
      const o = find(state, edit.id);
      return o && !!o.hidden !== edit.before ? `setHidden: object ${edit.id} is ${o.hidden ? '' : 'not '}hidden` : undefined;
    }
    case 'setAttribute': {
      const o = find(state, edit.id);
      const stored = o ? getAttribute(o.attributes, edit.name) ?? null : null;
      return o && stored !== edit.before ? `setAttribute: attribute "${edit.name.slice(0, 40)}" of object ${edit.id} differs from the document's` : undefined;
    }
    case 'replaceAll': {
      const a = state.objects;
      const b = edit.before.objects;
      return a.length !== b.length || a.some((o, i) => !objectsEqual(o, b[i])) ? 'replaceAll: the objects before do not match the document' : undefined;
    }
    case 'setReview':
      return reviewsEqual(state.review, edit.before ?? undefined) ? undefined : "setReview: the review before differs from the document's";
    default:
      return undefined;
  }
}

/**
 * Undefined when every "before" value of `edit` matches `state` (for a batch also its ids and
 * indices, edit by edit), else the reason. `state` is not modified.
 */
export function editConflict(state: AnnotationState, edit: AnnotationEdit): string | undefined {
  // A single edit's ids and indices are the model's to check (it throws EditConflictError).
  if (edit.kind !== 'batch') return beforeMismatch(state, edit);
  // A batch: each edit against the state its predecessors leave, on a scratch copy.
  const work = cloneState(state);
  for (const e of edit.edits) {
    const m = editConflict(work, e);
    if (m) return `batch: ${m}`;
    try {
      applyEdit(work, e);
    } catch (x) {
      if (x instanceof EditConflictError) return `batch: ${x.message}`;
      throw x;
    }
  }
  return undefined;
}
