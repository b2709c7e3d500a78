// Extension-host suite: bad sidecars and labels files (read-only editor, Problems-panel
// diagnostics that follow the file), concurrency (two editors on one image share one document;
// a sidecar changed on disk reloads a clean editor and never clobbers a dirty one, nor is
// clobbered by it), inside a real VS Code with the repository as the development extension.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AnnotationDocument } from '../../../src/extension/annotationDocument';
import type { EdgeflowApi } from '../../../src/extension/extension';
import type { EditorPanel } from '../../../src/extension/editorPanel';

const EXTENSION_ID = 'edgeflow.edgeflow-annotator';
const VIEW_TYPE = 'edgeflow.annotator';
const IMAGE = 'images/cells.png'; // 640x480

function api(): EdgeflowApi {
  const ext = vscode.extensions.getExtension<EdgeflowApi>(EXTENSION_ID);
  assert.ok(ext?.isActive && ext.exports, 'extension active with its API');
  return ext.exports;
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs an open workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function panelsOf(uri: vscode.Uri): EditorPanel[] {
  return [...api().provider.openPanels].filter((p) => p.document.uri.toString() === uri.toString());
}

async function openImage(uri: vscode.Uri, column = vscode.ViewColumn.One): Promise<AnnotationDocument> {
  const before = panelsOf(uri).length;
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE, column);
  return waitFor('the annotator panel', () => panelsOf(uri).length > before && panelsOf(uri)[0].document);
}

/** An EdgeFlow sidecar for cells.png with the given annotations. */
function sidecarText(annotations: unknown[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      info: { edgeflow: { format: 'edgeflow.coco-sidecar', formatVersion: 1, generator: 'suite' } },
      licenses: [],
      images: [{ id: 1, file_name: 'cells.png', width: 640, height: 480 }],
      categories: [{ id: 1, name: 'cell', supercategory: '' }],
      annotations,
      ...extra,
    },
    null,
    2,
  )}\n`;
}

function square(id: number, x: number, y = 10, cat = 1) {
  return { id, image_id: 1, category_id: cat, segmentation: [[x, y, x + 20, y, x + 20, y + 20, x, y + 20]], area: 400, bbox: [x, y, 20, 20], iscrowd: 0 };
}

const addSquare = (id: number, x: number) => ({
  kind: 'addObject' as const,
  object: { id, classId: 1, regions: [{ outer: [x, 100, x + 30, 100, x + 30, 130, x, 130], holes: [] }], hidden: false },
  index: 0,
});

describe('sidecars: bad files, diagnostics, concurrency', () => {
  const image = () => workspaceFile(IMAGE);
  const sidecar = () => workspaceFile(`${IMAGE}.coco.json`);
  const labelsFile = () => workspaceFile('.edgeflow/labels.json');

  before(async function () {
    this.timeout(30000);
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  afterEach(async () => {
    // Revert through the workbench so VS Code does not ask about unsaved changes on close.
    for (let i = 0; i < 6 && api().provider.openPanels.size > 0; i++) {
      const [p] = [...api().provider.openPanels];
      p.panel.reveal(undefined, false);
      await sleep(150);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await sleep(150);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('all panels closed', () => api().provider.openPanels.size === 0);
    fs.rmSync(sidecar().fsPath, { force: true });
    for (const f of fs.readdirSync(workspaceFile('images').fsPath)) {
      if (f.includes('.bak-')) fs.rmSync(workspaceFile(`images/${f}`).fsPath, { force: true });
    }
  });

  it('malformed JSON: read-only, an error diagnostic at the parser position; fixing the file clears it', async () => {
    fs.writeFileSync(sidecar().fsPath, '{\n  "images": [\n    {"id": 1, "width": 640, "height": 480}\n  ],\n  "annotations": [,]\n}\n');
    const doc = await openImage(image());
    assert.ok(doc.readOnly, 'read-only');
    assert.deepEqual(doc.readOnly.actions, ['overwrite', 'openSidecar']);
    const diags = await waitFor('a diagnostic', () => {
      const d = vscode.languages.getDiagnostics(sidecar()).filter((x) => x.source === 'EdgeFlow');
      return d.length ? d : undefined;
    });
    assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diags[0].range.start.line, 4, `line of the error (${diags[0].message})`);
    assert.throws(() => doc.applyEdit(addSquare(1, 10)), /Cannot read/);
    assert.equal(doc.isDirty, false);
    // Fixed on disk (git checkout, a text editor): the editor reloads, editable, diagnostics gone.
    fs.writeFileSync(sidecar().fsPath, sidecarText([square(1, 10)]));
    await waitFor('the reload', () => !doc.readOnly && doc.model.state.objects.length === 1);
    // (Only the warning that class 1 is not in the labels file, which this workspace lacks, stays.)
    await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(sidecar()).every((x) => x.source !== 'EdgeFlow' || x.code === 'unknown-class'));
    doc.applyEdit(addSquare(2, 100));
    assert.equal(doc.isDirty, true);
  });

  it('duplicate ids, unreadable and out-of-image annotations: shows what it can, read-only, one diagnostic each', async () => {
    // A labels file without classes 1 and 9 (another suite may have left one naming them).
    fs.mkdirSync(workspaceFile('.edgeflow').fsPath, { recursive: true });
    fs.writeFileSync(labelsFile().fsPath, '{"version": 1, "labels": [{"id": 2, "name": "other"}]}\n');
    const broken = { id: 3, image_id: 1, category_id: 1, segmentation: [[1, 2, 3]] };
    fs.writeFileSync(sidecar().fsPath, sidecarText([square(1, 10), square(1, 50), broken, square(4, 630, 470), square(5, 90, 10, 9)]));
    const doc = await openImage(image());
    assert.ok(doc.readOnly);
    assert.deepEqual(doc.readOnly.actions, ['repair', 'overwrite', 'openSidecar']);
    // The duplicate keeps its geometry under a new id; the broken one is left out.
    assert.deepEqual(doc.model.state.objects.map((o) => o.id).sort(), [1, 4, 5, 6]);
    const diags = vscode.languages.getDiagnostics(sidecar()).filter((x) => x.source === 'EdgeFlow');
    const byCode = (c: string) => diags.filter((d) => d.code === c);
    assert.equal(byCode('invalid-annotation').length, 2, diags.map((d) => d.message).join(' | '));
    assert.equal(byCode('outside-image').length, 1);
    assert.equal(byCode('unknown-category').length, 1);
    assert.equal(byCode('outside-image')[0].severity, vscode.DiagnosticSeverity.Warning);
    // Each reader problem points at its own annotation's line.
    const reader = diags.filter((d) => d.code !== 'unknown-class');
    assert.equal(new Set(reader.map((d) => d.range.start.line)).size, reader.length, 'distinct lines');
    // Classes 1 and 9 are unknown to the labels file, one warning per class (the labels
    // store loads asynchronously and the warnings are redone when it has: wait for them).
    const unknownClasses = () => vscode.languages.getDiagnostics(sidecar())
      .filter((d) => d.source === 'EdgeFlow' && d.code === 'unknown-class')
      .map((d) => d.message.match(/class id (\d+)/)?.[1]).sort().join(',');
    await waitFor('warnings for classes 1 and 9', () => unknownClasses() === '1,9').catch(() => {
      throw new Error(`unknown-class warnings: "${unknownClasses()}", expected "1,9"`);
    });
    fs.mkdirSync(workspaceFile('.edgeflow').fsPath, { recursive: true });
    fs.writeFileSync(labelsFile().fsPath, '{"version": 1, "labels": [{"id": 1, "name": "cell"}]}\n');
    try {
      await waitFor('the class-1 warning to go', () => {
        const u = vscode.languages.getDiagnostics(sidecar()).filter((d) => d.code === 'unknown-class');
        return u.length === 1 && /class id 9/.test(u[0].message);
      });
    } finally {
      fs.rmSync(labelsFile().fsPath, { force: true });
    }
  });

  it('a sidecar over 64 MiB is not parsed: read-only at once, the host stays responsive', async function () {
    this.timeout(60000);
    const fd = fs.openSync(sidecar().fsPath, 'w');
    const chunk = Buffer.alloc(1 << 20, 0x20);
    for (let i = 0; i < 65; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '{}');
    fs.closeSync(fd);
    const t0 = Date.now();
    const doc = await openImage(image());
    assert.ok(doc.readOnly && /too large/.test(doc.readOnly.reason), doc.readOnly?.reason);
    assert.deepEqual(doc.readOnly.actions, ['overwrite']);
    assert.ok(Date.now() - t0 < 15000, `opened in ${Date.now() - t0} ms`);
    const diags = vscode.languages.getDiagnostics(sidecar()).filter((x) => x.source === 'EdgeFlow');
    assert.equal(diags[0]?.code, 'too-large');
  });

  it('a large valid sidecar (41 MB, 40 000 objects) is parsed in a worker: the host does not stall for seconds', async function () {
    this.timeout(90000);
    const annotations = [];
    for (let i = 0; i < 40000; i++) {
      const x = (i % 200) * 3 + 0.5;
      const y = Math.floor(i / 200) * 2 + 0.25;
      const ring: number[] = [];
      for (let k = 0; k < 24; k++) ring.push(Math.round((x + 1.2 * Math.cos(k / 3.82)) * 100) / 100, Math.round((y + 0.9 * Math.sin(k / 3.82)) * 100) / 100);
      annotations.push({ id: i + 1, image_id: 1, category_id: 1, segmentation: [ring], area: 3, bbox: [x - 1.2, y - 0.9, 2.4, 1.8], iscrowd: 0 });
    }
    fs.writeFileSync(sidecar().fsPath, sidecarText(annotations));
    let last = Date.now();
    let worstGap = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 20);
    try {
      const t0 = Date.now();
      const doc = await openImage(image());
      await waitFor('all objects', () => doc.model.state.objects.length === 40000, 60000);
      console.log(`      opened ${(fs.statSync(sidecar().fsPath).size / 1048576).toFixed(1)} MB in ${Date.now() - t0} ms; longest event-loop stall ${worstGap} ms`);
      assert.equal(doc.readOnly, undefined);
      assert.ok(worstGap < 2500, `the extension host stalled for ${worstGap} ms`);
    } finally {
      clearInterval(timer);
    }
  });

  it('an invalid labels file gets a diagnostic on the labels file at the offending entry', async () => {
    const original = fs.existsSync(labelsFile().fsPath) ? fs.readFileSync(labelsFile().fsPath, 'utf8') : undefined;
    fs.mkdirSync(workspaceFile('.edgeflow').fsPath, { recursive: true });
    fs.writeFileSync(labelsFile().fsPath, '{\n  "version": 1,\n  "labels": [\n    {"id": 1, "name": "a"},\n    {"id": 1, "name": "b"}\n  ]\n}\n');
    try {
      await openImage(image());
      const diags = await waitFor('a labels diagnostic', () => {
        const d = vscode.languages.getDiagnostics(labelsFile()).filter((x) => x.source === 'EdgeFlow');
        return d.length ? d : undefined;
      });
      assert.equal(diags[0].range.start.line, 4);
      assert.match(diags[0].message, /used twice/);
      fs.writeFileSync(labelsFile().fsPath, '{"version": 1, "labels": [{"id": 1, "name": "a"}]}\n');
      await waitFor('the labels diagnostic to clear', () => vscode.languages.getDiagnostics(labelsFile()).every((x) => x.source !== 'EdgeFlow'));
    } finally {
      if (original === undefined) fs.rmSync(labelsFile().fsPath, { force: true });
      else fs.writeFileSync(labelsFile().fsPath, original);
    }
  });

  it('two editors on one image share one document: an edit in one reaches the other', async () => {
    const doc = await openImage(image(), vscode.ViewColumn.One);
    const doc2 = await openImage(image(), vscode.ViewColumn.Two);
    assert.equal(doc2, doc, 'one CustomDocument per image');
    const panels = panelsOf(image());
    assert.equal(panels.length, 2);
    const posted: { panel: number; type: string; objects?: number }[] = [];
    panels.forEach((p, i) => {
      const original = p.post.bind(p);
      p.post = (m) => {
        posted.push({ panel: i, type: m.type, objects: m.type === 'state' ? m.state.objects.length : undefined });
        original(m);
      };
    });
    // An edit made in panel 0 (its webview already shows it) is posted to panel 1 only.
    doc.applyEdit(addSquare(1, 10), panels[0]);
    assert.deepEqual(posted, [{ panel: 1, type: 'state', objects: 1 }]);
    // A reload from disk (revert) reaches both.
    posted.length = 0;
    await doc.revert();
    assert.equal(doc.model.state.objects.length, 0);
    assert.deepEqual(posted.map((p) => p.panel).sort(), [0, 1]);
    // Saving from one saves the shared document: both are clean.
    doc.applyEdit(addSquare(2, 50), panels[1]);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save', () => !doc.isDirty && fs.existsSync(sidecar().fsPath));
    assert.equal(JSON.parse(fs.readFileSync(sidecar().fsPath, 'utf8')).annotations.length, 1);
  });

  it('hot exit over an unreadable sidecar: the unsaved objects come back, editable, and the file is untouched', async () => {
    const doc = await openImage(image());
    doc.applyEdit(addSquare(1, 10));
    doc.applyEdit(addSquare(2, 60));
    const backupUri = vscode.Uri.joinPath(workspaceFile('.edgeflow'), `suite-backup-${Date.now()}.json`);
    const backup = await doc.backup(backupUri);
    try {
      const broken = '{"images": [oops';
      fs.writeFileSync(sidecar().fsPath, broken);
      const source = new vscode.CancellationTokenSource();
      const restored = await api().provider.openCustomDocument(image(), { backupId: backup.id, untitledDocumentData: undefined }, source.token);
      try {
        assert.deepEqual(restored.model.state.objects.map((o) => o.id).sort(), [1, 2], 'the unsaved objects');
        assert.equal(restored.isDirty, true);
        assert.equal(restored.readOnly, undefined, 'editable: saving will ask before replacing the file');
        assert.equal(fs.readFileSync(sidecar().fsPath, 'utf8'), broken);
      } finally {
        restored.dispose();
      }
    } finally {
      await backup.delete();
    }
  });

  it('a sidecar changed on disk reloads a clean editor', async () => {
    fs.writeFileSync(sidecar().fsPath, sidecarText([square(1, 10)]));
    const doc = await openImage(image());
    assert.equal(doc.model.state.objects.length, 1);
    fs.writeFileSync(sidecar().fsPath, sidecarText([square(1, 10), square(2, 40), square(3, 70)]));
    await waitFor('the reload', () => doc.model.state.objects.length === 3);
    assert.equal(doc.isDirty, false);
  });

  it('a sidecar changed on disk while the editor is dirty clobbers neither side', async () => {
    fs.writeFileSync(sidecar().fsPath, sidecarText([square(1, 10)]));
    const doc = await openImage(image());
    doc.applyEdit(addSquare(7, 200));
    assert.equal(doc.isDirty, true);
    const theirs = sidecarText([square(1, 10), square(2, 40)]);
    fs.writeFileSync(sidecar().fsPath, theirs);
    // The watcher fires and the user is asked (a notification); meanwhile nothing is replaced.
    await sleep(2500);
    assert.equal(doc.isDirty, true, 'still dirty');
    assert.deepEqual(doc.model.state.objects.map((o) => o.id).sort(), [1, 7], 'my edits kept');
    assert.equal(fs.readFileSync(sidecar().fsPath, 'utf8'), theirs, 'their file kept');
  });
});
