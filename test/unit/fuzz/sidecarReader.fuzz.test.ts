/**
 * Fuzzes the COCO sidecar reader (strict and lenient, as the exporter and the editor call it)
 * with mutated real sidecars and random JSON, read from files on disk: nothing may escape but a
 * `SidecarError` result, what is read must satisfy the model's invariants and survive a write ->
 * read round trip, and reading must leave the folder byte-identical.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnnotationState } from '../../../src/shared/annotation/types';
import { readCocoSidecar, writeCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { jsonSyntaxErrorOffset, locateJsonPath } from '../../../src/shared/formats/jsonErrors';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { inputPath } from '../helpers/golden';
import { FUZZ_SCALE, FUZZ_SEED, FuzzStats, Rand, fuzzInput, snapshotDir } from './fuzz';

/** Seeds: the repository's sidecar fixtures plus generated ones (holes, hidden, extras, RLE). */
async function seeds(): Promise<unknown[]> {
  const files = [
    'sidecar/foreign.coco.json',
    'export/workspace/photos/street.png.coco.json',
    'export/workspace/photos/street.jpg.coco.json',
    'export/workspace/photos/empty.png.coco.json',
    'export/workspace/scans/deep/bowtie.png.coco.json',
  ];
  const out: unknown[] = [];
  for (const f of files) out.push(JSON.parse(await fs.readFile(inputPath(f), 'utf8')));
  const state: AnnotationState = {
    objects: [
      { id: 3, classId: 1, regions: [{ outer: [1, 1, 20, 1, 20, 15, 1, 15], holes: [[5, 5, 10, 5, 10, 10, 5, 10]] }], hidden: false },
      { id: 7, classId: 9, regions: [{ outer: [25, 2, 35, 2, 30, 12], holes: [] }, { outer: [2, 20, 8, 20, 8, 28], holes: [] }], hidden: true },
    ],
    nextId: 8,
  };
  out.push(JSON.parse(writeCocoSidecar({ fileName: 'a.png', width: 40, height: 30 }, [{ id: 1, name: 'car', color: '#ff0000' }], state)));
  const foreignRle = JSON.parse(writeCocoSidecar({ fileName: 'a.png', width: 40, height: 30 }, [], state)) as { annotations: Record<string, unknown>[] };
  delete foreignRle.annotations[0].edgeflow_regions; // RLE only: needs tracing
  foreignRle.annotations[0].score = 0.9;
  out.push(foreignRle);
  return out;
}

function checkInvariants(state: AnnotationState, where: string): void {
  const ids = new Set<number>();
  for (const o of state.objects) {
    assert.ok(Number.isSafeInteger(o.id) && o.id > 0, `${where}: id ${o.id}`);
    assert.ok(!ids.has(o.id), `${where}: duplicate id ${o.id}`);
    ids.add(o.id);
    assert.ok(state.nextId > o.id, `${where}: nextId ${state.nextId} <= ${o.id}`);
    assert.ok(Number.isSafeInteger(o.classId) && o.classId >= 0, `${where}: classId`);
    assert.ok(o.regions.length > 0, `${where}: no regions`);
    for (const r of o.regions) for (const ring of [r.outer, ...r.holes]) {
      assert.ok(ring.length >= 6 && ring.length % 2 === 0, `${where}: ring length`);
      for (const v of ring) assert.ok(Number.isFinite(v), `${where}: coordinate ${v}`);
    }
  }
}

describe('fuzz: COCO sidecar reader', function () {
  this.timeout(60000);
  it('reports typed errors only, keeps invariants, round-trips, writes nothing', async () => {
    const r = new Rand(FUZZ_SEED ^ 0x51dec);
    const seedList = await seeds();
    const stats = new FuzzStats('sidecar reader');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-fuzz-sidecar-'));
    try {
      const total = Math.round(3000 * FUZZ_SCALE);
      const batch = 250;
      for (let start = 0; start < total; start += batch) {
        const inputs: string[] = [];
        for (let i = start; i < Math.min(total, start + batch); i++) {
          const text = fuzzInput(r, seedList);
          inputs.push(text);
          await fs.writeFile(path.join(dir, `${i}.png.coco.json`), text);
        }
        const before = await snapshotDir(dir);
        for (let k = 0; k < inputs.length; k++) {
          const n = start + k;
          const text = await fs.readFile(path.join(dir, `${n}.png.coco.json`), 'utf8');
          stats.tried++;
          const t0 = performance.now();
          try {
            const strict = readCocoSidecar(text, { maskToRegions: maskToPolygons });
            const lenient = readCocoSidecar(text, { maskToRegions: maskToPolygons, lenient: true });
            stats.slowest = Math.max(stats.slowest, performance.now() - t0);
            stats.count(strict.ok ? 'ok' : strict.error.code);
            if (strict.ok) {
              assert.ok(lenient.ok, 'lenient fails where strict reads');
              assert.deepEqual(lenient.value.state, strict.value.state, 'lenient reads differently');
              assert.ok(strict.value.issues.every((x) => x.severity === 'warning'), 'strict result carries errors');
            }
            // The diagnostics' JSON scanner agrees with JSON.parse on every input, and locates
            // every reported path inside the text.
            let valid = true;
            try {
              JSON.parse(text);
            } catch {
              valid = false;
            }
            const syntax = jsonSyntaxErrorOffset(text);
            assert.equal(syntax === undefined, valid, `scanner says ${syntax}, JSON.parse says ${valid ? 'valid' : 'invalid'}`);
            if (!lenient.ok) {
              assert.equal(typeof lenient.error.message, 'string');
              if (lenient.error.offset !== undefined) assert.ok(lenient.error.offset >= 0 && lenient.error.offset <= text.length);
              continue;
            }
            for (const issue of lenient.value.issues) {
              if (!issue.path) continue;
              const at = locateJsonPath(text, issue.path);
              assert.ok(at !== undefined && at >= 0 && at <= text.length, `${issue.path} located at ${at}`);
            }
            if (!strict.ok) stats.count('lenient-partial');
            const v = lenient.value;
            checkInvariants(v.state, `input ${n}`);
            if (v.image.width * v.image.height <= 4_000_000) {
              const again = writeCocoSidecar({ fileName: v.image.fileName, width: v.image.width, height: v.image.height }, [], v.state, { extras: v.extras });
              const back = readCocoSidecar(again, { maskToRegions: maskToPolygons });
              assert.ok(back.ok, `round trip: ${!back.ok && back.error.message}`);
              assert.deepEqual(back.value.state, v.state, 'round trip changed the state');
              assert.equal(writeCocoSidecar({ fileName: v.image.fileName, width: v.image.width, height: v.image.height }, [], back.value.state, { extras: back.value.extras }), again, 'write is not stable');
            }
          } catch (e) {
            stats.crash(n, text, e);
          }
        }
        assert.deepEqual(await snapshotDir(dir), before, 'reading changed files on disk');
        await Promise.all(inputs.map((_, k) => fs.rm(path.join(dir, `${start + k}.png.coco.json`))));
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    stats.assertNoCrashes();
    assert.ok(stats.slowest < 2000, `one read took ${stats.slowest} ms`);
  });
});
