/**
 * Outside oracles for what the export writes. pycocotools (the reference COCO implementation)
 * checks our COCO in models/tests/test_coco_oracle.py, reading fixtures this file writes through
 * the real export path: a workspace of awkward objects (holes, several parts, crossing or
 * touching the image border, 1-pixel-wide parts, a sliver, nothing inside, the full image, a
 * self-intersecting ring, traced and simplified outlines, odd and 1-pixel image sizes) exported by
 * `runExport`, its sidecars, our own rasterisation of every object and a set of RLE cases. The
 * fixtures are golden files (REGEN=1 rewrites them), so the Python side always checks what this
 * code writes now. sharp (libpng), an independent PNG decoder, checks the mask, pseudo-colour and
 * VOC PNGs here.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { runExport } from '../../../src/extension/export/run';
import type { AnnotationObject, MultiPolygonXY, RegionXY } from '../../../src/shared/annotation/types';
import { encodePng8 } from '../../../src/shared/export/png';
import { annotationId } from '../../../src/shared/formats/cocoDataset';
import { writeCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { countsArea, countsBBox, encodeRle, maskToCounts } from '../../../src/shared/formats/rle';
import { parseHexColour, vocPalette } from '../../../src/shared/formats/vocPalette';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { rasterizeMultiPolygon } from '../../../src/shared/geometry/polygon';
import { simplifyMultiPolygon } from '../../../src/shared/geometry/simplify';
import { Label, serializeLabels } from '../../../src/shared/labels';
import { stringifyCompactNumbers } from '../../../src/shared/formats/json';
import { assertGolden } from '../helpers/golden';
import { rng } from '../helpers/masks';
import { cocoClassMap, tempDir } from './helpers';

const LABELS: Label[] = [
  { id: 1, name: 'car', color: '#e6194b' },
  { id: 2, name: 'person', color: '#3cb44b' },
  { id: 3, name: 'tree', color: '#4363d8' },
  // A high class id: its colour sits at palette index 200 of the pseudo-colour PNG.
  { id: 200, name: 'sky', color: '#42d4f4' },
];

const rect = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
const region = (outer: number[], ...holes: number[][]): RegionXY => ({ outer, holes });

/** A blob as the click tool makes one: a mask traced by marching squares, optionally simplified. */
function tracedBlob(width: number, height: number, discs: [number, number, number][], tolerance: number): MultiPolygonXY {
  const m = new Uint8Array(width * height);
  for (const [cx, cy, r] of discs) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) m[y * width + x] = 1;
  }
  const traced = maskToPolygons(m, width, height);
  return tolerance > 0 ? simplifyMultiPolygon(traced, tolerance) : traced;
}

/** Star-shaped polygons at arbitrary 0.01 px coordinates, some slanted almost flat or upright. */
function randomStars(count: number, width: number, height: number, seed: number): MultiPolygonXY[] {
  const rand = rng(seed);
  const out: MultiPolygonXY[] = [];
  for (let k = 0; k < count; k++) {
    const cx = rand() * width, cy = rand() * height, radius = 2 + rand() * 9, points = 3 + Math.floor(rand() * 9);
    const ring: number[] = [];
    for (let i = 0; i < points; i++) {
      const a = ((i + rand() * 0.8) / points) * 2 * Math.PI;
      const r = radius * (0.35 + 0.65 * rand());
      ring.push(Math.round((cx + r * Math.cos(a)) * 100) / 100, Math.round((cy + r * Math.sin(a)) * 100) / 100);
    }
    out.push([region(ring)]);
  }
  return out;
}

interface OracleImage {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** Objects in drawing order; `name` says what each one is for. */
  readonly objects: (AnnotationObject & { name: string })[];
}

const obj = (id: number, classId: number, name: string, regions: MultiPolygonXY) => ({ id, classId, name, regions, hidden: false });

/** The workspace: every case the issue names, on images of odd sizes. */
const IMAGES: OracleImage[] = [
  {
    file: 'shapes.png',
    width: 23,
    height: 17,
    objects: [
      // Left and bottom edges run through pixel centres (x = 2.5, y = 8.5).
      obj(1, 1, 'rectangle with edges on pixel centres', [region(rect(2.5, 3, 9.25, 8.5))]),
      obj(2, 2, 'square ring (a hole: RLE)', [region(rect(12, 1, 21, 9), rect(14.5, 3.5, 18.5, 6.5))]),
      obj(3, 3, 'two parts', [region([1, 10, 6, 16, 0.5, 15.5]), region(rect(7.6, 12, 10, 14.4))]),
      obj(4, 1, 'crosses the top-left corner of the image', [region(rect(-3, -2, 4, 2.3))]),
      obj(5, 2, 'touches the right and bottom borders', [region(rect(19, 12, 23, 17))]),
      obj(6, 3, 'L with 1-pixel-wide arms', [region([11, 10, 12, 10, 12, 15, 17, 15, 17, 16, 11, 16])]),
      obj(7, 1, 'sliver, 1 pixel thick, slanted', [region([13, 10.2, 18, 12.7, 18, 13.7, 13, 11.2])]),
      obj(8, 2, 'covers no pixel centre', [region([5.1, 12.1, 5.4, 12.1, 5.1, 12.4])]),
    ],
  },
  {
    file: 'holes.png',
    width: 31,
    height: 29,
    objects: [
      // The mask starts with a foreground pixel: the RLE's first run of zeros is empty.
      obj(1, 2, 'the whole image minus a hole', [region(rect(0, 0, 31, 29), rect(10.5, 10.5, 20.5, 18.5))]),
      obj(2, 1, 'two parts, one with a 1-pixel-tall hole', [region(rect(12, 12, 19, 17), rect(14, 14, 17, 15)), region(rect(25, 2, 29, 6))]),
      obj(3, 3, 'hole notched into the right border', [region(rect(22, 20, 31, 29), rect(26, 24, 31, 27))]),
      obj(4, 1, 'self-intersecting bow-tie', [region([2, 20, 9, 27, 9, 20, 2, 27])]),
      obj(5, 2, 'traced outline (marching squares)', tracedBlob(31, 29, [[6, 6, 4.2], [10, 8, 2.6]], 0)),
      obj(6, 3, 'traced and simplified outline', tracedBlob(31, 29, [[15, 24, 3.7], [19, 23, 2.2]], 0.7)),
    ],
  },
  {
    file: 'column.png',
    width: 1,
    height: 9,
    objects: [
      obj(1, 1, 'part of a 1-pixel-wide image', [region(rect(0, 1, 1, 4))]),
      obj(2, 3, 'a hole in a 1-pixel-wide image', [region(rect(0, 5, 1, 9), rect(0.2, 6.2, 0.8, 7.8))]),
    ],
  },
  {
    file: 'random.png',
    width: 41,
    height: 33,
    objects: randomStars(24, 41, 33, 29).map((regions, k) => obj(k + 1, 1 + (k % 3), `random star ${k + 1}`, regions)),
  },
  { file: 'row.png', width: 16, height: 1, objects: [obj(1, 2, 'beyond every border of a 1-pixel-tall image', [region(rect(-1, -1, 17, 2))])] },
  { file: 'full.png', width: 7, height: 5, objects: [obj(1, 200, 'exactly the full image', [region(rect(0, 0, 7, 5))])] },
  { file: 'empty.png', width: 5, height: 4, objects: [] },
];

/** A mask as text rows, '#' = object: readable in the fixture and in a diff. */
function rows(mask: Uint8Array, width: number, height: number): string[] {
  const out: string[] = [];
  for (let y = 0; y < height; y++) {
    let s = '';
    for (let x = 0; x < width; x++) s += mask[y * width + x] ? '#' : '.';
    out.push(s);
  }
  return out;
}

/** A standalone RLE case: the mask as rows, or as the union of rectangles for large ones. */
interface RleCase {
  name: string;
  width: number;
  height: number;
  rows?: string[];
  rects?: [number, number, number, number][];
  counts: string;
  area: number;
  bbox: [number, number, number, number];
}

function rleCase(name: string, width: number, height: number, mask: Uint8Array, rects?: [number, number, number, number][]): RleCase {
  const counts = maskToCounts(mask, width, height);
  return {
    name,
    width,
    height,
    ...(rects ? { rects } : { rows: rows(mask, width, height) }),
    counts: encodeRle(mask, width, height).counts,
    area: countsArea(counts),
    bbox: countsBBox(counts, height),
  };
}

/** Masks whose run lengths exercise the counts string: empty, full, many short runs, very long runs. */
function rleCases(): RleCase[] {
  const out: RleCase[] = [];
  const fill = (w: number, h: number, f: (x: number, y: number) => boolean) => {
    const m = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = f(x, y) ? 1 : 0;
    return m;
  };
  out.push(rleCase('1x1 background', 1, 1, fill(1, 1, () => false)));
  out.push(rleCase('1x1 object', 1, 1, fill(1, 1, () => true)));
  out.push(rleCase('empty 7x5', 7, 5, fill(7, 5, () => false)));
  out.push(rleCase('full 7x5', 7, 5, fill(7, 5, () => true)));
  out.push(rleCase('checkerboard 9x8 (runs of 1)', 9, 8, fill(9, 8, (x, y) => (x + y) % 2 === 1)));
  out.push(rleCase('last pixel only 6x4', 6, 4, fill(6, 4, (x, y) => x === 5 && y === 3)));
  out.push(rleCase('1x13 column', 1, 13, fill(1, 13, (_, y) => y % 5 < 2)));
  out.push(rleCase('13x1 row', 13, 1, fill(13, 1, (x) => x % 4 === 0)));
  // Alternating long and short runs: the differences to the count two back are large and of both
  // signs, several 5-bit groups long.
  out.push(rleCase('alternating run lengths 37x23', 37, 23, fill(37, 23, (x, y) => ((x * 23 + y) * 7919) % 97 < (x % 3 === 0 ? 90 : 5))));
  for (const [seed, density] of [[1, 0.5], [2, 0.1], [3, 0.9]] as const) {
    const rand = rng(seed);
    out.push(rleCase(`noise ${density} 29x31`, 29, 31, fill(29, 31, () => rand() < density)));
  }
  // Runs of hundreds of thousands of pixels (4 characters each) on a 1000x700 image.
  const big: [number, number, number, number][] = [[0, 0, 3, 700], [999, 699, 1, 1], [400, 10, 350, 2], [500, 300, 1, 399]];
  const W = 1000, H = 700;
  const m = new Uint8Array(W * H);
  for (const [x0, y0, w, h] of big) for (let y = y0; y < y0 + h; y++) m.fill(1, y * W + x0, y * W + x0 + w);
  out.push(rleCase('long runs 1000x700', W, H, m, big));
  return out;
}

async function writeWorkspace(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, '.edgeflow'), { recursive: true });
  await fs.writeFile(path.join(dir, '.edgeflow', 'labels.json'), serializeLabels({ version: 1, labels: LABELS }));
  for (const im of IMAGES) {
    const png = encodePng8({ width: im.width, height: im.height, data: new Uint8Array(im.width * im.height).fill(90) }, (d) => zlib.deflateSync(d));
    await fs.writeFile(path.join(dir, im.file), png);
    const objects = im.objects.map(({ name: _, ...o }) => o);
    const text = writeCocoSidecar({ fileName: im.file, width: im.width, height: im.height }, LABELS, { objects, nextId: objects.length + 1 });
    await fs.writeFile(path.join(dir, im.file + '.coco.json'), text);
  }
}

/**
 * A PNG as sharp (libpng) reads it: its header facts and its pixels in the file's own channels
 * (grey stays one channel; a palette image comes out as the RGB of its entries).
 */
async function decode(file: string) {
  const meta = await sharp(file).metadata();
  const channels = meta.isPalette ? 3 : meta.channels;
  const { data, info } = await sharp(file).toColourspace(meta.space === 'b-w' ? 'b-w' : 'srgb').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, channels, file);
  return { width: meta.width, height: meta.height, channels: meta.channels, space: meta.space, isPalette: meta.isPalette, data: new Uint8Array(data) };
}

interface Dataset {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; segmentation: unknown; area: number; bbox: number[] }[];
}

describe('export: outside oracles (pycocotools fixtures, sharp)', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  let out: string;
  let dataset: Dataset;
  let warnings: readonly { kind: string; examples: readonly string[] }[];
  /** Our rasterisation of each object, by image file and object id. */
  const ours = new Map<string, Uint8Array>();
  const key = (file: string, id: number) => `${file}#${id}`;

  before(async () => {
    tmp = await tempDir('edgeflow-oracle-');
    ws = path.join(tmp, 'ws');
    out = path.join(tmp, 'out');
    await writeWorkspace(ws);
    ({
      summary: { warnings },
    } = await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco', 'mask', 'pseudo', 'voc'], images: 'reference', objectMasks: true } }));
    dataset = JSON.parse(await fs.readFile(path.join(out, 'coco/annotations/instances_all.json'), 'utf8'));
    for (const im of IMAGES) for (const o of im.objects) ours.set(key(im.file, o.id), rasterizeMultiPolygon(o.regions, im.width, im.height));
  });
  after(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('writes the COCO dataset, the sidecars and our rasterisation of every object as the fixtures pycocotools checks', async () => {
    const imageOf = new Map(dataset.images.map((im) => [im.file_name, im]));
    const annIds = new Set(dataset.annotations.map((a) => a.id));
    const objects = [];
    for (const im of IMAGES) {
      const entry = imageOf.get(im.file);
      assert.ok(entry, `${im.file} is in the dataset`);
      for (const o of im.objects) {
        const mask = ours.get(key(im.file, o.id))!;
        const id = annotationId(entry.id, o.id);
        const exported = annIds.has(id);
        // Only objects that cover no pixel are left out of the dataset (with a warning).
        assert.equal(exported, mask.some((v) => v === 1), `${im.file} object ${o.id} (${o.name})`);
        objects.push({ image: im.file, object: o.id, name: o.name, dataset_id: exported ? id : null, mask: rows(mask, im.width, im.height) });
      }
    }
    assert.deepEqual(warnings.find((w) => w.kind === 'empty-object')?.examples, ['shapes.png#8']);
    assert.deepEqual(warnings.find((w) => w.kind === 'self-intersection')?.examples, ['holes.png#4']);
    // Polygons for objects without holes, RLE for the rest: both kinds reach the oracle.
    const kinds = new Set(dataset.annotations.map((a) => (Array.isArray(a.segmentation) ? 'polygon' : 'rle')));
    assert.deepEqual([...kinds].sort(), ['polygon', 'rle']);
    // What any COCO reader of ours sees is what we rasterise (the pycocotools side checks the same
    // against its own decoder).
    for (const im of dataset.images) {
      const expected = new Uint8Array(im.width * im.height);
      const spec = IMAGES.find((s) => s.file === im.file_name)!;
      for (const o of spec.objects) ours.get(key(spec.file, o.id))!.forEach((v, i) => v && (expected[i] = o.classId));
      assert.deepEqual(cocoClassMap(dataset, im), expected, im.file_name);
    }

    assertGolden('oracle/instances_all.json', await fs.readFile(path.join(out, 'coco/annotations/instances_all.json'), 'utf8'));
    for (const im of IMAGES) assertGolden(`oracle/sidecars/${im.file}.coco.json`, await fs.readFile(path.join(ws, im.file + '.coco.json'), 'utf8'));
    const fixture = {
      about: 'Written by test/unit/export/cocoOracle.test.ts (REGEN=1), checked with pycocotools by models/tests/test_coco_oracle.py',
      dataset: 'instances_all.json',
      sidecars: IMAGES.map((im) => `sidecars/${im.file}.coco.json`),
      objects,
      rle: rleCases(),
    };
    assertGolden('oracle/ours.json', stringifyCompactNumbers(fixture) + '\n');
  });

  it('sharp decodes every PNG the export writes (masks, object masks, pseudo-colour, VOC) to the class ids, instances and colours meant', async () => {
    const colour = new Map(LABELS.map((l) => [l.id, parseHexColour(l.color!)!]));
    let files = 0;
    for (const im of IMAGES) {
      const { width, height } = im;
      const stem = im.file.replace(/\.png$/, '');
      const classes = new Uint8Array(width * height);
      for (const o of im.objects) ours.get(key(im.file, o.id))!.forEach((v, i) => v && (classes[i] = o.classId));

      const gray = await decode(path.join(out, 'masks', `${stem}.png`));
      assert.deepEqual([gray.width, gray.height, gray.channels, gray.space, gray.isPalette], [width, height, 1, 'b-w', false], `masks/${stem}.png`);
      assert.deepEqual(gray.data, classes, `masks/${stem}.png`);

      const pseudo = await decode(path.join(out, 'pseudo', `${stem}.png`));
      assert.deepEqual([pseudo.width, pseudo.height, pseudo.channels, pseudo.space, pseudo.isPalette], [width, height, 3, 'srgb', true], `pseudo/${stem}.png`);
      const rgb = new Uint8Array(width * height * 3);
      classes.forEach((c, i) => c && rgb.set(colour.get(c)!, i * 3));
      assert.deepEqual(new Uint8Array(pseudo.data), rgb, `pseudo/${stem}.png`);
      // VOC: palette PNGs in VOC's colours, class ids and instance indices (drawing order, from 1).
      const voc = vocPalette();
      const instances = new Uint8Array(width * height);
      let index = 0;
      for (const o of im.objects) {
        const mask = ours.get(key(im.file, o.id))!;
        if (!mask.some((v) => v)) continue;
        index++;
        mask.forEach((v, i) => v && (instances[i] = index));
      }
      for (const [folder, values] of [['SegmentationClass', classes], ['SegmentationObject', instances]] as const) {
        const file = path.join(out, 'voc', folder, `${stem}.png`);
        const png = await decode(file);
        assert.deepEqual([png.width, png.height, png.isPalette], [width, height, true], file);
        const want = new Uint8Array(width * height * 3);
        values.forEach((v, i) => want.set(voc.subarray(v * 3, v * 3 + 3), i * 3));
        assert.deepEqual(png.data, want, file);
      }
      files += 4;

      for (const o of im.objects) {
        const mask = ours.get(key(im.file, o.id))!;
        if (!mask.some((v) => v)) continue;
        const p = path.join(out, 'masks/objects', stem, `${o.id}.png`);
        const one = await decode(p);
        assert.deepEqual([one.width, one.height, one.channels], [width, height, 1], p);
        assert.deepEqual(one.data, mask.map((v) => v * 255), p);
        files++;
      }
    }
    assert.equal(files, 4 * IMAGES.length + dataset.annotations.length);
  });
});
