import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, runImport } from '../../../src/extension/export/run';
import { fillVoid, locateMention } from '../../../src/shared/export/importer';
import { encodeRle, maskToCounts } from '../../../src/shared/formats/rle';
import { parseLabels } from '../../../src/shared/labels';
import { copyFixtureWorkspace, copyImagesOnly, diffCount, listTree, sidecarClassMap, tempDir } from './helpers';

async function labelsOf(ws: string) {
  const r = parseLabels(await fs.readFile(path.join(ws, '.edgeflow/labels.json'), 'utf8'));
  assert.ok(r.ok);
  return r.value.labels;
}

describe('import', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  beforeEach(async () => {
    tmp = await tempDir('edgeflow-import-');
    ws = await copyFixtureWorkspace(path.join(tmp, 'a', 'ws'));
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('COCO (polygons and RLE) -> import -> export gives identical JSON', async () => {
    const out1 = path.join(tmp, 'a', 'out');
    await runExport({ workspaceDir: ws, outDir: out1, settings: { formats: ['coco'], images: 'reference' } });
    const ws2 = path.join(tmp, 'b', 'ws');
    await copyImagesOnly(ws, ws2);
    const coco1 = path.join(out1, 'coco/annotations/instances_all.json');
    const s = await runImport({ workspaceDir: ws2, from: coco1, overwrite: false });
    assert.equal(s.kind, 'coco');
    assert.equal(s.written, 4);
    assert.deepEqual(s.addedLabels, ['car', 'person', 'tree', 'bike', 'class_9']);
    const out2 = path.join(tmp, 'b', 'out');
    await runExport({ workspaceDir: ws2, outDir: out2, settings: { formats: ['coco'], images: 'reference' } });
    const text1 = await fs.readFile(coco1, 'utf8');
    const text2 = await fs.readFile(path.join(out2, 'coco/annotations/instances_all.json'), 'utf8');
    assert.ok(text1.includes('"counts":"'), 'the fixture must exercise RLE');
    assert.equal(text2, text1);
    // Labels keep their ids and colours.
    assert.deepEqual((await labelsOf(ws2)).slice(0, 4), await labelsOf(ws));
  });

  it('imports foreign COCO: uncompressed and compressed RLE, file names with folders, crowd', async () => {
    const w = 48, h = 32;
    const mask = new Uint8Array(w * h);
    for (let y = 4; y < 20; y++) for (let x = 6; x < 30; x++) if (!(y >= 8 && y < 12 && x >= 10 && x < 14)) mask[y * w + x] = 1;
    const coco = {
      images: [{ id: 10, file_name: 'somewhere/else/photos/street.png', width: w, height: h }, { id: 11, file_name: 'nothere.png', width: 4, height: 4 }],
      categories: [{ id: 5, name: 'Car' }, { id: 6, name: 'dog' }],
      annotations: [
        { id: 1, image_id: 10, category_id: 6, segmentation: encodeRle(mask, w, h), iscrowd: 0 },
        { id: 2, image_id: 10, category_id: 6, segmentation: { size: [h, w], counts: maskToCounts(mask, w, h) }, iscrowd: 1 },
        { id: 3, image_id: 10, category_id: 5, segmentation: [[1, 1, 5, 1, 5, 5], [7, 7]], iscrowd: 0 },
        { id: 4, image_id: 10, category_id: 5, segmentation: { size: [2, 2], counts: 'x' } },
      ],
    };
    const file = path.join(tmp, 'foreign.json');
    await fs.writeFile(file, JSON.stringify(coco));
    await fs.rm(path.join(ws, 'photos/street.png.coco.json'));
    const s = await runImport({ workspaceDir: ws, from: file, overwrite: false });
    assert.equal(s.written, 1);
    assert.deepEqual(s.warnings.map((x) => x.kind).sort(), ['bad-segmentation', 'crowd', 'image-not-found']);
    const labels = await labelsOf(ws);
    // "Car" matches the existing "car" (id 1); "dog" is new and keeps its COCO id 6.
    assert.deepEqual(labels.find((l) => l.name === 'dog')?.id, 6);
    assert.deepEqual(s.addedLabels, ['dog']);
    const side = JSON.parse(await fs.readFile(path.join(ws, 'photos/street.png.coco.json'), 'utf8'));
    assert.deepEqual(side.annotations.map((a: { category_id: number }) => a.category_id), [6, 6, 1]);
    assert.ok(side.annotations[0].edgeflow_regions[0].holes.length === 1, 'the hole survives as a polygon hole');
    const map = await sidecarClassMap(path.join(ws, 'photos/street.png.coco.json'));
    for (let i = 0; i < mask.length; i++) if (mask[i]) assert.equal(map.data[i], 6);
  });

  it('never overwrites an existing sidecar unless asked', async () => {
    const out = path.join(tmp, 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], images: 'reference' } });
    const sidecar = path.join(ws, 'photos/street.png.coco.json');
    await fs.writeFile(sidecar, '{"hand": "edited"}');
    const from = path.join(out, 'coco/annotations/instances_all.json');
    const a = await runImport({ workspaceDir: ws, from, overwrite: false });
    assert.equal(a.written, 0);
    assert.equal(a.existing, 4);
    assert.equal(await fs.readFile(sidecar, 'utf8'), '{"hand": "edited"}');
    const b = await runImport({ workspaceDir: ws, from, overwrite: true });
    assert.equal(b.written, 4);
    assert.match(await fs.readFile(sidecar, 'utf8'), /edgeflow.coco-sidecar/);
  });

  it('labelme export -> import reproduces the pixels (polygons, groups and mask shapes)', async () => {
    const out = path.join(tmp, 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['labelme'] } });
    const ws2 = path.join(tmp, 'b', 'ws');
    await copyImagesOnly(ws, ws2);
    const s = await runImport({ workspaceDir: ws2, from: path.join(out, 'labelme'), overwrite: false });
    assert.equal(s.kind, 'labelme');
    assert.equal(s.written, 4);
    // labelme files carry class names, not ids: compare the maps by name.
    const names1 = new Map((await labelsOf(ws)).map((l) => [l.id, l.name]));
    names1.set(9, 'class_9');
    const ids2 = new Map((await labelsOf(ws2)).map((l) => [l.name, l.id]));
    for (const img of ['photos/street.png', 'photos/street.jpg', 'scans/deep/bowtie.png']) {
      const a = await sidecarClassMap(path.join(ws, img + '.coco.json'));
      const b = await sidecarClassMap(path.join(ws2, img + '.coco.json'));
      const expected = a.data.map((v) => (v ? ids2.get(names1.get(v)!)! : 0));
      assert.equal(diffCount(expected, b.data), 0, img);
    }
    // The two-part tree is one object again.
    const side = JSON.parse(await fs.readFile(path.join(ws2, 'photos/street.png.coco.json'), 'utf8'));
    assert.equal(side.annotations.length, 4);
  });

  it('VOC export -> import reproduces the class map; a void band is filled from both sides', async () => {
    for (const boundary of [0, 3]) {
      const out = path.join(tmp, `voc${boundary}`);
      await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['voc'], vocBoundary: boundary } });
      const ws2 = path.join(tmp, `b${boundary}`, 'ws');
      await copyImagesOnly(ws, ws2);
      const s = await runImport({ workspaceDir: ws2, from: path.join(out, 'voc'), overwrite: false });
      assert.equal(s.kind, 'voc');
      assert.equal(s.written, 4);
      const a = await sidecarClassMap(path.join(ws, 'photos/street.png.coco.json'));
      const b = await sidecarClassMap(path.join(ws2, 'photos/street.png.coco.json'));
      const diff = diffCount(a.data, b.data);
      if (boundary === 0) assert.equal(diff, 0);
      else assert.ok(diff < a.data.length * 0.05, `${diff} pixels differ`);
      // Class names come from labelmap.txt, so they match the workspace's.
      assert.deepEqual((await labelsOf(ws2)).map((l) => l.name).sort(), ['car', 'class_9', 'person', 'tree']);
    }
  });

  it('places label-file image paths: inside the workspace, climbing out, absolute', () => {
    assert.deepEqual(locateMention('../images/a.png', 'ann/sub', true), { path: 'ann/images/a.png', tail: 'ann/images/a.png', outside: false });
    assert.deepEqual(locateMention('../../../x/a.png', 'ann', true), { path: undefined, tail: 'x/a.png', outside: true });
    assert.deepEqual(locateMention('/ws/img/a.png', '', false, '/ws'), { path: 'img/a.png', tail: 'img/a.png', outside: false });
    assert.deepEqual(locateMention('D:\\data\\a.png', '', false, '/ws'), { path: undefined, tail: 'data/a.png', outside: true });
    assert.deepEqual(locateMention('../a.png', 'lm', false), { path: undefined, tail: 'a.png', outside: false });
    assert.equal(locateMention('a\0b', '', true).tail, '');
  });

  it('fillVoid gives each 255 pixel the nearest non-void value', () => {
    // The middle pixel is as far from 1 as from 0: the breadth-first fill reaches it from the left first.
    assert.deepEqual([...fillVoid(Uint8Array.from([1, 255, 255, 255, 0]), 5, 1)], [1, 1, 1, 0, 0]);
    assert.deepEqual([...fillVoid(Uint8Array.from([2, 255, 255, 255, 255, 3]), 6, 1)], [2, 2, 2, 3, 3, 3]);
    assert.deepEqual([...fillVoid(Uint8Array.from([255, 255]), 2, 1)], [0, 0]);
  });

  it('never reads or writes where a label file points outside the workspace, nor through links', async () => {
    const outsideDir = path.join(tmp, 'outside');
    await fs.mkdir(outsideDir);
    await fs.copyFile(path.join(ws, 'photos/empty.png'), path.join(outsideDir, 'secret.png'));
    await fs.symlink(outsideDir, path.join(ws, 'linked'));
    const coco = {
      images: [
        { id: 1, file_name: '../../outside/secret.png', width: 16, height: 16 },
        { id: 2, file_name: path.join(outsideDir, 'secret.png'), width: 16, height: 16 },
        { id: 3, file_name: 'linked/secret.png', width: 16, height: 16 },
      ],
      categories: [{ id: 1, name: 'car' }],
      annotations: [{ id: 1, image_id: 3, category_id: 1, segmentation: [[0, 0, 5, 0, 5, 5]] }],
    };
    const file = path.join(tmp, 'evil.json');
    await fs.writeFile(file, JSON.stringify(coco));
    const s = await runImport({ workspaceDir: ws, from: file, overwrite: true });
    assert.equal(s.written, 0);
    assert.equal(s.warnings.find((w) => w.kind === 'image-not-found')?.count, 3);
    assert.deepEqual(await listTree(outsideDir), ['secret.png']);

    const lmDir = path.join(tmp, 'lm');
    await fs.mkdir(lmDir);
    await fs.writeFile(path.join(lmDir, 'a.json'), JSON.stringify({ imagePath: '../../../x.png', shapes: [], imageWidth: 4, imageHeight: 4 }));
    const t = await runImport({ workspaceDir: ws, from: lmDir, overwrite: true });
    assert.equal(t.kind, 'labelme');
    assert.equal(t.written, 0);
    assert.deepEqual(await listTree(lmDir), ['a.json']);
  });

  it('labelme: follows "../images/x.png" inside the workspace and matches paths from elsewhere by name', async () => {
    const ann = path.join(ws, 'annotations');
    await fs.mkdir(ann);
    const shape = { label: 'car', points: [[1, 1], [10, 1], [10, 10]], shape_type: 'polygon', group_id: null };
    await fs.writeFile(path.join(ann, 'a.json'), JSON.stringify({ imagePath: '../photos/street.png', shapes: [shape], imageWidth: 48, imageHeight: 32 }));
    await fs.writeFile(path.join(ann, 'b.json'), JSON.stringify({ imagePath: 'C:\\Users\\me\\data\\bowtie.png', shapes: [shape], imageWidth: 32, imageHeight: 32 }));
    const s = await runImport({ workspaceDir: ws, from: ann, overwrite: true });
    assert.equal(s.written, 2);
    assert.deepEqual(s.sidecars.sort(), ['photos/street.png.coco.json', 'scans/deep/bowtie.png.coco.json']);
    assert.deepEqual(s.warnings.map((w) => w.kind), ['outside-path']);
  });

  it('labelme exported with referenced images imports back (paths climb out of the export folder)', async () => {
    const out = path.join(tmp, 'a', 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['labelme'], images: 'reference' } });
    const s = await runImport({ workspaceDir: ws, from: path.join(out, 'labelme'), overwrite: true });
    assert.equal(s.written, 4);
  });

  it('an import that writes nothing leaves the labels file as it was (or absent)', async () => {
    const coco = {
      images: [{ id: 1, file_name: 'not-in-the-workspace.png', width: 8, height: 8 }],
      categories: [{ id: 7, name: 'zebra' }],
      annotations: [{ id: 1, image_id: 1, category_id: 7, segmentation: [[1, 1, 6, 1, 6, 6]], iscrowd: 0 }],
    };
    const file = path.join(tmp, 'elsewhere.json');
    await fs.writeFile(file, JSON.stringify(coco));
    const before = await fs.readFile(path.join(ws, '.edgeflow/labels.json'), 'utf8');
    const s = await runImport({ workspaceDir: ws, from: file, overwrite: false });
    assert.equal(s.written, 0);
    assert.deepEqual(s.addedLabels, []);
    assert.equal(s.labelsChanged, false);
    assert.equal(await fs.readFile(path.join(ws, '.edgeflow/labels.json'), 'utf8'), before);
    // a workspace without a labels file does not get one
    await fs.rm(path.join(ws, '.edgeflow/labels.json'));
    const t = await runImport({ workspaceDir: ws, from: file, overwrite: false });
    assert.equal(t.written, 0);
    await assert.rejects(fs.stat(path.join(ws, '.edgeflow/labels.json')));
    // every image already annotated and overwrite off: nothing written, no class added
    const all = { ...coco, images: [{ id: 1, file_name: 'photos/street.png', width: 48, height: 32 }] };
    await fs.writeFile(file, JSON.stringify(all));
    const u = await runImport({ workspaceDir: ws, from: file, overwrite: false });
    assert.equal(u.written, 0);
    assert.equal(u.existing, 1);
    await assert.rejects(fs.stat(path.join(ws, '.edgeflow/labels.json')));
  });

  it('fails clearly on unreadable sources', async () => {
    await assert.rejects(runImport({ workspaceDir: ws, from: path.join(tmp, 'missing.json'), overwrite: false }), /does not exist/);
    const bad = path.join(tmp, 'bad.json');
    await fs.writeFile(bad, '{"images": 3}');
    await assert.rejects(runImport({ workspaceDir: ws, from: bad, overwrite: false }), /bad\.json: "images" must be an array/);
    const emptyDir = path.join(tmp, 'emptydir');
    await fs.mkdir(emptyDir);
    await assert.rejects(runImport({ workspaceDir: ws, from: emptyDir, overwrite: false }), /neither labelme/);
  });
});
