import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { diffImage } from '../../../src/shared/dataset/labelDiff';
import { box, image, labelsFile, put, removeTempDirs, tempDir } from './helpers';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

describe('label diff', () => {
  after(removeTempDirs);

  it('matches by id, then by IoU >= 0.5; reports geometry, class, attributes and review changes', () => {
    const before = { objects: [box(1, 1, 0, 0, 10, 10), box(2, 1, 20, 0, 10, 10), box(3, 2, 0, 15, 10, 10), box(4, 2, 30, 20, 5, 5), { ...box(5, 1, 15, 15, 5, 5), hidden: false }] };
    const after = {
      objects: [
        box(1, 1, 0, 0, 10, 10), // unchanged
        box(2, 1, 21, 0, 10, 10), // moved a pixel
        box(3, 3, 0, 15, 10, 10), // class changed
        box(9, 2, 30, 20, 5, 6), // redrawn under a new id (IoU 25/30)
        { ...box(5, 1, 15, 15, 5, 5), hidden: true, attributes: { occluded: true } },
        box(10, 1, 0, 28, 2, 2), // new
      ],
      review: { status: 'approved' as const },
    };
    const d = diffImage(before, after, 40, 30);
    assert.deepEqual(d.added, [10]);
    assert.deepEqual(d.removed, []);
    assert.deepEqual(d.changed.map((c) => [c.id, c.was, c.geometry, c.classId, c.attributes]), [
      [2, undefined, true, undefined, false],
      [3, undefined, false, { from: 2, to: 3 }, false],
      [5, undefined, false, undefined, true],
      [9, 4, true, undefined, false],
    ]);
    assert.equal(d.changed[0].iou, 90 / 110);
    assert.deepEqual(d.review, { from: null, to: { status: 'approved' } });
    // Far apart under different ids: removed and added, not changed.
    const apart = diffImage({ objects: [box(1, 1, 0, 0, 5, 5)] }, { objects: [box(2, 1, 30, 20, 5, 5)] }, 40, 30);
    assert.deepEqual([apart.added, apart.removed, apart.changed], [[2], [1], []]);
    // Hiding alone is no change.
    const hid = diffImage({ objects: [box(1, 1, 0, 0, 5, 5)] }, { objects: [{ ...box(1, 1, 0, 0, 5, 5), hidden: true }] }, 40, 30);
    assert.deepEqual([hid.added, hid.removed, hid.changed, hid.review], [[], [], [], undefined]);
  });

  it('edgeflow diff between two commits, and against the files on disk', async function () {
    this.timeout(20000);
    const root = await tempDir('edgeflow-diff-');
    const g = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'pipe' });
    g('init', '-q');
    await labelsFile(root);
    await image(root, 'img/a.png', [box(1, 1, 0, 0, 10, 10), box(2, 2, 20, 0, 10, 10)]);
    await image(root, 'img/b.png', [box(1, 1, 0, 0, 10, 10)]);
    await image(root, 'img/c.png', [box(1, 1, 0, 0, 10, 10)]);
    g('add', '-A');
    g('commit', '-qm', 'one');
    await image(root, 'img/a.png', [box(1, 1, 0, 0, 12, 10), box(2, 3, 20, 0, 10, 10), box(3, 1, 0, 20, 5, 5)]);
    await fs.rm(path.join(root, 'img/b.png.coco.json'));
    await image(root, 'img/c.png', [box(1, 1, 0, 0, 10, 10)], { status: 'approved' });
    await image(root, 'img/d.png', [box(1, 2, 0, 0, 10, 10)]);
    await put(root, 'img/notes.txt', 'not a sidecar');
    g('add', '-A');
    g('commit', '-qm', 'two');

    const j = io();
    assert.equal(await main(['diff', '--workspace', path.join(root, 'img'), '--from', 'HEAD~1', '--to', 'HEAD', '--json'], j), 0, j.stderr);
    const d = JSON.parse(j.stdout) as { images: { image: string; sidecar: string; added: number[]; removed: number[]; changed: { id: number }[]; review?: unknown }[]; totals: unknown };
    assert.deepEqual(d.images.map((e) => [e.image, e.sidecar, e.added, e.removed, e.changed.map((c) => c.id), !!e.review]), [
      ['a.png', 'modified', [3], [], [1, 2], false],
      ['b.png', 'removed', [], [1], [], false],
      ['c.png', 'modified', [], [], [], true],
      ['d.png', 'added', [1], [], [], false],
    ]);
    assert.deepEqual(d.totals, { images: 4, added: 2, removed: 1, changed: 2, reviews: 1 });

    // Against the files on disk: an untracked new sidecar and an edit since the last commit.
    await image(root, 'img/e.png', [box(1, 1, 0, 0, 10, 10)]);
    await image(root, 'img/d.png', [box(1, 1, 0, 0, 10, 10)]);
    const t = io();
    assert.equal(await main(['diff', '--workspace', root, '--from', 'HEAD'], t), 0, t.stderr);
    assert.equal(t.stdout, 'img/d.png: changed #1: class person -> car\nimg/e.png (sidecar added): added #1\n2 images changed between HEAD and the files on disk: 1 objects added, 0 removed, 1 changed, 0 reviews\n');

    const bad = io();
    assert.equal(await main(['diff', '--workspace', root, '--from', 'nope'], bad), 1);
    assert.match(bad.stderr, /unknown git revision "nope"/);
    const opt = io();
    assert.equal(await main(['diff', '--workspace', root, '--from', '--output=x'], opt), 2, 'an option is not a revision');
    const inj = io();
    assert.equal(await main(['diff', '--workspace', root, '--from=-x'], inj), 1);
    assert.match(inj.stderr, /not a git revision/);
    const notRepo = await tempDir('edgeflow-diff-');
    const nr = io();
    assert.equal(await main(['diff', '--workspace', notRepo, '--from', 'HEAD'], nr), 1);
    assert.match(nr.stderr, /not in a git repository/);
  });

  it('arguments', () => {
    assert.deepEqual(parseArgs(['diff', '--from', 'main', '--json']), { kind: 'diff', workspace: '.', from: 'main', to: undefined, labels: undefined, json: true });
    assert.throws(() => parseArgs(['diff']), /needs --from/);
    assert.deepEqual(parseArgs(['help', 'diff']), { kind: 'help', topic: 'diff' });
  });
});
