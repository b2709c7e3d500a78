/**
 * Seeded fuzzing helpers shared by the reader fuzzers: random JSON values, structural mutations
 * of parsed JSON (replace, delete, duplicate, retype a node) and text mutations (truncate, flip,
 * insert, delete, repeat). Everything is driven by one seeded PRNG, so a failure is reproduced
 * by its seed and input number (FUZZ_SEED=<n>; FUZZ_SCALE=<x> multiplies the input counts).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { rng } from '../helpers/masks';

/** The seed of this run (FUZZ_SEED, default fixed so CI is reproducible). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261121) >>> 0;
/** Input-count multiplier (FUZZ_SCALE, default 1). */
export const FUZZ_SCALE = Math.max(0.01, Number(process.env.FUZZ_SCALE ?? 1) || 1);

/** A seeded random source with the helpers the mutators need. */
export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Awkward scalars: boundaries, wrong types, specials that JSON can express. */
const SCALARS: unknown[] = [
  null, true, false, 0, -0, 1, -1, 0.5, 255, 256, 65535, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 1e-320, 1e7, 1e7 + 1,
  '', ' ', 'x', '0', '1', 'NaN', 'Infinity', '#ff00ff', '#zzzzzz', '__proto__', 'constructor', '\u0000', '\ud800', 'é✓😀',
  '../../etc/passwd', '/abs/path.png', 'C:\\x.png', 'a'.repeat(3000),
];

/** A random JSON value of bounded size. */
export function randomJson(r: Rand, depth = 0): unknown {
  const k = r.int(depth > 3 ? 3 : 6);
  switch (k) {
    case 0:
    case 1:
      return r.pick(SCALARS);
    case 2:
      return r.chance(0.5) ? r.int(2000) - 1000 : (r.next() - 0.5) * 1e4;
    case 3: {
      const n = r.int(6);
      return Array.from({ length: n }, () => randomJson(r, depth + 1));
    }
    case 4: {
      const n = r.int(8);
      return Array.from({ length: n }, () => r.int(200) - 20);
    }
    default: {
      const o: Record<string, unknown> = {};
      const keys = ['id', 'name', 'color', 'size', 'counts', 'segmentation', 'width', 'height', 'images', 'labels', 'annotations', 'categories', 'outer', 'holes', '__proto__', 'x'];
      for (let i = r.int(5); i > 0; i--) Object.defineProperty(o, r.pick(keys), { value: randomJson(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

/** Every container node of a JSON value with its parent and key (root excluded). */
function nodes(v: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [v];
  while (stack.length && out.length < 20000) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        out.push({ parent: x, key: i });
        stack.push(c);
      });
    } else if (x && typeof x === 'object') {
      for (const [k, c] of Object.entries(x)) {
        out.push({ parent: x as Record<string, unknown>, key: k });
        stack.push(c);
      }
    }
  }
  return out;
}

/** Applies 1..4 structural mutations to a deep copy of `value`. */
export function mutateJson(r: Rand, value: unknown): unknown {
  const v = JSON.parse(JSON.stringify(value)) as unknown;
  for (let m = 1 + r.int(4); m > 0; m--) {
    const all = nodes(v);
    if (all.length === 0) return randomJson(r);
    const { parent, key } = r.pick(all);
    const cur = (parent as Record<string | number, unknown>)[key];
    switch (r.int(8)) {
      case 0: // replace with a random value
        (parent as Record<string | number, unknown>)[key] = randomJson(r);
        break;
      case 1: // delete
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 2: // duplicate an array element (duplicate ids, repeated classes)
        if (Array.isArray(parent)) parent.splice(key as number, 0, JSON.parse(JSON.stringify(cur ?? null)));
        else (parent as Record<string, unknown>)[`${key}_copy`] = cur;
        break;
      case 3: // numbers: nudge, negate, scale far outside the image
        if (typeof cur === 'number') (parent as Record<string | number, unknown>)[key] = r.pick([cur + 1, -cur, cur * 1e6, cur + 0.5, Math.round(cur) + 1e4]);
        else (parent as Record<string | number, unknown>)[key] = r.pick(SCALARS);
        break;
      case 4: // wrap in an array / object
        (parent as Record<string | number, unknown>)[key] = r.chance(0.5) ? [cur] : { value: cur };
        break;
      case 5: // stringify a value
        (parent as Record<string | number, unknown>)[key] = JSON.stringify(cur ?? null);
        break;
      case 6: // grow an array (many polygons / vertices / labels)
        if (Array.isArray(cur) && cur.length > 0) {
          const n = r.pick([2, 10, 300]);
          const grown: unknown[] = [];
          for (let i = 0; i < n; i++) grown.push(...cur);
          (parent as Record<string | number, unknown>)[key] = grown;
        } else (parent as Record<string | number, unknown>)[key] = randomJson(r);
        break;
      default: // an inserted "__proto__" or odd key
        if (cur && typeof cur === 'object' && !Array.isArray(cur)) {
          Object.defineProperty(cur, r.pick(['__proto__', 'constructor', 'toString', '']), { value: randomJson(r), enumerable: true, writable: true, configurable: true });
        }
    }
  }
  return v;
}

const TEXT_BITS = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', '.', 'e', ' ', '\n', 'null', 'true', '1e999', '\ufeff', '\u2028', '😀'];

/** Applies a text-level mutation (JSON syntax breakage, truncation, garbage). */
export function mutateText(r: Rand, text: string): string {
  const at = r.int(text.length + 1);
  switch (r.int(6)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + r.pick(TEXT_BITS) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + r.int(20));
    case 3: {
      const c = text.charCodeAt(at) || 32;
      return text.slice(0, at) + String.fromCharCode(c ^ (1 << r.int(7))) + text.slice(at + 1);
    }
    case 4: {
      const len = 1 + r.int(40);
      return text.slice(0, at) + text.slice(at, at + len).repeat(2 + r.int(3)) + text.slice(at);
    }
    default:
      return r.pick(['', ' ', 'null', '[]', '{}', '"x"', '0', '[[[[[[[[[[', '{"a":'.repeat(2000), '['.repeat(20000) + ']'.repeat(20000), '\ufeff' + text]);
  }
}

/** One input of a fuzz run: structural mutation, text mutation, both, or fresh random JSON. */
export function fuzzInput(r: Rand, seeds: readonly unknown[]): string {
  const k = r.int(10);
  if (k === 0) return JSON.stringify(randomJson(r));
  const seed = r.pick(seeds);
  if (k <= 5) return JSON.stringify(mutateJson(r, seed), null, r.chance(0.5) ? 2 : undefined);
  if (k <= 8) return mutateText(r, JSON.stringify(seed, null, 2));
  return mutateText(r, JSON.stringify(mutateJson(r, seed)));
}

/** True for errors that mean a bug in a reader (TypeError, RangeError, ...), not a reported problem. */
export function isCrash(e: unknown): boolean {
  return !(e instanceof Error) || e.constructor !== Error;
}

/** sha1 of every file under `dir` (path -> hash, with size and mode), to prove reads write nothing. */
export async function snapshotDir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const st = await fs.lstat(p);
        const h = createHash('sha1').update(await fs.readFile(p)).digest('hex');
        out.set(path.relative(dir, p), `${h} ${st.size} ${st.mode} ${st.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return out;
}

/** Tally of a fuzz run, printed at the end so CI logs carry the numbers. */
export class FuzzStats {
  tried = 0;
  crashes: { n: number; input: string; error: string }[] = [];
  outcomes = new Map<string, number>();
  slowest = 0;
  constructor(readonly name: string) {}
  count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }
  crash(n: number, input: string, e: unknown): void {
    this.crashes.push({ n, input: input.slice(0, 400), error: e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e) });
  }
  report(): string {
    const o = [...this.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    return `[fuzz] ${this.name}: ${this.tried} inputs (seed ${FUZZ_SEED}), ${this.crashes.length} crashes, slowest ${this.slowest.toFixed(1)} ms; ${o}`;
  }
  /** Prints the tally (CI logs carry it) and fails on any crash, showing the first. */
  assertNoCrashes(): void {
    console.log(this.report());
    assert.deepEqual(this.crashes, [], `${this.crashes.length} crashes, first: ${JSON.stringify(this.crashes[0], null, 1)}`);
  }
}
