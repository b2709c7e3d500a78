/**
 * Fuzzes the labels-file reader as the CLI and export read it from disk (`readLabelsFile`, which
 * wraps `parseLabels`): only plain `Error`s with a message escape, what is read is a valid label
 * list that survives serialise -> parse, and reading changes nothing on disk.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLabelsFile } from '../../../src/extension/export/run';
import { NodeWorkspace } from '../../../src/extension/export/nodeIo';
import { MAX_LABEL_ID, parseLabels, serializeLabels } from '../../../src/shared/labels';
import { FUZZ_SCALE, FUZZ_SEED, FuzzStats, Rand, fuzzInput, isCrash, snapshotDir } from './fuzz';

const SEEDS: unknown[] = [
  { version: 1, labels: [{ id: 1, name: 'car', color: '#e6194b' }, { id: 2, name: 'person', color: '#3cb44b', note: 'kept' }] },
  { version: 1, labels: [{ id: 255, name: 'last' }, { id: 7, name: ' spaced ', color: '#ABCDEF' }], extra: { any: [1, 2] } },
  { labels: [] },
  { version: 1, labels: Array.from({ length: 40 }, (_, i) => ({ id: i + 1, name: `c${i}`, color: '#000000' })) },
];

describe('fuzz: labels file reader', function () {
  this.timeout(60000);
  it('reports typed errors only, reads valid labels, writes nothing', async () => {
    const r = new Rand(FUZZ_SEED ^ 0x1abe1);
    const stats = new FuzzStats('labels reader');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-fuzz-labels-'));
    try {
      await fs.mkdir(path.join(dir, '.edgeflow'));
      const ws = await NodeWorkspace.open(dir);
      const file = path.join(dir, '.edgeflow', 'labels.json');
      const total = Math.round(3000 * FUZZ_SCALE);
      for (let n = 0; n < total; n++) {
        const text = fuzzInput(r, SEEDS);
        await fs.writeFile(file, text);
        const before = n % 50 === 0 ? await snapshotDir(dir) : undefined;
        stats.tried++;
        const t0 = performance.now();
        try {
          let labels;
          try {
            labels = await readLabelsFile(ws);
          } catch (e) {
            if (isCrash(e)) throw e;
            assert.ok((e as Error).message.startsWith('.edgeflow/labels.json: '), (e as Error).message);
            stats.count('error');
            continue;
          }
          stats.count('ok');
          const ids = new Set<number>();
          for (const l of labels) {
            assert.ok(Number.isInteger(l.id) && l.id >= 1 && l.id <= MAX_LABEL_ID && !ids.has(l.id), `id ${l.id}`);
            ids.add(l.id);
            assert.match(l.color, /^#[0-9a-f]{6}$/);
            assert.ok(l.name.trim() !== '' && l.name === l.name.trim());
          }
          const parsed = parseLabels(text);
          assert.ok(parsed.ok);
          const again = parseLabels(serializeLabels(parsed.value));
          assert.ok(again.ok, 'serialised labels do not parse');
          assert.deepEqual(again.value.labels, parsed.value.labels.slice().sort((a, b) => a.id - b.id));
        } catch (e) {
          stats.crash(n, text, e);
        } finally {
          stats.slowest = Math.max(stats.slowest, performance.now() - t0);
        }
        if (before) assert.deepEqual(await snapshotDir(dir), before, 'reading changed files on disk');
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    stats.assertNoCrashes();
  });
});
