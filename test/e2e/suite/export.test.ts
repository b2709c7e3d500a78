// Extension-host suite for dataset export/import: runs the palette commands with an options
// object (no questions asked) on the export fixture workspace copied into the open workspace,
// and checks the files they write. The interactive path (quick picks, folder dialog) is covered by
// the Playwright scenario test/e2e/export.scenario.mjs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'edgeflow.edgeflow-annotator';

interface Summary {
  images: number;
  objects: number;
  perSplit: Record<string, number>;
  cancelled: boolean;
  warnings: { kind: string }[];
}

interface ImportResult {
  kind: string;
  written: number;
  existing: number;
}

describe('export and import commands', function () {
  this.timeout(60000);
  let root: string;
  let fixture: string;
  let out: string;
  let trainCount = 0;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension not loaded');
    await ext.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the suite needs an open workspace folder');
    root = folder.uri.fsPath;
    fixture = path.join(root, 'export-fixture');
    out = path.join(root, 'export-out');
    fs.cpSync(path.join(ext.extensionPath, 'test/fixtures/in/export/workspace'), fixture, { recursive: true });
    // The workspace labels file names the classes; keep one another test may have made.
    const labels = path.join(root, '.edgeflow', 'labels.json');
    if (!fs.existsSync(labels)) {
      fs.mkdirSync(path.dirname(labels), { recursive: true });
      fs.copyFileSync(path.join(fixture, '.edgeflow', 'labels.json'), labels);
    }
  });

  after(() => {
    fs.rmSync(fixture, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('declares both commands in the EdgeFlow category', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const cmds = (ext.packageJSON.contributes.commands as { command: string; category: string }[]).filter((c) => /exportDataset|importAnnotations/.test(c.command));
    assert.equal(cmds.length, 2);
  });

  it('exports COCO + VOC with a split and writes the files', async () => {
    const summary = await vscode.commands.executeCommand<Summary>('edgeflow.exportDataset', {
      formats: ['coco', 'voc'],
      out: 'export-out',
      include: ['export-fixture'],
      split: '0.5,0.5',
      seed: 1,
      images: 'copy',
    });
    assert.ok(summary, 'the command returned no summary (see the EdgeFlow log)');
    assert.equal(summary.images, 4);
    assert.equal(summary.cancelled, false);
    assert.deepEqual(Object.keys(summary.perSplit), ['train', 'val']);
    assert.equal(summary.perSplit.train + summary.perSplit.val, 4);
    trainCount = summary.perSplit.train;
    for (const split of ['train', 'val']) {
      const ds = JSON.parse(fs.readFileSync(path.join(out, `coco/annotations/instances_${split}.json`), 'utf8'));
      assert.equal(ds.images.length, summary.perSplit[split]);
      for (const im of ds.images) assert.ok(fs.existsSync(path.join(out, 'coco/images', im.file_name)), im.file_name);
      assert.ok(ds.categories.some((c: { name: string }) => c.name === 'car'));
      const ids = fs.readFileSync(path.join(out, `voc/ImageSets/Segmentation/${split}.txt`), 'utf8').split('\n').filter(Boolean);
      assert.equal(ids.length, summary.perSplit[split]);
      for (const id of ids) {
        for (const f of [`JPEGImages/${id}.jpg`, `SegmentationClass/${id}.png`, `SegmentationObject/${id}.png`, `Annotations/${id}.xml`]) {
          assert.ok(fs.existsSync(path.join(out, 'voc', f)), f);
        }
      }
    }
    const png = fs.readFileSync(path.join(out, 'voc/SegmentationClass/export-fixture__photos__street_png.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png[25], 3, 'a palette PNG');
  });

  it('imports the export back, keeping existing sidecars unless told to overwrite', async () => {
    const sidecar = path.join(fixture, 'photos/street.png.coco.json');
    const before = fs.readFileSync(sidecar, 'utf8');
    const from = path.join(out, 'coco/annotations/instances_train.json');
    const kept = await vscode.commands.executeCommand<ImportResult>('edgeflow.importAnnotations', { from, overwrite: false });
    assert.equal(kept.kind, 'coco');
    assert.equal(kept.written, 0);
    assert.equal(kept.existing, trainCount);
    assert.equal(fs.readFileSync(sidecar, 'utf8'), before);
    const replaced = await vscode.commands.executeCommand<ImportResult>('edgeflow.importAnnotations', { from, overwrite: true });
    assert.equal(replaced.written, trainCount);
  });
});
