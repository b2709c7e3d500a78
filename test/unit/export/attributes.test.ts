/** Attributes (issue 30) through the COCO and labelme exports and back through their importers. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, runImport } from '../../../src/extension/export/run';
import { readCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { copyFixtureWorkspace, copyImagesOnly, tempDir } from './helpers';

const SIDECAR = 'photos/street.png.coco.json';

/** The fixture workspace with declared attributes and a few values set on photos/street.png's objects. */
async function withAttributes(ws: string): Promise<void> {
  const labelsPath = path.join(ws, '.edgeflow/labels.json');
  const labels = JSON.parse(await fs.readFile(labelsPath, 'utf8'));
  labels.attributes = [{ name: 'difficult', type: 'boolean' }];
  labels.labels[0].attributes = [
    { name: 'occluded', type: 'boolean' },
    { name: 'pose', type: 'choice', options: ['front', 'side', 'rear'] },
    { name: 'note', type: 'text' },
  ];
  await fs.writeFile(labelsPath, JSON.stringify(labels, null, 2));
  const side = JSON.parse(await fs.readFile(path.join(ws, SIDECAR), 'utf8'));
  // Object 1 is a car, 3 a person with a hole (RLE / mask shape), 4 a hidden tree, 5 a car.
  side.annotations[0].attributes = { occluded: true, note: 'dad', legacy: 'kept' };
  side.annotations[1].attributes = { difficult: true };
  await fs.writeFile(path.join(ws, SIDECAR), JSON.stringify(side));
}

/** What every object of street.png exports: declared values (stored or default), then the others. */
const EXPECTED = [
  { difficult: false, occluded: true, pose: 'front', note: 'dad', legacy: 'kept' },
  { difficult: true },
  { difficult: false },
  { difficult: false, occluded: false, pose: 'front', note: '' },
];

async function sidecarAttributes(file: string) {
  const r = readCocoSidecar(await fs.readFile(file, 'utf8'), { maskToRegions: maskToPolygons });
  assert.ok(r.ok);
  return r.value.state.objects.map((o) => o.attributes ?? {});
}

describe('export: attributes', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  beforeEach(async () => {
    tmp = await tempDir('edgeflow-attrs-');
    ws = await copyFixtureWorkspace(path.join(tmp, 'a', 'ws'));
    await withAttributes(ws);
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('COCO: annotations[].attributes as CVAT writes them, defaults filled in; import -> export gives the same JSON', async () => {
    const out1 = path.join(tmp, 'a', 'out');
    await runExport({ workspaceDir: ws, outDir: out1, settings: { formats: ['coco'], images: 'reference' } });
    const coco1 = path.join(out1, 'coco/annotations/instances_all.json');
    const text1 = await fs.readFile(coco1, 'utf8');
    const ds = JSON.parse(text1);
    const street = ds.images.find((im: { file_name: string }) => im.file_name === 'photos/street.png');
    const anns = ds.annotations.filter((a: { image_id: number }) => a.image_id === street.id);
    assert.deepEqual(anns.map((a: { attributes: unknown }) => a.attributes), EXPECTED);
    // The workspace-wide declaration reaches every class, also in images nobody set a value in.
    const other = ds.annotations.filter((a: { image_id: number }) => a.image_id !== street.id);
    assert.ok(other.length > 0);
    // (class 9 is only in a sidecar, not in the labels file: it declares nothing).
    for (const a of other) assert.deepEqual(a.attributes, a.category_id === 9 ? undefined : a.category_id === 1 ? EXPECTED[3] : { difficult: false });
    assert.ok(other.some((a: { category_id: number }) => a.category_id === 9));

    const ws2 = path.join(tmp, 'b', 'ws');
    await copyImagesOnly(ws, ws2);
    await runImport({ workspaceDir: ws2, from: coco1, overwrite: false });
    assert.deepEqual(await sidecarAttributes(path.join(ws2, SIDECAR)), EXPECTED);
    const out2 = path.join(tmp, 'b', 'out');
    await runExport({ workspaceDir: ws2, outDir: out2, settings: { formats: ['coco'], images: 'reference' } });
    assert.equal(await fs.readFile(path.join(out2, 'coco/annotations/instances_all.json'), 'utf8'), text1);
  });

  it('an import that adds classes keeps the labels file\'s attribute declarations', async () => {
    const out = path.join(tmp, 'a', 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'], images: 'reference' } });
    const ws2 = path.join(tmp, 'b', 'ws');
    await copyImagesOnly(ws, ws2);
    const all = JSON.parse(await fs.readFile(path.join(ws, '.edgeflow/labels.json'), 'utf8'));
    const only = { version: 1, attributes: all.attributes, labels: [all.labels[0]], reviewer: 'kept too' };
    await fs.mkdir(path.join(ws2, '.edgeflow'));
    await fs.writeFile(path.join(ws2, '.edgeflow/labels.json'), JSON.stringify(only));
    const s = await runImport({ workspaceDir: ws2, from: path.join(out, 'coco/annotations/instances_all.json'), overwrite: false });
    assert.ok(s.labelsChanged);
    const after = JSON.parse(await fs.readFile(path.join(ws2, '.edgeflow/labels.json'), 'utf8'));
    assert.deepEqual(after.labels.map((l: { name: string }) => l.name), ['car', 'person', 'tree', 'bike', 'class_9']);
    assert.deepEqual(after.attributes, all.attributes);
    assert.deepEqual(after.labels[0].attributes, all.labels[0].attributes);
    assert.equal(after.reviewer, 'kept too');
  });

  it('labelme: booleans in the shape\'s flags, strings in its attributes; import reads both back', async () => {
    const out = path.join(tmp, 'out');
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['labelme'] } });
    const lm = JSON.parse(await fs.readFile(path.join(out, 'labelme/photos/street_png.json'), 'utf8'));
    const car = lm.shapes[0];
    assert.equal(car.label, 'car');
    assert.deepEqual(car.flags, { difficult: false, occluded: true });
    assert.deepEqual(car.attributes, { pose: 'front', note: 'dad', legacy: 'kept' });
    const person = lm.shapes.find((s: { label: string }) => s.label === 'person');
    assert.equal(person.shape_type, 'mask');
    assert.deepEqual(person.flags, { difficult: true });
    assert.equal(person.attributes, undefined, 'no strings, no "attributes" key');

    const ws2 = path.join(tmp, 'b', 'ws');
    await copyImagesOnly(ws, ws2);
    await runImport({ workspaceDir: ws2, from: path.join(out, 'labelme'), overwrite: false });
    assert.deepEqual(await sidecarAttributes(path.join(ws2, SIDECAR)), EXPECTED);
  });
});
