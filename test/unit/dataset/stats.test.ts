import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { parseArgs } from '../../../src/cli/args';
import { datasetStats, ImageSummary } from '../../../src/shared/dataset/stats';
import { DatasetIndex } from '../../../src/extension/dataset/datasetIndex';
import { runDatasetChecks } from '../../../src/extension/dataset/datasetChecks';
import { LABELS, box, image, labelsFile, put, removeTempDirs, tempDir } from './helpers';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

/**
 * a: no sidecar (unlabelled); b: two cars (labelled); c: approved person; d: needs-fix without
 * objects; e: an empty sidecar (unlabelled); sub/f: a class only the sidecar knows; an orphan
 * sidecar; the export's output folder (skipped); a hidden folder (skipped).
 */
async function workspace(): Promise<string> {
  const root = await tempDir('edgeflow-dataset-');
  await labelsFile(root);
  await put(root, '.edgeflow/export.json', JSON.stringify({ out: 'export', formats: ['coco'] }));
  await image(root, 'a.png');
  await image(root, 'b.png', [box(1, 1, 0, 0, 10, 10), box(2, 1, 20, 0, 10, 10)]);
  await image(root, 'c.JPG', [box(1, 2, 0, 0, 10, 10)], { status: 'approved' });
  await image(root, 'd.png', [], { status: 'needs-fix', note: 'the car is missing' });
  await image(root, 'e.png', []);
  await image(root, 'sub/f.png', [box(3, 7, 0, 0, 10, 10)]);
  await put(root, 'gone.png.coco.json', await fs.readFile(path.join(root, 'b.png.coco.json')));
  await image(root, 'export/coco/x.png', [box(1, 1, 0, 0, 10, 10)]);
  await image(root, '.cache/y.png', [box(1, 1, 0, 0, 10, 10)]);
  await put(root, 'notes.txt', 'not an image');
  await put(root, 'sub/._f.png', 'a macOS resource fork');
  return root;
}

describe('dataset statistics', () => {
  after(removeTempDirs);

  it('datasetStats: statuses, objects per class in labels order, names from sidecars, unreadable only when some', () => {
    const s = (image: string, status: ImageSummary['status'], counts: [number, number][] = [], names: [number, string][] = []): ImageSummary => ({
      image, status, objects: counts.reduce((n, [, c]) => n + c, 0), classCounts: new Map(counts), categoryNames: new Map(names),
    });
    const st = datasetStats([s('a', 'unlabelled'), s('b', 'labelled', [[2, 3], [9, 1]], [[9, 'bus']]), s('c', 'approved', [[1, 1], [10, 2]])], LABELS);
    assert.deepEqual(st, { images: 3, unlabelled: 1, labelled: 1, approved: 1, needsFix: 0, objects: 7, objectsPerClass: { car: 1, person: 3, tree: 0, bus: 1, class_10: 2 } });
    assert.deepEqual(Object.keys(datasetStats([s('x', 'unreadable')], [])), ['images', 'unlabelled', 'labelled', 'approved', 'needsFix', 'unreadable', 'objects', 'objectsPerClass']);
    // A sidecar's name that a labels class already has stays apart.
    assert.deepEqual(datasetStats([s('b', 'labelled', [[9, 1]], [[9, 'car']])], LABELS).objectsPerClass, { car: 0, person: 0, tree: 0, 'car (id 9)': 1 });
  });

  it('edgeflow stats --json on a workspace: exactly the issue\'s shape', async () => {
    const root = await workspace();
    const o = io();
    assert.equal(await main(['stats', '--workspace', root, '--json'], o), 0, o.stderr);
    assert.deepEqual(JSON.parse(o.stdout), {
      images: 6, unlabelled: 2, labelled: 2, approved: 1, needsFix: 1, objects: 4,
      objectsPerClass: { car: 2, person: 1, tree: 0, class_7: 1 },
    });
    const text = io();
    assert.equal(await main(['stats', '--workspace', root], text), 0);
    assert.match(text.stdout, /^6 images: 2 unlabelled, 2 labelled, 1 approved, 1 need a fix \(67% labelled or reviewed, 17% approved\)\n4 objects: car 2, person 1, tree 0, class_7 1\n$/);
    const sub = io();
    assert.equal(await main(['stats', '--workspace', root, '--include', 'sub', '--json'], sub), 0);
    assert.equal(JSON.parse(sub.stdout).images, 1);
  });

  it('--checks: findings per file, exit code 1 on errors', async () => {
    const root = await workspace();
    await image(root, 'dup.png', [box(1, 1, 0, 0, 20, 10), box(2, 1, 1, 0, 20, 10), box(3, 2, 30, 20, 2, 2)]);
    await put(root, 'bad.png', 'x');
    await put(root, 'bad.png.coco.json', '{"images": [');
    const o = io();
    assert.equal(await main(['stats', '--workspace', root, '--checks', '--json'], o), 1);
    const out = JSON.parse(o.stdout) as { unreadable: number; checks: { file: string; code: string; severity: string }[] };
    assert.equal(out.unreadable, 1);
    assert.deepEqual(out.checks.map((c) => [c.file, c.code, c.severity]), [
      ['bad.png.coco.json', 'unreadable-sidecar', 'error'],
      ['dup.png.coco.json', 'tiny-object', 'warning'],
      ['dup.png.coco.json', 'near-duplicate', 'warning'],
      ['gone.png.coco.json', 'orphan-sidecar', 'error'],
      ['sub/f.png.coco.json', 'unknown-class', 'error'],
    ]);
    const clean = await tempDir('edgeflow-dataset-');
    await labelsFile(clean);
    await image(clean, 'ok.png', [box(1, 1, 0, 0, 10, 10), box(2, 1, 20, 20, 2, 2)]);
    const c = io();
    assert.equal(await main(['stats', '--workspace', clean, '--checks'], c), 0, 'warnings do not fail');
    assert.match(c.stdout, /ok\.png\.coco\.json: warning: object 2 covers 4 pixels \(fewer than 16\) \[tiny-object\]\nchecks: 0 errors, 1 warning\n$/);
    assert.equal(await main(['stats', '--workspace', clean, '--checks', '--min-pixels', '4'], io()), 0);
  });

  it('the index reads each sidecar once and again only when it changes (mtime and size)', async () => {
    const root = await workspace();
    const index = await DatasetIndex.open(root);
    const listing = await index.list();
    assert.deepEqual(listing, { images: ['a.png', 'b.png', 'c.JPG', 'd.png', 'e.png', 'sub/f.png'], orphanSidecars: ['gone.png.coco.json'] });
    await index.summaries(listing.images);
    assert.equal(index.parses, 5);
    await index.summaries(listing.images);
    assert.equal(index.parses, 5, 'nothing changed: no parse');
    await image(root, 'b.png', [box(1, 1, 0, 0, 10, 10)], { status: 'approved' });
    const future = new Date(Date.now() + 5000);
    await fs.utimes(path.join(root, 'b.png.coco.json'), future, future);
    const b = await index.summary('b.png');
    assert.equal(index.parses, 6);
    assert.equal(b.status, 'approved');
    assert.equal(b.objects, 1);
    // The checks read each sidecar once and leave the summaries cached.
    const fresh = await DatasetIndex.open(root);
    const l2 = await fresh.list();
    await runDatasetChecks(fresh, l2, LABELS);
    assert.equal(fresh.parses, 5);
    assert.equal((await fresh.summaries(l2.images)).find((x) => x.image === 'b.png')?.status, 'approved');
    assert.equal(fresh.parses, 5);
  });

  it('arguments', () => {
    assert.deepEqual(parseArgs(['stats', '--workspace', 'w', '--json', '--checks', '--min-pixels', '9', '--include', 'a/', '--include', 'b']), {
      kind: 'stats', workspace: 'w', include: ['a', 'b'], labels: undefined, checks: true, minPixels: 9, json: true,
    });
    assert.deepEqual(parseArgs(['help', 'stats']), { kind: 'help', topic: 'stats' });
    for (const [args, re] of [[['stats', '--min-pixels', '3'], /goes with --checks/], [['stats', '--checks', '--min-pixels', '-1'], /whole number/], [['stats', '--bogus'], /unknown option/]] as const) {
      assert.throws(() => parseArgs(args), re);
    }
  });
});
