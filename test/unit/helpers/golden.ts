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

/** Compares `actual` with test/fixtures/out/<name>, or writes it when REGEN=1. */
export function assertGolden(name: string, actual: string | Uint8Array): void {
  const p = goldenPath(name);
  if (REGEN) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, actual);
    return;
  }
  if (!existsSync(p)) assert.fail(`Golden file ${p} is missing: run the tests with REGEN=1 to create it`);
  if (typeof actual === 'string') assert.equal(actual, readFileSync(p, 'utf8'), `output differs from golden ${name}`);
  else assert.ok(Buffer.from(actual).equals(readFileSync(p)), `output differs from golden ${name}`);
}
