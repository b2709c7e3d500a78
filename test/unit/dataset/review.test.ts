import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { readCocoSidecar, writeCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { setReviewInText } from '../../../src/shared/dataset/reviewText';
import { LABELS, box, image, labelsFile, put, removeTempDirs, tempDir } from './helpers';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

const read = (root: string, rel: string) => fs.readFile(path.join(root, rel), 'utf8');

describe('edgeflow review', () => {
  after(removeTempDirs);

  it('approves, marks needs-fix with a note, clears: only the review changes, as the editor would write it', async () => {
    const root = await tempDir('edgeflow-review-');
    await image(root, 'img/a.png', [box(1, 1, 0, 0, 10, 10)]);
    const original = await read(root, 'img/a.png.coco.json');
    const o = io();
    assert.equal(await main(['review', '--workspace', root, '--image', path.join(root, 'img/a.png'), '--status', 'approved'], o), 0, o.stderr);
    assert.equal(o.stdout, 'img/a.png: approved (was labelled)\n');
    const approved = await read(root, 'img/a.png.coco.json');
    // Byte for byte what the editor writes for the same state.
    const parsed = readCocoSidecar(original);
    assert.ok(parsed.ok);
    assert.equal(approved, writeCocoSidecar(parsed.value.image, LABELS, { ...parsed.value.state, review: { status: 'approved' } }));

    // Workspace-relative paths work too.
    const n = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'img/a.png', '--status', 'needs-fix', '--note', 'outline too loose', '--reviewer', 'ana'], n), 0, n.stderr);
    assert.deepEqual(JSON.parse(await read(root, 'img/a.png.coco.json')).edgeflow_review, { status: 'needs-fix', note: 'outline too loose', reviewer: 'ana' });
    const again = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'img/a.png', '--status', 'needs-fix', '--note', 'outline too loose', '--reviewer', 'ana'], again), 0);
    assert.match(again.stdout, /already needs a fix, nothing changed/);

    assert.equal(await main(['review', '--workspace', root, '--image', 'img/a.png', '--status', 'none'], io()), 0);
    assert.equal(await read(root, 'img/a.png.coco.json'), original);
  });

  it('an image without a sidecar: approving creates one (a checked negative); none changes nothing', async () => {
    const root = await tempDir('edgeflow-review-');
    await labelsFile(root);
    await image(root, 'neg.png');
    assert.equal(await main(['review', '--workspace', root, '--image', 'neg.png', '--status', 'none'], io()), 0);
    await assert.rejects(fs.access(path.join(root, 'neg.png.coco.json')));
    const o = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'neg.png', '--status', 'approved', '--json'], o), 0, o.stderr);
    assert.deepEqual(JSON.parse(o.stdout), { image: 'neg.png', sidecar: 'neg.png.coco.json', before: 'unlabelled', after: 'approved', changed: true, created: true });
    const r = readCocoSidecar(await read(root, 'neg.png.coco.json'));
    assert.ok(r.ok);
    assert.deepEqual([r.value.image.width, r.value.image.height, r.value.state.objects.length, r.value.state.review], [40, 30, 0, { status: 'approved' }]);
    assert.deepEqual(r.value.categories.map((c) => c.name), ['car', 'person', 'tree']);
  });

  it('refuses: a sidecar it cannot read stays byte for byte; a missing image; not an image', async () => {
    const root = await tempDir('edgeflow-review-');
    await put(root, 'a.png', 'x');
    const broken = '{"images": [{"id": 1, "width": 4, "height": 4}], "annotations": [{"id": 1, "category_id": 1, "segmentation": [[0, 0, 1]]}]}';
    await put(root, 'a.png.coco.json', broken);
    const o = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'a.png', '--status', 'approved'], o), 1);
    assert.match(o.stderr, /^edgeflow: error: a\.png\.coco\.json cannot be read \(annotations\[0\]\.segmentation\[0\]: .*\); it was left as it is/);
    assert.equal(await read(root, 'a.png.coco.json'), broken);
    await put(root, 'b.png.coco.json', 'not json');
    await put(root, 'b.png', 'x');
    assert.equal(await main(['review', '--workspace', root, '--image', 'b.png', '--status', 'none'], io()), 1);
    assert.equal(await read(root, 'b.png.coco.json'), 'not json');
    const m = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'nope.png', '--status', 'approved'], m), 1);
    assert.match(m.stderr, /no image nope\.png/);
    await put(root, 'notes.txt', 'x');
    const t = io();
    assert.equal(await main(['review', '--workspace', root, '--image', 'notes.txt', '--status', 'approved'], t), 1);
    assert.match(t.stderr, /is not an image/);
    // No temp file left behind by any of it.
    assert.deepEqual((await fs.readdir(root)).sort(), ['a.png', 'a.png.coco.json', 'b.png', 'b.png.coco.json', 'notes.txt']);
  });

  it('replaces an unreadable review and keeps other tools\' keys in place', async () => {
    const text = JSON.stringify({ images: [{ id: 1, width: 4, height: 4 }], annotations: [], edgeflow_review: { status: 'ok' }, score_model: 'v2' });
    const next = JSON.parse(setReviewInText(text, { status: 'needs-fix', note: 'n' })) as Record<string, unknown>;
    assert.deepEqual(Object.keys(next), ['images', 'annotations', 'edgeflow_review', 'score_model']);
    assert.deepEqual(next.edgeflow_review, { status: 'needs-fix', note: 'n' });
    assert.deepEqual(Object.keys(JSON.parse(setReviewInText(text, undefined)) as object), ['images', 'annotations', 'score_model']);
  });

  it('arguments', () => {
    assert.deepEqual(parseArgs(['review', '--image', 'a.png', '--status', 'needs-fix', '--note', 'x']), {
      kind: 'review', workspace: '.', image: 'a.png', status: 'needs-fix', note: 'x', reviewer: undefined, labels: undefined, json: false,
    });
    assert.equal((parseArgs(['review', '--image', 'a.png', '--status', 'none']) as { status?: string }).status, undefined);
    const bad: [string[], RegExp][] = [
      [['review', '--status', 'approved'], /needs --image/],
      [['review', '--image', 'a.png'], /needs --status/],
      [['review', '--image', 'a.png', '--status', 'ok'], /approved, needs-fix or none/],
      [['review', '--image', 'a.png', '--status', 'none', '--note', 'x'], /takes no --note/],
      [['review', '--image', 'a.png', '--status', 'approved', '--note', 'x'.repeat(2001)], /longer than 2000/],
    ];
    for (const [args, re] of bad) assert.throws(() => parseArgs(args), re);
  });
});
