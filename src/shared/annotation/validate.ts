/**
 * Structural validation of annotation data arriving from untrusted sources (webview messages,
 * backup files, sidecars). Returns a path-qualified message instead of throwing.
 */
import type { AnnotationEdit } from './edits';
import { MAX_ATTRIBUTES, attributeNameProblem, attributeValueProblem, putAttribute, type AttributeMap, type AttributeValue } from './attributes';
import type { AnnotationObject, AnnotationState, MultiPolygonXY, RegionXY, RingXY } from './types';
import { parseReview, type ReviewRecord } from './review';

/** Largest coordinate magnitude accepted (far beyond any real image, small enough to stay exact). */
export const MAX_COORD = 1e7;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A failed check: where and why. */
export interface ValidationIssue {
  path: string;
  message: string;
}

type Check<T> = (v: unknown, path: string) => T | ValidationIssue;

function issue(path: string, message: string): ValidationIssue {
  return { path, message };
}

/** True when `v` is a ValidationIssue produced by one of the checks below. */
export function isIssue(v: unknown): v is ValidationIssue {
  return isObj(v) && typeof v.path === 'string' && typeof v.message === 'string' && Object.keys(v).length === 2;
}

/** Integer id >= 0. */
export const checkId: Check<number> = (v, path) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : issue(path, 'expected a non-negative integer');

/** A ring: flat finite numbers, even length, at least 3 vertices. */
export const checkRing: Check<RingXY> = (v, path) => {
  if (!Array.isArray(v)) return issue(path, 'expected an array of numbers');
  if (v.length < 6 || v.length % 2 !== 0) return issue(path, 'a ring needs an even count of at least 6 numbers');
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > MAX_COORD) {
      return issue(`${path}[${i}]`, 'expected a finite coordinate');
    }
  }
  // A copy: structured clone keeps non-index properties of arrays, which must not reach the model.
  return (v as number[]).slice() as RingXY;
};

/** A region {outer, holes}. */
export const checkRegion: Check<RegionXY> = (v, path) => {
  if (!isObj(v)) return issue(path, 'expected {outer, holes}');
  const outer = checkRing(v.outer, `${path}.outer`);
  if (isIssue(outer)) return outer;
  const holesRaw = v.holes === undefined ? [] : v.holes;
  if (!Array.isArray(holesRaw)) return issue(`${path}.holes`, 'expected an array of rings');
  const holes: RingXY[] = [];
  for (let i = 0; i < holesRaw.length; i++) {
    const h = checkRing(holesRaw[i], `${path}.holes[${i}]`);
    if (isIssue(h)) return h;
    holes.push(h);
  }
  return { outer, holes };
};

/** A multipolygon (may be empty only if `allowEmpty`). */
export function checkRegions(v: unknown, path: string, allowEmpty = false): MultiPolygonXY | ValidationIssue {
  if (!Array.isArray(v)) return issue(path, 'expected an array of regions');
  if (!allowEmpty && v.length === 0) return issue(path, 'an object needs at least one region');
  const out: MultiPolygonXY = [];
  for (let i = 0; i < v.length; i++) {
    const r = checkRegion(v[i], `${path}[${i}]`);
    if (isIssue(r)) return r;
    out.push(r);
  }
  return out;
}

/** An attribute value: a boolean or a string (null only where `allowNull`, meaning "none"). */
function checkAttributeValue(v: unknown, path: string, allowNull: boolean): AttributeValue | null | ValidationIssue {
  if (v === null && allowNull) return null;
  const p = attributeValueProblem(v);
  return p ? issue(path, `attribute value ${p}`) : (v as AttributeValue);
}

/** An object's attributes: at most MAX_ATTRIBUTES names, each a boolean or a string. */
export const checkAttributes: Check<AttributeMap> = (v, path) => {
  if (!isObj(v)) return issue(path, 'expected an object of attribute values');
  const entries = Object.entries(v);
  if (entries.length > MAX_ATTRIBUTES) return issue(path, `at most ${MAX_ATTRIBUTES} attributes`);
  const out: AttributeMap = {};
  for (const [k, x] of entries) {
    const np = attributeNameProblem(k);
    if (np) return issue(path, `attribute name ${np}`);
    const value = checkAttributeValue(x, `${path}.${k}`, false);
    if (isIssue(value)) return value;
    putAttribute(out, k, value as AttributeValue);
  }
  return out;
};

/** An object. */
export const checkObject: Check<AnnotationObject> = (v, path) => {
  if (!isObj(v)) return issue(path, 'expected an object');
  const id = checkId(v.id, `${path}.id`);
  if (isIssue(id)) return id;
  const classId = checkId(v.classId, `${path}.classId`);
  if (isIssue(classId)) return classId;
  const regions = checkRegions(v.regions, `${path}.regions`);
  if (isIssue(regions)) return regions;
  const hidden = v.hidden === undefined ? false : v.hidden;
  if (typeof hidden !== 'boolean') return issue(`${path}.hidden`, 'expected a boolean');
  if (v.attributes === undefined) return { id, classId, regions, hidden };
  const attributes = checkAttributes(v.attributes, `${path}.attributes`);
  if (isIssue(attributes)) return attributes;
  return Object.keys(attributes).length ? { id, classId, regions, hidden, attributes } : { id, classId, regions, hidden };
};

/** A state: objects with unique ids and nextId above all of them. */
export const checkState: Check<AnnotationState> = (v, path) => {
  if (!isObj(v)) return issue(path, 'expected {objects, nextId}');
  if (!Array.isArray(v.objects)) return issue(`${path}.objects`, 'expected an array');
  const objects: AnnotationObject[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < v.objects.length; i++) {
    const o = checkObject(v.objects[i], `${path}.objects[${i}]`);
    if (isIssue(o)) return o;
    if (seen.has(o.id)) return issue(`${path}.objects[${i}].id`, `duplicate object id ${o.id}`);
    seen.add(o.id);
    objects.push(o);
  }
  const nextId = checkId(v.nextId, `${path}.nextId`);
  if (isIssue(nextId)) return nextId;
  const maxId = objects.reduce((m, o) => Math.max(m, o.id), 0);
  const state: AnnotationState = { objects, nextId: Math.max(nextId, maxId + 1) };
  if (v.review === undefined) return state;
  const review = checkReview(v.review, `${path}.review`, false);
  if (isIssue(review)) return review;
  if (review) state.review = review;
  return state;
};

/** A review record (null only where `allowNull`, meaning "not reviewed"). */
function checkReview(v: unknown, path: string, allowNull: boolean): ReviewRecord | null | ValidationIssue {
  if (v === null && allowNull) return null;
  const r = parseReview(v);
  return r.ok ? r.value : issue(path, r.error);
}

function checkIndex(v: unknown, path: string): number | ValidationIssue {
  return checkId(v, path);
}

/** An edit of any kind (recursively for batches, depth-limited). */
export function checkEdit(v: unknown, path: string, depth = 0): AnnotationEdit | ValidationIssue {
  if (!isObj(v)) return issue(path, 'expected an edit object');
  if (depth > 8) return issue(path, 'batches nested too deeply');
  switch (v.kind) {
    case 'addObject':
    case 'removeObject': {
      const object = checkObject(v.object, `${path}.object`);
      if (isIssue(object)) return object;
      const index = checkIndex(v.index, `${path}.index`);
      if (isIssue(index)) return index;
      return { kind: v.kind, object, index };
    }
    case 'setGeometry': {
      const id = checkId(v.id, `${path}.id`);
      if (isIssue(id)) return id;
      const before = checkRegions(v.before, `${path}.before`, true);
      if (isIssue(before)) return before;
      const after = checkRegions(v.after, `${path}.after`);
      if (isIssue(after)) return after;
      return { kind: 'setGeometry', id, before, after };
    }
    case 'setClass': {
      const id = checkId(v.id, `${path}.id`);
      if (isIssue(id)) return id;
      const before = checkId(v.before, `${path}.before`);
      if (isIssue(before)) return before;
      const after = checkId(v.after, `${path}.after`);
      if (isIssue(after)) return after;
      return { kind: 'setClass', id, before, after };
    }
    case 'setHidden': {
      const id = checkId(v.id, `${path}.id`);
      if (isIssue(id)) return id;
      if (typeof v.before !== 'boolean' || typeof v.after !== 'boolean') {
        return issue(path, 'setHidden needs boolean before/after');
      }
      return { kind: 'setHidden', id, before: v.before, after: v.after };
    }
    case 'setAttribute': {
      const id = checkId(v.id, `${path}.id`);
      if (isIssue(id)) return id;
      const np = attributeNameProblem(v.name);
      if (np) return issue(`${path}.name`, `attribute name ${np}`);
      const before = checkAttributeValue(v.before, `${path}.before`, true);
      if (isIssue(before)) return before;
      const after = checkAttributeValue(v.after, `${path}.after`, true);
      if (isIssue(after)) return after;
      return { kind: 'setAttribute', id, name: v.name as string, before, after };
    }
    case 'reorder': {
      const id = checkId(v.id, `${path}.id`);
      if (isIssue(id)) return id;
      const from = checkIndex(v.from, `${path}.from`);
      if (isIssue(from)) return from;
      const to = checkIndex(v.to, `${path}.to`);
      if (isIssue(to)) return to;
      return { kind: 'reorder', id, from, to };
    }
    case 'replaceAll': {
      const before = checkState(v.before, `${path}.before`);
      if (isIssue(before)) return before;
      const after = checkState(v.after, `${path}.after`);
      if (isIssue(after)) return after;
      return { kind: 'replaceAll', before, after };
    }
    case 'setReview': {
      const before = checkReview(v.before, `${path}.before`, true);
      if (isIssue(before)) return before;
      const after = checkReview(v.after, `${path}.after`, true);
      if (isIssue(after)) return after;
      return { kind: 'setReview', before, after };
    }
    case 'batch': {
      if (!Array.isArray(v.edits)) return issue(`${path}.edits`, 'expected an array');
      const edits: AnnotationEdit[] = [];
      for (let i = 0; i < v.edits.length; i++) {
        const e = checkEdit(v.edits[i], `${path}.edits[${i}]`, depth + 1);
        if (isIssue(e)) return e;
        edits.push(e);
      }
      return { kind: 'batch', edits };
    }
    default:
      // Never JSON.stringify untrusted values here: a BigInt or a cycle would throw.
      return issue(`${path}.kind`, `unknown edit kind ${typeof v.kind === 'string' ? JSON.stringify(v.kind.slice(0, 40)) : typeof v.kind}`);
  }
}
