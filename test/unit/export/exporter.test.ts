import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport } from '../../../src/extension/export/run';
import { parseSplits } from '../../../src/shared/formats/split';
import { vocPalette } from '../../../src/shared/formats/vocPalette';
import { EXPORT_FORMATS } from '../../../src/shared/export/types';
import { makeWorkspace } from '../../bench/exportWorkspace';
import { assertGolden } from '../helpers/golden';
import {
  cocoClassMap,
  copyFixtureWorkspace,
  diffCount,
  hashTree,
  listTree,
  readPng,
  recorder,
  sidecarClassMap,
  tempDir,
} from './helpers';

const TEXT = /\.(json|xml|txt|yaml|svg)$/;

describe('export: the fixture workspace', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  let out: string;
  let summary: Awaited<ReturnType<typeof runExport>>['summary'];

  before(async () => {
    tmp = await tempDir();
    ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
    out = path.join(tmp, 'out');
    ({ summary } = await runExport({
      workspaceDir: ws,
      outDir: out,
      settings: { formats: [...EXPORT_FORMATS], splits: parseSplits('0.5,0.5'), seed: 1, objectMasks: true },
    }));
  });
  after(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('writes every format; text outputs match the golden files (REGEN=1 rewrites them)', async () => {
    const files = await listTree(out);
    for (const f of files.filter((f) => TEXT.test(f))) assertGolden(`export/all-formats/${f}`, await fs.readFile(path.join(out, f), 'utf8'));
    for (const must of [
      'coco/annotations/instances_train.json',
      'coco/annotations/instances_val.json',
      'coco/images/photos/street.png',
      'voc/JPEGImages/photos__street_png.jpg',
      'voc/JPEGImages/photos__street_jpg.jpg',
      'voc/SegmentationClass/photos__street_png.png',
      'voc/SegmentationObject/scans__deep__bowtie.png',
      'masks/photos/street_png.png',
      'masks/objects/photos/street_png/3.png',
      'pseudo/legend.svg',
      'yolo/data.yaml',
      'labelme/photos/street_jpg.json',
      'labelme/photos/street_jpg.jpg',
    ]) {
      assert.ok(files.includes(must), `missing ${must}`);
    }
    assert.ok(!files.some((f) => f.endsWith('.partial') || f.endsWith('.tmp')), 'temporary files left');
    assert.ok(!files.some((f) => f.includes('unlabelled')), 'an image without sidecar was exported');
  });

  it('counts images and objects and reports every kind of problem', () => {
    assert.equal(summary.images, 4);
    assert.equal(summary.objects, 4 + 1 + 3);
    assert.deepEqual(summary.perSplit, { train: 2, val: 2 });
    const kinds = summary.warnings.map((w) => w.kind).sort();
    assert.deepEqual(kinds, ['class-without-objects', 'degenerate', 'empty-image', 'self-intersection', 'unknown-class', 'yolo-bridged']);
    const w = (k: string) => summary.warnings.find((x) => x.kind === k)!;
    assert.deepEqual(w('class-without-objects').examples, ['bike']);
    assert.deepEqual(w('empty-image').examples, ['photos/empty.png']);
    assert.deepEqual(w('self-intersection').examples, ['scans/deep/bowtie.png#1']);
    assert.deepEqual(w('degenerate').examples, ['scans/deep/bowtie.png#2']);
  });

  it('COCO: polygons for plain objects, RLE for holes, area and box from the mask, stable ids', async () => {
    const all = [
      ...JSON.parse(await fs.readFile(path.join(out, 'coco/annotations/instances_train.json'), 'utf8')).annotations,
      ...JSON.parse(await fs.readFile(path.join(out, 'coco/annotations/instances_val.json'), 'utf8')).annotations,
    ];
    const person = all.find((a: { category_id: number; bbox: number[] }) => a.category_id === 2 && a.bbox[0] === 24);
    assert.equal(typeof person.segmentation.counts, 'string');
    assert.deepEqual(person.segmentation.size, [32, 48]);
    // 20x26 box minus a 10x12 hole.
    assert.equal(person.area, 20 * 26 - 10 * 12);
    assert.deepEqual(person.bbox, [24, 2, 20, 26]);
    const car = all.find((a: { category_id: number; bbox: number[] }) => a.category_id === 1 && a.bbox[0] === 2);
    assert.deepEqual(car.segmentation, [[2.5, 3, 20.25, 3, 20.25, 14.5, 2.5, 14.5]]);
    assert.equal(car.id % (1 << 20), 1);
    assert.equal(Math.floor(car.id / (1 << 20)), car.image_id);
  });

  it('sidecar -> COCO -> masks equals the sidecar\'s rasterised masks, pixel for pixel', async () => {
    for (const split of ['train', 'val']) {
      const ds = JSON.parse(await fs.readFile(path.join(out, `coco/annotations/instances_${split}.json`), 'utf8'));
      for (const im of ds.images) {
        const fromCoco = cocoClassMap(ds, im);
        const fromSidecar = await sidecarClassMap(path.join(ws, im.file_name + '.coco.json'));
        assert.equal(diffCount(fromCoco, fromSidecar.data), 0, im.file_name);
        const stem = im.file_name.replace(/\.(png|jpg)$/, (m: string) => (im.file_name === 'photos/street.png' || im.file_name === 'photos/street.jpg' ? '_' + m.slice(1) : ''));
        const png = await readPng(path.join(out, 'masks', stem + '.png'));
        assert.equal(png.colorType, 0);
        assert.equal(diffCount(png.data, fromSidecar.data), 0, `masks/${stem}.png`);
      }
    }
  });

  it('VOC: palette PNGs with VOC colours; class and instance indices; boxes in the XML', async () => {
    const cls = await readPng(path.join(out, 'voc/SegmentationClass/photos__street_png.png'));
    const obj = await readPng(path.join(out, 'voc/SegmentationObject/photos__street_png.png'));
    assert.equal(cls.colorType, 3);
    assert.deepEqual(cls.palette, vocPalette());
    const expected = await sidecarClassMap(path.join(ws, 'photos/street.png.coco.json'));
    assert.equal(diffCount(cls.data, expected.data), 0);
    // Instance indices follow the drawing order: car 1, person 2, tree 3, car 4 (on top).
    const at = (x: number, y: number) => obj.data[y * 48 + x];
    assert.equal(at(5, 5), 1);
    assert.equal(at(26, 4), 2);
    assert.equal(at(34, 14), 0);
    assert.equal(at(5, 25), 3);
    assert.equal(at(20, 10), 4);
    assert.deepEqual([...new Set(obj.data)].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
    const xml = await fs.readFile(path.join(out, 'voc/Annotations/photos__street_png.xml'), 'utf8');
    assert.match(xml, /<name>person<\/name>[\s\S]*?<xmin>25<\/xmin>\s*<ymin>3<\/ymin>\s*<xmax>44<\/xmax>\s*<ymax>28<\/ymax>/);
    const jpg = await fs.readFile(path.join(out, 'voc/JPEGImages/photos__street_png.jpg'));
    assert.deepEqual([...jpg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it('pseudo-colour PNGs use the label colours; per-object masks are binary', async () => {
    const p = await readPng(path.join(out, 'pseudo/photos/street_png.png'));
    assert.deepEqual([...p.palette!.subarray(3, 6)], [0xe6, 0x19, 0x4b]);
    const o = await readPng(path.join(out, 'masks/objects/photos/street_png/3.png'));
    assert.deepEqual([...new Set(o.data)].sort((a, b) => a - b), [0, 255]);
  });

  it('is deterministic: a second export is byte-identical', async () => {
    const out2 = path.join(tmp, 'out2');
    await runExport({
      workspaceDir: ws,
      outDir: out2,
      settings: { formats: [...EXPORT_FORMATS], splits: parseSplits('0.5,0.5'), seed: 1, objectMasks: true },
    });
    assert.deepEqual(await hashTree(out2), await hashTree(out));
  });
});

describe('export: options', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  beforeEach(async () => {
    tmp = await tempDir();
    ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('reference mode points COCO and labelme at the workspace images; YOLO links them', async () => {
    const out = path.join(tmp, 'deep', 'out');
    const { summary } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco', 'labelme', 'yolo', 'voc'], images: 'reference' } });
    const ds = JSON.parse(await fs.readFile(path.join(out, 'coco/annotations/instances_all.json'), 'utf8'));
    assert.equal(ds.info.image_root, '../../../ws');
    for (const im of ds.images) await fs.access(path.resolve(out, 'coco', ds.info.image_root, im.file_name));
    const lm = JSON.parse(await fs.readFile(path.join(out, 'labelme/scans/deep/bowtie.json'), 'utf8'));
    await fs.access(path.resolve(out, 'labelme/scans/deep', lm.imagePath));
    const link = path.join(out, 'yolo/images/all/photos/street_png.png');
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    assert.ok((await fs.readFile(link)).length > 0);
    assert.ok(!(await listTree(out)).some((f) => f.startsWith('voc/JPEGImages')));
    assert.ok(summary.warnings.some((w) => w.kind === 'yolo-linked'));
    assert.ok(summary.warnings.some((w) => w.kind === 'voc-no-images'));
  });

  it('reads images linked in from outside the workspace (but lists no linked folders)', async () => {
    const data = path.join(tmp, 'data');
    await fs.mkdir(data);
    await fs.rename(path.join(ws, 'photos/street.png'), path.join(data, 'street.png'));
    await fs.symlink(path.join(data, 'street.png'), path.join(ws, 'photos/street.png'));
    await fs.mkdir(path.join(data, 'more'));
    await fs.copyFile(path.join(ws, 'photos/empty.png'), path.join(data, 'more/x.png'));
    await fs.copyFile(path.join(ws, 'photos/empty.png.coco.json'), path.join(data, 'more/x.png.coco.json'));
    await fs.symlink(path.join(data, 'more'), path.join(ws, 'linked'));
    const out = path.join(tmp, 'out');
    const { summary } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] } });
    assert.equal(summary.images, 4);
    assert.deepEqual(await fs.readFile(path.join(out, 'coco/images/photos/street.png')), await fs.readFile(path.join(data, 'street.png')));
  });

  it('link mode writes relative symbolic links', async () => {
    const out = path.join(tmp, 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], images: 'link' } });
    const link = path.join(out, 'coco/images/photos/street.png');
    assert.ok(!path.isAbsolute(await fs.readlink(link)));
    assert.deepEqual(await fs.readFile(link), await fs.readFile(path.join(ws, 'photos/street.png')));
  });

  it('exports only the included folders and can leave out empty images', async () => {
    const out = path.join(tmp, 'out');
    const a = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], include: ['scans'] } });
    assert.equal(a.summary.images, 1);
    const one = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], include: ['photos/street.jpg'] } });
    assert.equal(one.summary.images, 1);
    const b = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], includeEmpty: false } });
    assert.equal(b.summary.images, 3);
    assert.ok(b.summary.warnings.some((w) => w.kind === 'empty-image-skipped'));
  });

  it('leaves class ids above 255 out of 8-bit masks and VOC, with warnings', async () => {
    const sidecar = path.join(ws, 'photos/street.jpg.coco.json');
    await fs.writeFile(sidecar, (await fs.readFile(sidecar, 'utf8')).replace('"category_id": 1', '"category_id": 300'));
    const out = path.join(tmp, 'out');
    const { summary } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco', 'mask', 'voc'] } });
    const kinds = summary.warnings.map((w) => w.kind);
    assert.ok(kinds.includes('class-id-too-large') && kinds.includes('voc-void-class') && kinds.includes('unknown-class'), kinds.join());
    const mask = await readPng(path.join(out, 'masks/photos/street_jpg.png'));
    assert.ok(mask.data.every((v) => v === 0));
    const ds = JSON.parse(await fs.readFile(path.join(out, 'coco/annotations/instances_all.json'), 'utf8'));
    assert.ok(ds.annotations.some((a: { category_id: number }) => a.category_id === 300), 'COCO keeps it');
  });

  it('adds a VOC void band of 255 along outlines when asked', async () => {
    const out = path.join(tmp, 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['voc'], vocBoundary: 3 } });
    const cls = await readPng(path.join(out, 'voc/SegmentationClass/photos__street_png.png'));
    const expected = await sidecarClassMap(path.join(ws, 'photos/street.png.coco.json'));
    let band = 0;
    for (let i = 0; i < cls.data.length; i++) {
      if (cls.data[i] === 255) band++;
      else assert.equal(cls.data[i], expected.data[i]);
    }
    assert.ok(band > 100 && band < cls.data.length / 2, `band of ${band} pixels`);
  });

  it('never reads back its own output inside the workspace', async () => {
    const out = path.join(ws, 'dataset');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] } });
    await fs.copyFile(path.join(ws, 'photos/street.png.coco.json'), path.join(out, 'coco/images/photos/street.png.coco.json'));
    const again = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] } });
    assert.equal(again.summary.images, 4);
  });

  it('refuses to write through a symbolic link that leads out of the output folder', async () => {
    const out = path.join(tmp, 'out');
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(out);
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(out, 'coco'));
    await assert.rejects(runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] } }), /outside the output folder/);
    assert.deepEqual(await listTree(outside), []);
  });

  it('replaces a symbolic link sitting where an output file goes instead of writing through it', async () => {
    const out = path.join(tmp, 'out');
    const victim = path.join(tmp, 'victim.txt');
    await fs.writeFile(victim, 'keep');
    await fs.mkdir(path.join(out, 'voc'), { recursive: true });
    await fs.symlink(victim, path.join(out, 'voc/labelmap.txt'));
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['voc'] } });
    assert.equal(await fs.readFile(victim, 'utf8'), 'keep');
    assert.match(await fs.readFile(path.join(out, 'voc/labelmap.txt'), 'utf8'), /^# label/);
  });

  it('stops when cancelled and leaves no partial COCO file', async () => {
    const out = path.join(tmp, 'out');
    const progress = recorder(2);
    const { summary } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] }, progress });
    assert.equal(summary.cancelled, true);
    assert.deepEqual(progress.reports, [1, 2]);
    const files = await listTree(out);
    assert.ok(!files.some((f) => f.startsWith('coco/annotations/')), files.join(', '));
  });

  it('reads .edgeflow/export.json; arguments override it', async () => {
    await fs.writeFile(path.join(ws, '.edgeflow/export.json'), JSON.stringify({ formats: ['yolo'], out: 'ds', split: [0.5, 0.5], seed: 4 }));
    const a = await runExport({ workspaceDir: ws, settings: {} });
    assert.equal(a.outDir, path.join(ws, 'ds'));
    assert.deepEqual(a.options.formats, ['yolo']);
    assert.deepEqual(Object.keys(a.summary.perSplit), ['train', 'val']);
    const b = await runExport({ workspaceDir: ws, outDir: path.join(tmp, 'o'), settings: { formats: ['coco'] } });
    assert.deepEqual(b.options.formats, ['coco']);
    assert.equal(b.options.seed, 4);
    await fs.writeFile(path.join(ws, '.edgeflow/export.json'), '{"formats": ["tiff"]}');
    await assert.rejects(runExport({ workspaceDir: ws, settings: {} }), /export\.json: unknown format "tiff"/);
  });

  it('fails with a clear message when there is nothing to export', async () => {
    const empty = path.join(tmp, 'empty');
    await fs.mkdir(empty);
    await assert.rejects(runExport({ workspaceDir: empty, outDir: path.join(tmp, 'o'), settings: {} }), /no annotated images/);
  });
});

describe('export: a synthetic workspace', function () {
  this.timeout(60000);
  it('COCO, masks and VOC agree with the sidecars on 60 images with holes, parts and overlaps', async () => {
    const tmp = await tempDir();
    try {
      const ws = path.join(tmp, 'ws');
      await fs.mkdir(ws);
      await makeWorkspace(ws, { images: 60, width: 96, height: 64, perFolder: 25 });
      const out = path.join(tmp, 'out');
      const { summary } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco', 'mask', 'voc'], images: 'reference', splits: parseSplits('0.8,0.1,0.1'), seed: 9 } });
      assert.equal(summary.images, 60);
      let checked = 0;
      for (const split of ['train', 'val', 'test']) {
        const ds = JSON.parse(await fs.readFile(path.join(out, `coco/annotations/instances_${split}.json`), 'utf8'));
        for (const im of ds.images) {
          const truth = await sidecarClassMap(path.join(ws, im.file_name + '.coco.json'));
          assert.equal(diffCount(cocoClassMap(ds, im), truth.data), 0, im.file_name);
          const stem = im.file_name.replace(/\.png$/, '');
          assert.equal(diffCount((await readPng(path.join(out, 'masks', stem + '.png'))).data, truth.data), 0);
          assert.equal(diffCount((await readPng(path.join(out, 'voc/SegmentationClass', stem.split('/').join('__') + '.png'))).data, truth.data), 0);
          checked++;
        }
      }
      assert.equal(checked, 60);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
