import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_HELP } from '../../../src/cli/args';
import { runExport } from '../../../src/extension/export/run';
import { parseFormats } from '../../../src/shared/export/config';
import { detectImportKind } from '../../../src/shared/export/importer';
import { READERS } from '../../../src/shared/export/readers/registry';
import type { ImportSource } from '../../../src/shared/export/readers/types';
import { EXPORT_FORMATS, ExportFormat } from '../../../src/shared/export/types';
import { FORMATS, findFormat, formatSpec } from '../../../src/shared/export/writers/registry';
import { copyFixtureWorkspace, listTree, tempDir } from './helpers';

/** The folder each format writes under. */
const FOLDER: Record<ExportFormat, string> = { coco: 'coco', voc: 'voc', mask: 'masks', pseudo: 'pseudo', yolo: 'yolo', labelme: 'labelme' };

describe('export format registry', function () {
  this.timeout(30000);

  it('registers every format once, with a label, and in the documented order', () => {
    assert.deepEqual([...EXPORT_FORMATS], ['coco', 'voc', 'mask', 'pseudo', 'yolo', 'labelme']);
    assert.deepEqual(FORMATS.map((f) => f.format), [...EXPORT_FORMATS]);
    const names = FORMATS.flatMap((f) => [f.format, ...(f.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length, `a name is taken twice: ${names.join(', ')}`);
    for (const f of FORMATS) {
      assert.ok(f.label && f.description, f.format);
      assert.equal(f.folder, FOLDER[f.format], `${f.format} writes under ${FOLDER[f.format]}/`);
      assert.equal(formatSpec(f.format), f);
      for (const a of f.aliases ?? []) assert.equal(findFormat(a), f, a);
    }
    assert.ok(EXPORT_HELP.includes(`comma-separated: ${EXPORT_FORMATS.join(', ')}`));
    assert.deepEqual(parseFormats([...EXPORT_FORMATS].reverse().join(',')), [...EXPORT_FORMATS].reverse());
    assert.deepEqual(parseFormats('Masks, yolo-seg'), ['mask', 'yolo']);
  });

  it('names the known formats when asked for an unknown one', () => {
    assert.equal(findFormat('tiff'), undefined);
    assert.throws(() => formatSpec('tiff'), /^Error: unknown export format "tiff" \(use coco, voc, mask, pseudo, yolo, labelme\)$/);
    assert.throws(() => parseFormats('coco,tiff'), /unknown format "tiff" \(use coco, voc, mask, pseudo, yolo, labelme\)/);
  });

  describe('each writer', () => {
    let tmp: string;
    let ws: string;
    before(async () => {
      tmp = await tempDir('edgeflow-registry-');
      ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
    });
    after(async () => fs.rm(tmp, { recursive: true, force: true }));

    for (const format of ['coco', 'voc', 'mask', 'pseudo', 'yolo', 'labelme'] as const) {
      it(`${format}: writes only under ${FOLDER[format]}/ and lists its files there`, async () => {
        const out = path.join(tmp, `out-${format}`);
        const { summary } = await runExport({ workspaceDir: ws, outDir: out, useConfig: false, settings: { formats: [format], splits: [{ name: 'train', fraction: 0.5 }, { name: 'val', fraction: 0.5 }] } });
        assert.equal(summary.images, 4);
        const stray = (await listTree(out)).filter((f) => !f.startsWith(`${FOLDER[format]}/`) && f !== 'edgeflow-export.json');
        assert.deepEqual(stray, []);
        assert.ok(summary.files.length > 1, summary.files.join(', '));
        for (const f of summary.files) {
          assert.ok(f.startsWith(`${FOLDER[format]}/`) || f === 'edgeflow-export.json', f);
          await fs.access(path.join(out, f));
        }
      });
    }

    it('runs the writers in registry order whatever order was asked for', async () => {
      const out = path.join(tmp, 'out-order');
      const { summary } = await runExport({ workspaceDir: ws, outDir: out, useConfig: false, settings: { formats: ['yolo', 'labelme', 'coco'], images: 'reference' } });
      // The summary keeps the order asked for; files and warnings follow the registry.
      assert.deepEqual(summary.formats, ['yolo', 'labelme', 'coco']);
      assert.deepEqual(summary.files, ['coco/annotations/instances_all.json', 'yolo/data.yaml', 'edgeflow-export.json']);
      const kinds = summary.warnings.map((w) => w.kind);
      assert.ok(kinds.indexOf('yolo-linked') < kinds.indexOf('yolo-bridged'), kinds.join(', '));
    });

    it('refuses an unknown format before writing anything', async () => {
      const out = path.join(tmp, 'out-unknown');
      await assert.rejects(
        runExport({ workspaceDir: ws, outDir: out, useConfig: false, settings: { formats: ['coco', 'tiff' as ExportFormat] } }),
        /unknown export format "tiff" \(use coco, voc, mask, pseudo, yolo, labelme\)/,
      );
      assert.deepEqual(await listTree(out).catch(() => []), []);
    });
  });
});

/** An in-memory import source: file path -> text. */
function memorySource(files: Record<string, string>, entry = ''): ImportSource {
  const paths = Object.keys(files).sort();
  return {
    entry,
    reader: {
      listSidecars: async () => paths.filter((p) => p.endsWith('.coco.json')),
      readText: async (rel) => files[rel] ?? Promise.reject(new Error(`${rel} missing`)),
      readBytes: async (rel) => new TextEncoder().encode(files[rel]),
      isFile: async (rel) => rel in files,
      listFiles: async (dir, exts) => paths.filter((p) => (dir === '' || p.startsWith(dir + '/')) && exts.some((e) => p.toLowerCase().endsWith(e))),
    },
  };
}

describe('import reader registry', () => {
  const labelme = JSON.stringify({ shapes: [], imagePath: 'a.png' });

  it('registers COCO, labelme and VOC', () => {
    assert.deepEqual(READERS.map((r) => r.kind), ['coco', 'labelme', 'voc']);
  });

  it('detects the format; the VOC layout wins over labelme files, labelme files over loose PNGs', async () => {
    assert.equal(await detectImportKind(memorySource({ 'd.json': '{}' }, 'd.json')), 'coco');
    assert.equal(await detectImportKind(memorySource({ 'a.json': labelme })), 'labelme');
    assert.equal(await detectImportKind(memorySource({ 'SegmentationObject/a.png': '', 'a.json': labelme })), 'voc');
    assert.equal(await detectImportKind(memorySource({ 'x/a.png': '', 'a.json': labelme })), 'labelme');
    assert.equal(await detectImportKind(memorySource({ 'x/a.png': '', 'a.json': '{"not": "labelme"}' })), 'voc');
    // A sidecar is not a labelme file.
    assert.equal(await detectImportKind(memorySource({ 'a.png.coco.json': labelme, 'a.png': '' })), 'voc');
  });

  it('says what it expected when no reader takes the source', async () => {
    await assert.rejects(detectImportKind(memorySource({ 'd.yaml': '' }, 'd.yaml')), /^Error: d\.yaml: expected a COCO \.json file or a folder$/);
    await assert.rejects(detectImportKind(memorySource({ 'notes.txt': '' })), /^Error: the folder holds neither labelme JSON files nor VOC SegmentationObject PNGs$/);
  });
});
