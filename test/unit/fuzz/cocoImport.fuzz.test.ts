/**
 * Fuzzes COCO import (`importAnnotations`) with mutated datasets: in an in-memory workspace for
 * volume, and through `runImport` on a real folder for the file-system guarantees. Only plain
 * `Error`s with a message may escape; every sidecar written must read back; nothing is written
 * but `<image>.coco.json` beside the workspace's own images and the labels file; the source file
 * never changes.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runImport } from '../../../src/extension/export/run';
import { nodeCodecs } from '../../../src/extension/export/nodeIo';
import { importAnnotations } from '../../../src/shared/export/importer';
import type { WorkspaceWriter } from '../../../src/shared/export/types';
import { encodeRle } from '../../../src/shared/formats/rle';
import { readCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { FUZZ_SCALE, FUZZ_SEED, FuzzStats, Rand, fuzzInput, isCrash, snapshotDir } from './fuzz';

const IMAGES = ['photos/street.png', 'photos/b c.jpg', 'scans/deep/x.png', 'é/ü.png'];

/** A workspace held in memory (import writes sidecars into it). */
class MemoryWorkspace implements WorkspaceWriter {
  readonly files = new Map<string, string | Uint8Array>();
  constructor(paths: string[]) {
    for (const p of paths) this.files.set(p, new Uint8Array(1));
  }
  async listSidecars(): Promise<string[]> {
    return [...this.files.keys()].filter((p) => p.endsWith('.coco.json')).sort();
  }
  async readText(rel: string): Promise<string> {
    const v = this.files.get(rel);
    if (v === undefined) throw new Error(`${rel}: not found`);
    return typeof v === 'string' ? v : new TextDecoder().decode(v);
  }
  async readBytes(rel: string): Promise<Uint8Array> {
    const v = this.files.get(rel);
    if (v === undefined) throw new Error(`${rel}: not found`);
    return typeof v === 'string' ? new TextEncoder().encode(v) : v;
  }
  async isFile(rel: string): Promise<boolean> {
    return this.files.has(rel);
  }
  async writeFileAtomic(rel: string, data: string | Uint8Array): Promise<void> {
    this.files.set(rel, data);
  }
  async listFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
    return [...this.files.keys()]
      .filter((p) => (dir === '' || p.startsWith(dir + '/')) && extensions.some((e) => p.toLowerCase().endsWith(e)))
      .sort();
  }
}

function seedDataset(): unknown {
  const w = 40;
  const h = 30;
  const mask = new Uint8Array(w * h);
  for (let y = 5; y < 20; y++) for (let x = 5; x < 30; x++) if (!(y > 9 && y < 13 && x > 12 && x < 18)) mask[y * w + x] = 1;
  return {
    info: { description: 'seed' },
    images: [
      { id: 1, file_name: 'street.png', width: w, height: h },
      { id: 2, file_name: 'photos/b c.jpg', width: w, height: h },
      { id: 3, file_name: '../outside/x.png', width: w, height: h },
      { id: 4, file_name: 'é/ü.png', width: w, height: h },
    ],
    categories: [{ id: 1, name: 'car' }, { id: 2, name: 'person', color: '#00ff00' }, { id: 300, name: 'big id' }],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, segmentation: [[1, 1, 10, 1, 10, 10, 1, 10]], area: 81, bbox: [1, 1, 9, 9], iscrowd: 0 },
      { id: 11, image_id: 1, category_id: 2, segmentation: encodeRle(mask, w, h), iscrowd: 0 },
      { id: 12, image_id: 2, category_id: 300, segmentation: [[2, 2, 8, 2, 5, 9], [20, 20, 25, 20, 25, 25]], iscrowd: 1 },
      { id: 13, image_id: 3, category_id: 1, segmentation: { size: [h, w], counts: [0, 5, 1195] }, iscrowd: 0 },
      { id: 14, image_id: 4, category_id: 2, segmentation: [[0, 0, 40, 0, 40, 30]], iscrowd: 0 },
    ],
  };
}

function checkWrites(ws: MemoryWorkspace, before: Set<string>): void {
  for (const [p, data] of ws.files) {
    if (before.has(p)) continue;
    assert.ok(p.endsWith('.coco.json') && IMAGES.includes(p.slice(0, -'.coco.json'.length)), `unexpected write ${p}`);
    const r = readCocoSidecar(typeof data === 'string' ? data : new TextDecoder().decode(data), { maskToRegions: maskToPolygons });
    assert.ok(r.ok, `${p} written unreadable: ${!r.ok && r.error.message}`);
  }
}

describe('fuzz: COCO import', function () {
  this.timeout(60000);
  it('in memory: typed errors only, readable sidecars beside known images only', async () => {
    const r = new Rand(FUZZ_SEED ^ 0xc0c0);
    const seeds = [seedDataset()];
    const stats = new FuzzStats('COCO import (memory)');
    const total = Math.round(2000 * FUZZ_SCALE);
    for (let n = 0; n < total; n++) {
      const text = fuzzInput(r, seeds);
      const ws = new MemoryWorkspace([...IMAGES, 'data/coco.json']);
      ws.files.set('data/coco.json', text);
      const before = new Set(ws.files.keys());
      stats.tried++;
      const t0 = performance.now();
      try {
        try {
          const s = await importAnnotations({
            workspace: ws,
            source: { reader: ws, entry: 'data/coco.json', workspacePath: '' },
            labels: [{ id: 1, name: 'car', color: '#ff0000' }],
            overwrite: r.chance(0.5),
            codecs: nodeCodecs,
          });
          stats.count(s.written ? 'written' : 'nothing');
          for (const l of s.labels) assert.ok(Number.isInteger(l.id) && l.id >= 1 && l.id <= 255, `label id ${l.id}`);
        } catch (e) {
          if (isCrash(e)) throw e;
          stats.count('error');
        }
        assert.equal(ws.files.get('data/coco.json'), text, 'the source changed');
        checkWrites(ws, before);
      } catch (e) {
        stats.crash(n, text, e);
      } finally {
        stats.slowest = Math.max(stats.slowest, performance.now() - t0);
      }
    }
    stats.assertNoCrashes();
  });

  it('on disk (runImport): the source never changes, only sidecars and the labels file appear', async () => {
    const r = new Rand(FUZZ_SEED ^ 0xd15c);
    const seeds = [seedDataset()];
    const stats = new FuzzStats('COCO import (disk)');
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-fuzz-import-'));
    try {
      const ws = path.join(root, 'ws');
      const src = path.join(root, 'src', 'coco.json');
      await fs.mkdir(path.dirname(src), { recursive: true });
      for (const p of IMAGES) {
        await fs.mkdir(path.dirname(path.join(ws, p)), { recursive: true });
        await fs.writeFile(path.join(ws, p), 'not really an image');
      }
      const total = Math.round(150 * FUZZ_SCALE);
      for (let n = 0; n < total; n++) {
        const text = fuzzInput(r, seeds);
        await fs.writeFile(src, text);
        // A fresh start: no sidecars, no labels file.
        for (const p of IMAGES) await fs.rm(path.join(ws, p + '.coco.json'), { force: true });
        await fs.rm(path.join(ws, '.edgeflow'), { recursive: true, force: true });
        const wsBefore = await snapshotDir(ws);
        const srcBefore = await snapshotDir(path.dirname(src));
        stats.tried++;
        const t0 = performance.now();
        try {
          try {
            const s = await runImport({ workspaceDir: ws, from: src, overwrite: false });
            stats.count(s.written ? 'written' : 'nothing');
          } catch (e) {
            if (isCrash(e)) throw e;
            stats.count('error');
          }
          assert.deepEqual(await snapshotDir(path.dirname(src)), srcBefore, 'the source folder changed');
          const after = await snapshotDir(ws);
          for (const [p, h] of wsBefore) assert.equal(after.get(p), h, `${p} changed`);
          for (const p of after.keys()) {
            if (wsBefore.has(p)) continue;
            const rel = p.split(path.sep).join('/');
            assert.ok(rel === '.edgeflow/labels.json' || (rel.endsWith('.coco.json') && IMAGES.includes(rel.slice(0, -'.coco.json'.length))), `unexpected file ${rel}`);
          }
        } catch (e) {
          stats.crash(n, text, e);
        } finally {
          stats.slowest = Math.max(stats.slowest, performance.now() - t0);
        }
      }
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
    stats.assertNoCrashes();
  });
});
