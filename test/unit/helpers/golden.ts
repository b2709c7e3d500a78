/**
 * Fixture and golden-file helpers for unit tests. Inputs live in test/fixtures/in/, expected
 * outputs in test/fixtures/out/; run with REGEN=1 to (re)write the expected outputs.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (the nearest ancestor of this bundle holding package.json). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`No repository root above ${__dirname}`);
    dir = up;
  }
}

/** True when golden files should be rewritten. */
export const REGEN = process.env.REGEN === '1';

/** Absolute path of test/fixtures/in/<name>. */
export function inputPath(name: string): string {
  return join(repoRoot(), 'test', 'fixtures', 'in', name);
}

/** Absolute path of test/fixtures/out/<name>. */
export function goldenPath(name: string): string {
  return join(repoRoot(), 'test', 'fixtures', 'out', name);
}

/** Reads test/fixtures/in/<name> as UTF-8. */
export function readInput(name: string): string {
  return readFileSync(inputPath(name), 'utf8');
}

/**
 * Compares `actual` with test/fixtures/out/<name>, or writes it when REGEN=1. A regeneration
 * rewrites only files whose content changed and says what changed on stderr (one line per file,
 * see `describeGoldenChange`), so `REGEN=1 npm run test:unit` is a reviewable list of changes;
 * unchanged files are neither touched nor mentioned.
 */
export function assertGolden(name: string, actual: string | Uint8Array): void {
  const p = goldenPath(name);
  if (REGEN) {
    const before = existsSync(p) ? readFileSync(p) : undefined;
    const after = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : Buffer.from(actual);
    if (before && before.equals(after)) return;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, after);
    process.stderr.write(`      golden ${describeGoldenChange(name, before, after)}\n`);
    regenCounts[before ? 'updated' : 'created']++;
    if (!summaryHooked) {
      summaryHooked = true;
      process.once('exit', () => process.stderr.write(`golden files: ${regenCounts.updated} updated, ${regenCounts.created} created (REGEN=1)\n`));
    }
    return;
  }
  if (!existsSync(p)) assert.fail(`Golden file ${p} is missing: run the tests with REGEN=1 to create it`);
  if (typeof actual === 'string') assert.equal(actual, readFileSync(p, 'utf8'), `output differs from golden ${name}`);
  else assert.ok(Buffer.from(actual).equals(readFileSync(p)), `output differs from golden ${name}`);
}

const regenCounts = { updated: 0, created: 0 };
let summaryHooked = false;

/**
 * One line saying how a golden file changed: created with its size, or its size before and after
 * and the first difference: for JSON the first path whose value differs (`annotations[3].area:
 * 12 -> 13`), for other text the first differing line and how many lines came and went, for binary
 * files the first differing byte offset.
 */
export function describeGoldenChange(name: string, before: Uint8Array | undefined, after: Uint8Array): string {
  if (!before) return `created ${name} (${after.length} bytes)`;
  const sizes = `${before.length} -> ${after.length} bytes`;
  const a = Buffer.from(before);
  const b = Buffer.from(after);
  if (!isText(a) || !isText(b)) {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return `updated ${name} (${sizes}; binary, first difference at byte ${i})`;
  }
  const oldText = a.toString('utf8');
  const newText = b.toString('utf8');
  const json = jsonDifference(oldText, newText);
  if (json !== undefined) return `updated ${name} (${sizes}; ${json})`;
  const oldLines = oldText.split('\n');
  const newLines = newText.split('\n');
  let line = 0;
  while (line < oldLines.length && line < newLines.length && oldLines[line] === newLines[line]) line++;
  const { added, removed } = lineChanges(oldLines, newLines);
  const clip = (s: string | undefined) => (s === undefined ? '(end of file)' : JSON.stringify(s.length > 80 ? s.slice(0, 77) + '...' : s));
  return `updated ${name} (${sizes}; +${added} -${removed} lines; first at line ${line + 1}: ${clip(oldLines[line])} -> ${clip(newLines[line])})`;
}

function isText(b: Buffer): boolean {
  return !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** Lines only in the new text and only in the old one (as multisets: moved lines do not count). */
function lineChanges(oldLines: string[], newLines: string[]): { added: number; removed: number } {
  const count = new Map<string, number>();
  for (const l of oldLines) count.set(l, (count.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of newLines) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else added++;
  }
  let removed = 0;
  for (const n of count.values()) removed += n;
  return { added, removed };
}

/** The first differing JSON path of two JSON texts; undefined when either is not JSON. */
function jsonDifference(oldText: string, newText: string): string | undefined {
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(oldText);
    b = JSON.parse(newText);
  } catch {
    return undefined;
  }
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'undefined';
    return s.length > 60 ? s.slice(0, 57) + '...' : s;
  };
  const walk = (x: unknown, y: unknown, path: string): string | undefined => {
    if (Object.is(x, y)) return undefined;
    const xo = typeof x === 'object' && x !== null;
    const yo = typeof y === 'object' && y !== null;
    if (!xo || !yo || Array.isArray(x) !== Array.isArray(y)) return `${path || '(root)'}: ${show(x)} -> ${show(y)}`;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (i >= x.length) return `${path}[${i}] added (${y.length - x.length} more items)`;
        if (i >= y.length) return `${path}[${i}] removed (${x.length - y.length} fewer items)`;
        const d = walk(x[i], y[i], `${path}[${i}]`);
        if (d) return d;
      }
      return undefined;
    }
    const xr = x as Record<string, unknown>;
    const yr = y as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(xr), ...Object.keys(yr)])];
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in yr)) return `${p} removed`;
      if (!(k in xr)) return `${p} added: ${show(yr[k])}`;
      const d = walk(xr[k], yr[k], p);
      if (d) return d;
    }
    // Same values, different key order or formatting.
    return Object.keys(xr).join() !== Object.keys(yr).join() ? `${path || '(root)'}: key order changed` : undefined;
  };
  return walk(a, b, '') ?? 'same JSON values, formatting changed';
}
