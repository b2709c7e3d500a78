import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uri, installFakeVscode, recorded, resetFakeVscode } from './helpers/fakeVscode';
import { repoRoot } from './helpers/golden';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string; key: string; when?: string }[];
    customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[];
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const EDITOR = "activeCustomEditorId == 'edgeflow.annotator'";

describe('package.json manifest', () => {
  it('every %placeholder% has an English string in package.nls.json', () => {
    const text = readFileSync(join(root, 'package.json'), 'utf8');
    const keys = [...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 20);
    assert.deepEqual(keys.filter((k) => !(k in nls)), []);
  });

  it('commands: edgeflow. namespace, category EdgeFlow, unique', () => {
    const ids = pkg.contributes.commands.map((c) => c.command);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of pkg.contributes.commands) {
      assert.match(c.command, /^edgeflow\.[A-Za-z0-9]+$/);
      assert.equal(c.category, '%category%', c.command);
      assert.equal(nls.category, 'EdgeFlow');
    }
  });

  it('activation registers exactly the declared commands and the declared custom editor (vscode faked)', async function () {
    // Loading the host code takes a few seconds on a busy machine (sharp, the model contract...).
    this.timeout(30000);
    installFakeVscode();
    resetFakeVscode();
    const { activate, deactivate } = await import('../../src/extension/extension');
    const subscriptions: { dispose(): unknown }[] = [];
    const context = {
      subscriptions,
      extension: { packageJSON: pkg },
      extensionUri: Uri.file(root),
      globalStorageUri: Uri.file(join(tmpdir(), 'edgeflow-unit-cache')),
    };
    activate(context as unknown as Parameters<typeof activate>[0]);
    try {
      const registered = [...recorded.commands.keys()].filter((id) => id.startsWith('edgeflow.')).sort();
      const declared = pkg.contributes.commands.map((c) => c.command).sort();
      // Both ways: a declared command nobody registers fails in the palette, an undeclared one has no title.
      assert.deepEqual(registered, declared);
      assert.deepEqual([...recorded.customEditors.keys()], pkg.contributes.customEditors.map((e) => e.viewType));
    } finally {
      for (const d of subscriptions) d.dispose();
      deactivate();
    }
  });

  it('editor commands show in the palette only while the annotator is active', () => {
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when ?? '']));
    for (const id of ['edgeflow.nextImage', 'edgeflow.fit', 'edgeflow.toolPolygon', 'edgeflow.deleteSelection', 'edgeflow.selectClass']) {
      assert.ok((palette.get(id) ?? '').includes(EDITOR), id);
    }
  });

  it('single-key shortcuts are scoped to the focused annotator, outside text inputs', () => {
    const declared = new Set(pkg.contributes.commands.map((c) => c.command));
    const mine = pkg.contributes.keybindings.filter((k) => k.command.startsWith('edgeflow.'));
    assert.ok(mine.length >= 20);
    for (const k of mine) {
      assert.ok(declared.has(k.command), k.command);
      if (!/^(ctrl|cmd|alt|shift|meta)\+/.test(k.key) || k.key === 'shift+=') {
        assert.ok(k.when?.includes(EDITOR) && k.when.includes('edgeflow.webviewFocus') && k.when.includes('!edgeflow.textInputFocus'), `${k.key}: ${k.when}`);
      }
    }
  });

  it('the palette shows no key for "Select Class…"; keys 1-9 run a hidden command with their index', () => {
    // The palette shows a command's last keybinding: with the class keys on "Select Class…" it read "9".
    const keys = pkg.contributes.keybindings as { command: string; key: string; args?: { index?: number } }[];
    assert.deepEqual(keys.filter((k) => k.command === 'edgeflow.selectClass'), []);
    const byNumber = keys.filter((k) => k.command === 'edgeflow.selectClassByNumber');
    assert.deepEqual(byNumber.map((k) => [k.key, k.args?.index]), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [String(i), i]));
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when ?? '']));
    assert.equal(palette.get('edgeflow.selectClassByNumber'), 'false');
  });

  it('the custom editor is an option for every supported image type', () => {
    const [ed] = pkg.contributes.customEditors;
    assert.equal(ed.viewType, 'edgeflow.annotator');
    assert.equal(ed.priority, 'option');
    assert.deepEqual(
      ed.selector.map((s) => s.filenamePattern).sort(),
      ['*.bmp', '*.gif', '*.jpeg', '*.jpg', '*.png', '*.tif', '*.tiff', '*.webp'],
    );
  });

  it('settings are in the edgeflow namespace and described', () => {
    for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) {
      assert.match(key, /^edgeflow\./);
      assert.ok(p.description || p.markdownDescription, key);
    }
  });
});
