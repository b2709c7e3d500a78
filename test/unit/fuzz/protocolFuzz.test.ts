/**
 * Fuzz suite for the host's validator of webview messages (`parseWebviewMessage`): thousands of
 * random values and mutated valid messages, seeded (FUZZ_SEED, default below) so a failure
 * replays. Invariants for every input:
 * - the validator returns a Result and never throws;
 * - a refusal carries a short, non-empty reason;
 * - an accepted message is a plain, bounded value: re-validating it gives the same message,
 *   every number is finite, every string sits in a field the host treats as text (never a path),
 *   no field beyond the protocol's survives;
 * - the input is never modified.
 * FUZZ_COUNT scales the number of inputs (default 12 000 in about 2-4 s).
 */
import * as assert from 'node:assert/strict';
import { MAX_EDIT_VALUES, MAX_LABEL_NAME, MAX_STRING, parseWebviewMessage, withinSize } from '../../../src/shared/protocol';
import { AnnotationModel, EditConflictError } from '../../../src/shared/annotation';
import { checkState, isIssue } from '../../../src/shared/annotation/validate';
import { editConflict } from '../../../src/shared/editGuard';
import { rng } from '../helpers/masks';

const SEED = Number(process.env.FUZZ_SEED ?? 0xed6e);
const COUNT = Number(process.env.FUZZ_COUNT ?? 12_000);

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------
// Valid messages

function ring(r: Rand, n = int(r, 3, 12)): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r() * 1000, r() * 800);
  return out;
}

function regions(r: Rand): { outer: number[]; holes: number[][] }[] {
  return Array.from({ length: int(r, 1, 3) }, () => ({ outer: ring(r), holes: r() < 0.3 ? [ring(r, 3)] : [] }));
}

function object(r: Rand, id = int(r, 0, 50)) {
  return { id, classId: int(r, 0, 20), regions: regions(r), hidden: r() < 0.2 };
}

function edit(r: Rand, depth = 0): Record<string, unknown> {
  const kinds = depth < 3 ? ['addObject', 'removeObject', 'setGeometry', 'setClass', 'setHidden', 'setAttribute', 'reorder', 'replaceAll', 'setReview', 'batch'] : ['setClass', 'setHidden'];
  switch (pick(r, kinds)) {
    case 'addObject':
      return { kind: 'addObject', object: object(r), index: int(r, 0, 10) };
    case 'removeObject':
      return { kind: 'removeObject', object: object(r), index: int(r, 0, 10) };
    case 'setGeometry':
      return { kind: 'setGeometry', id: int(r, 0, 50), before: regions(r), after: regions(r) };
    case 'setClass':
      return { kind: 'setClass', id: int(r, 0, 50), before: int(r, 0, 9), after: int(r, 0, 9) };
    case 'setHidden':
      return { kind: 'setHidden', id: int(r, 0, 50), before: r() < 0.5, after: r() < 0.5 };
    case 'setAttribute': {
      const value = () => pick(r, [null, true, false, '', 'dad', 'x'.repeat(int(r, 0, 4000))] as unknown[]);
      return { kind: 'setAttribute', id: int(r, 0, 50), name: pick(r, ['occluded', '__proto__', 'a'.repeat(int(r, 1, 100))]), before: value(), after: value() };
    }
    case 'reorder':
      return { kind: 'reorder', id: int(r, 0, 50), from: int(r, 0, 9), to: int(r, 0, 9) };
    case 'replaceAll': {
      const state = () => {
        const n = int(r, 0, 3);
        return { objects: Array.from({ length: n }, (_, i) => object(r, i + 1)), nextId: n + 1 + int(r, 0, 5) };
      };
      return { kind: 'replaceAll', before: state(), after: state() };
    }
    case 'setReview': {
      const review = () => pick(r, [null, { status: 'approved' }, { status: 'needs-fix', note: 'x'.repeat(int(r, 0, 2000)) }, { status: 'approved', reviewer: 'ana' }] as unknown[]);
      return { kind: 'setReview', before: review(), after: review() };
    }
    default:
      return { kind: 'batch', edits: Array.from({ length: int(r, 0, 3) }, () => edit(r, depth + 1)) };
  }
}

type FuzzState = { objects: ReturnType<typeof object>[]; nextId: number };

/** An edit that fits `state` (true ids, indices and "before" values), as the webview makes them. */
function fittingEdit(r: Rand, state: FuzzState): Record<string, unknown> {
  const objs = state.objects;
  if (objs.length === 0 || r() < 0.15) return { kind: 'addObject', object: object(r, state.nextId + int(r, 0, 5)), index: int(r, 0, objs.length) };
  const i = int(r, 0, objs.length - 1);
  const o = structuredClone(objs[i]);
  switch (int(r, 0, 6)) {
    case 0:
      return { kind: 'removeObject', object: o, index: i };
    case 1:
      return { kind: 'setGeometry', id: o.id, before: o.regions, after: regions(r) };
    case 2:
      return { kind: 'setClass', id: o.id, before: o.classId, after: int(r, 0, 9) };
    case 3:
      return { kind: 'setHidden', id: o.id, before: o.hidden, after: !o.hidden };
    case 4:
      return { kind: 'reorder', id: o.id, from: i, to: int(r, 0, objs.length - 1) };
    case 5:
      return { kind: 'replaceAll', before: structuredClone(state), after: { objects: [object(r, 200)], nextId: 201 } };
    default:
      return { kind: 'batch', edits: [{ kind: 'setClass', id: o.id, before: o.classId, after: 7 }, { kind: 'setClass', id: o.id, before: 7, after: 8 }] };
  }
}

function validMessage(r: Rand): Record<string, unknown> {
  const colour = () => `#${int(r, 0, 0xffffff).toString(16).padStart(6, '0')}`;
  switch (int(r, 0, 13)) {
    case 0:
      return { type: 'ready' };
    case 1:
    case 2:
      return { type: 'edit', edit: edit(r) };
    case 3:
      return { type: 'viewStatus', zoom: 0.01 + r() * 30, cursor: r() < 0.3 ? null : { x: r() * 2000 - 50, y: r() * 2000 - 50 } };
    case 4:
      return {
        type: 'uiContext', textInputFocus: r() < 0.5, drawing: r() < 0.5, hasSelection: r() < 0.5, focused: r() < 0.5, tool: pick(r, ['select', 'polygon', 'segment']),
        activeClassId: r() < 0.3 ? null : 1 + Math.floor(r() * 255),
      };
    case 5:
      return { type: 'webviewError', message: `image failed: ${r()}` };
    case 6:
      return { type: 'imageLoaded', naturalWidth: int(r, 1, 20000), naturalHeight: int(r, 1, 20000) };
    case 7:
      return { type: 'request', requestId: int(r, 0, 1e6), method: 'addLabel', params: r() < 0.5 ? { name: 'car' } : { name: 'person', color: colour() } };
    case 8:
      return { type: 'request', requestId: int(r, 0, 1e6), method: 'updateLabel', params: { id: int(r, 0, 30), name: 'tree 2', color: colour() } };
    case 9:
      return { type: 'request', requestId: int(r, 0, 1e6), method: 'removeLabel', params: { id: int(r, 0, 30) } };
    case 10:
      return { type: 'segmentStart', session: int(r, 0, 1000), refineObjectId: r() < 0.5 ? null : int(r, 0, 50) };
    case 11:
    case 12:
      return {
        type: 'segmentClicks',
        session: int(r, 0, 1000),
        undo: false,
        clicks: Array.from({ length: int(r, 1, 20) }, () => ({ x: r() * 640, y: r() * 480, positive: r() < 0.7 })),
      };
    default:
      return { type: 'segmentEnd', session: int(r, 0, 1000) };
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values and mutations

const NASTY_NUMBERS = [NaN, Infinity, -Infinity, -0, -1, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e7 + 1, Number.MIN_VALUE, 4294967296];
const NASTY_STRINGS = ['', ' ', '\u0000', '\n', '../../etc/passwd', '/tmp/x', 'C:\\Windows', 'x'.repeat(MAX_LABEL_NAME + 1), 'y'.repeat(MAX_STRING + 1), '\ud800', '𝔘nicode', '__proto__', 'constructor', 'file:///etc/passwd', '#12345g', '<script>'];

function cyclic(): unknown {
  const a: Record<string, unknown> = { kind: 'batch' };
  a.edits = [a];
  a.self = a;
  return a;
}

function randomValue(r: Rand, depth = 0): unknown {
  switch (int(r, 0, depth > 3 ? 6 : 13)) {
    case 0:
      return pick(r, NASTY_NUMBERS);
    case 1:
      return pick(r, NASTY_STRINGS);
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return int(r, -5, 100);
    case 6:
      return BigInt(int(r, -5, 5));
    case 7:
      return Array.from({ length: int(r, 0, 6) }, () => randomValue(r, depth + 1));
    case 8:
      return Object.fromEntries(Array.from({ length: int(r, 0, 5) }, () => [pick(r, ['type', 'kind', 'id', 'x', 'edit', 'params', 'session', 'clicks', '__proto__', 'a']), randomValue(r, depth + 1)]));
    case 9:
      return cyclic();
    case 10:
      return new Float64Array(int(r, 0, 8)).map(() => r() * 100);
    case 11:
      return new Map([[1, 2]]);
    case 12:
      return new Date(int(r, 0, 1e12));
    default:
      return { type: pick(r, ['ready', 'edit', 'request', 'segmentClicks', 'imageLoaded', 'nope', 'toString', 'hasOwnProperty']) };
  }
}

/** Paths to every field of a value (objects and arrays), for targeted mutations. */
function fieldPaths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || out.length > 400) return out;
  for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
    if (out.length > 400) break;
    out.push([...at, k]);
    fieldPaths((v as Record<string | number, unknown>)[k], [...at, k], out);
  }
  return out;
}

function getAt(v: unknown, p: (string | number)[]): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], v);
}

/** A copy of a valid message with one to three targeted changes. */
function mutate(r: Rand, m: Record<string, unknown>): unknown {
  const copy = structuredClone(m);
  const n = int(r, 1, 3);
  for (let i = 0; i < n; i++) {
    const paths = fieldPaths(copy);
    if (paths.length === 0) return randomValue(r);
    const p = pick(r, paths);
    const parent = getAt(copy, p.slice(0, -1)) as Record<string | number, unknown>;
    const key = p[p.length - 1];
    const old = parent[key];
    switch (int(r, 0, 7)) {
      case 0:
        delete parent[key];
        break;
      case 1:
        parent[key] = randomValue(r);
        break;
      case 2:
        parent[key] = typeof old === 'number' ? pick(r, NASTY_NUMBERS) : pick(r, NASTY_STRINGS);
        break;
      case 3:
        parent[key] = typeof old === 'number' ? String(old) : Array.isArray(old) ? { ...old } : [old];
        break;
      case 4:
        // Grow an array past the caps (clicks, rings, batches) without allocating per element.
        if (Array.isArray(old)) parent[key] = new Array(int(r, 201, 3000)).fill(old[0] ?? 0);
        else parent[key] = old;
        break;
      case 5:
        if (typeof old === 'number') parent[key] = old + pick(r, [1e7, -1e7, 0.5, -old - 1]);
        break;
      case 6:
        parent[key] = cyclic();
        break;
      default:
        (parent as Record<string, unknown>)[pick(r, ['extra', 'path', 'file', 'uri'])] = pick(r, NASTY_STRINGS);
    }
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Invariants

/** String fields the host uses, all as text: none is ever used as a path or URI. */
const TEXT_FIELDS = new Set(['type', 'kind', 'method', 'message', 'tool', 'name', 'color']);
/** setAttribute's values: text too (an object's attribute value, stored and written, never a path). */
const ATTRIBUTE_VALUE_FIELDS = new Set(['before', 'after']);
/** setReview's record: a decision and free text, stored in the sidecar, never a path. */
const REVIEW_FIELDS = new Set(['status', 'note', 'reviewer']);

function checkAccepted(value: unknown, where = 'message'): void {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${where}: non-finite number ${value}`);
    return;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return;
  assert.equal(typeof value, 'object', `${where}: unexpected ${typeof value}`);
  const proto = Object.getPrototypeOf(value);
  assert.ok(proto === Object.prototype || proto === Array.prototype, `${where}: not a plain object/array`);
  for (const [k, v] of Object.entries(value as object)) {
    if (typeof v === 'string') {
      assert.ok(TEXT_FIELDS.has(k) || ATTRIBUTE_VALUE_FIELDS.has(k) || (REVIEW_FIELDS.has(k) && /\.(before|after|review)$/.test(where)) || where.endsWith('.attributes'), `${where}.${k}: a string in an unexpected field`);
      assert.ok(v.length <= MAX_STRING, `${where}.${k}: string too long`);
    }
    checkAccepted(v, `${where}.${k}`);
  }
}

function snapshot(v: unknown): string | null {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? [...x] : x));
  } catch {
    return null; // cyclic: not compared
  }
}

interface Counts {
  /** Time spent inside the validator (the rest is the harness's checks). */
  validatorMs: number;
  inputs: number;
  accepted: number;
  refused: number;
}

function exercise(input: unknown, counts: Counts): void {
  const before = snapshot(input);
  let result: ReturnType<typeof parseWebviewMessage>;
  const t0 = performance.now();
  try {
    result = parseWebviewMessage(input);
    counts.validatorMs += performance.now() - t0;
  } catch (e) {
    assert.fail(`validator threw ${(e as Error).stack}\ninput: ${String(snapshot(input)).slice(0, 400)}`);
  }
  counts.inputs++;
  assert.equal(typeof result.ok, 'boolean');
  if (result.ok) {
    counts.accepted++;
    checkAccepted(result.value);
    const again = parseWebviewMessage(result.value);
    assert.ok(again.ok, `accepted message fails re-validation: ${!again.ok && again.error}`);
    assert.deepEqual(again.value, result.value);
  } else {
    counts.refused++;
    assert.equal(typeof result.error, 'string');
    assert.ok(result.error.length > 0 && result.error.length <= 300, `reason of ${result.error.length} characters: ${result.error.slice(0, 120)}`);
  }
  assert.equal(snapshot(input), before, 'the validator modified its input');
}

describe('fuzz: webview message validator', function () {
  this.timeout(20_000);

  it(`accepts every generated valid message unchanged (seed ${SEED})`, () => {
    const r = rng(SEED);
    const counts: Counts = { validatorMs: 0, inputs: 0, accepted: 0, refused: 0 };
    for (let i = 0; i < COUNT / 4; i++) {
      const m = validMessage(r);
      const res = parseWebviewMessage(m);
      assert.ok(res.ok, `${JSON.stringify(m).slice(0, 300)}: ${!res.ok && res.error}`);
      assert.deepEqual(res.value, m);
      exercise(m, counts);
    }
    assert.equal(counts.accepted, counts.inputs);
    console.log(`      valid: ${counts.inputs} messages, all accepted`);
  });

  it(`never throws on mutated or random input, refuses with a reason (seed ${SEED})`, () => {
    const r = rng(SEED ^ 0x5eed);
    const counts: Counts = { validatorMs: 0, inputs: 0, accepted: 0, refused: 0 };
    const t0 = Date.now();
    for (let i = 0; i < COUNT; i++) {
      const input = r() < 0.75 ? mutate(r, validMessage(r)) : randomValue(r);
      exercise(input, counts);
    }
    const ms = Date.now() - t0;
    console.log(`      mutated/random: ${counts.inputs} inputs, ${counts.accepted} accepted, ${counts.refused} refused, ${ms} ms (${Math.round(counts.validatorMs)} ms in the validator)`);
    assert.ok(counts.refused > counts.inputs / 3, 'the mutations should mostly be refused');
    // The harness's own checks dominate the wall time (and vary with machine load); the
    // validator itself must stay far below a millisecond per message.
    assert.ok(counts.validatorMs < 5_000, `the validator took ${Math.round(counts.validatorMs)} ms`);
  });

  it(`accepted edits reach the document model: refused as conflicts or applied, and undo restores (seed ${SEED})`, () => {
    const r = rng(SEED ^ 0xd0c);
    let applied = 0;
    let conflicts = 0;
    let inputs = 0;
    for (let i = 0; i < COUNT / 4; i++) {
      const state: FuzzState = { objects: Array.from({ length: int(r, 0, 6) }, (_, k) => object(r, k * 3 + int(r, 0, 2))), nextId: 100 };
      const model = new AnnotationModel(state);
      const pickEdit = () => (r() < 0.6 ? fittingEdit(r, state) : edit(r));
      const raw = r() < 0.6 ? { type: 'edit', edit: pickEdit() } : mutate(r, { type: 'edit', edit: pickEdit() });
      const parsed = parseWebviewMessage(raw);
      inputs++;
      if (!parsed.ok || parsed.value.type !== 'edit') continue;
      const before = JSON.stringify(model.state);
      // What the editor panel does first: an edit whose "before" values differ is refused.
      if (editConflict(model.state, parsed.value.edit)) {
        assert.equal(JSON.stringify(model.state), before, 'the check changed the state');
        conflicts++;
        continue;
      }
      try {
        model.apply(parsed.value.edit);
        applied++;
      } catch (e) {
        assert.ok(e instanceof EditConflictError, `the model threw ${(e as Error).stack}`);
        assert.equal(JSON.stringify(model.state), before, 'a refused edit changed the state');
        conflicts++;
        continue;
      }
      const valid = checkState(JSON.parse(JSON.stringify(model.state)), 'state');
      assert.ok(!isIssue(valid), isIssue(valid) ? `${valid.path}: ${valid.message}` : '');
      assert.equal(new Set(model.state.objects.map((o) => o.id)).size, model.state.objects.length, 'duplicate object ids');
      model.undo(parsed.value.edit);
      // Objects come back exactly; nextId only grows (ids are never reused), by design.
      assert.equal(JSON.stringify(model.state.objects), JSON.stringify(JSON.parse(before).objects), 'undo did not restore the objects');
    }
    console.log(`      document model: ${inputs} edit messages, ${applied} applied and undone, ${conflicts} refused as conflicts`);
    assert.ok(applied > 0 && conflicts > 0);
  });

  it('refuses oversized edits before walking them, and cycles', () => {
    const ringBig = new Array(2 * (MAX_EDIT_VALUES / 2 + 10)).fill(1);
    const big = { type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: ringBig, holes: [] }] } };
    const t0 = Date.now();
    const res = parseWebviewMessage(big);
    assert.ok(!res.ok && /values/.test(res.error), !res.ok ? res.error : 'accepted');
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(withinSize(cyclic()), false);
    const r = parseWebviewMessage({ type: 'edit', edit: cyclic() });
    assert.ok(!r.ok);
    // Shared (non-cyclic) references within budget are fine.
    const shared = { outer: [0, 0, 5, 0, 0, 5], holes: [] };
    assert.ok(parseWebviewMessage({ type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [shared], after: [shared, shared] } }).ok);
  });
});
