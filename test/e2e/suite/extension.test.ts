// Extension-host suite: runs inside a real VS Code (code-server) with the repository loaded as the
// development extension. Checks activation, the manifest <-> registration contract, and that
// `vscode.openWith` opens our custom editor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'edgeflow.edgeflow-annotator';
const VIEW_TYPE = 'edgeflow.annotator';

interface Manifest {
  name: string;
  publisher: string;
  main?: string;
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    customEditors?: { viewType: string; selector: { filenamePattern: string }[]; priority?: string }[];
    keybindings?: { command: string; key: string; when?: string }[];
    menus?: Record<string, { command: string; when?: string }[]>;
  };
}

const EDITOR_SCOPE = "activeCustomEditorId == 'edgeflow.annotator'";

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

function manifest(): Manifest {
  return extension().packageJSON as Manifest;
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs an open workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function activeCustomTab(): vscode.TabInputCustom | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
}

describe('extension host', () => {
  before(async function () {
    this.timeout(30000);
    await extension().activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activates', () => {
    assert.equal(extension().isActive, true);
    const main = manifest().main;
    assert.ok(main, 'package.json has a "main"');
    assert.ok(fs.existsSync(path.join(extension().extensionPath, main)), `${main} exists (run npm run build)`);
  });

  it('registers every command it declares', async () => {
    const declared = (manifest().contributes?.commands ?? []).map((c) => c.command);
    assert.ok(declared.length > 0, 'package.json declares commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
  });

  it('declares every edgeflow. command it registers', async () => {
    const declared = new Set((manifest().contributes?.commands ?? []).map((c) => c.command));
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('edgeflow.'));
    const undeclared = registered.filter((c) => !declared.has(c));
    assert.deepEqual(undeclared, [], `registered but not declared: ${undeclared.join(', ')}`);
  });

  it('gives every declared command the EdgeFlow category and the edgeflow. namespace', () => {
    for (const command of manifest().contributes?.commands ?? []) {
      assert.ok(command.command.startsWith('edgeflow.'), `${command.command} is in the edgeflow. namespace`);
      assert.equal(command.category, 'EdgeFlow', `${command.command} has category EdgeFlow`);
    }
  });

  it('gives every command a localised title (no %placeholder% left)', () => {
    for (const command of manifest().contributes?.commands ?? []) {
      assert.ok(command.title && !/^%.*%$/.test(command.title), `${command.command} has a title (${command.title})`);
    }
  });

  it('binds keys only to declared commands, single keys only inside the annotator', () => {
    const declared = new Set((manifest().contributes?.commands ?? []).map((c) => c.command));
    const bindings = manifest().contributes?.keybindings ?? [];
    for (const binding of bindings.filter((b) => b.command.startsWith('edgeflow.'))) {
      assert.ok(declared.has(binding.command), `keybinding ${binding.key} -> ${binding.command} is declared`);
      if (!/[+]/.test(binding.key)) {
        assert.ok(binding.when?.includes(EDITOR_SCOPE), `single key "${binding.key}" (${binding.command}) is scoped with ${EDITOR_SCOPE}`);
      }
    }
  });

  it('shows editor commands in the palette only while the annotator is active', () => {
    const palette = new Map((manifest().contributes?.menus?.commandPalette ?? []).map((m) => [m.command, m.when ?? '']));
    const editorOnly = new Set(
      (manifest().contributes?.keybindings ?? []).filter((b) => b.when?.includes(EDITOR_SCOPE)).map((b) => b.command),
    );
    for (const command of editorOnly) {
      // `false`: never in the palette (the class keys' by-number command; "Select Class…" is there).
      const when = palette.get(command);
      assert.ok(when === 'false' || when?.includes(EDITOR_SCOPE), `${command} is hidden from the palette outside the annotator`);
    }
    for (const menu of Object.values(manifest().contributes?.menus ?? {})) {
      for (const item of menu) assert.ok(item.command.startsWith('edgeflow.'), `menu item ${item.command} is ours`);
    }
  });

  it('declares the custom editor for the supported image types with priority option', () => {
    const editor = (manifest().contributes?.customEditors ?? []).find((e) => e.viewType === VIEW_TYPE);
    assert.ok(editor, `customEditors contains ${VIEW_TYPE}`);
    assert.equal(editor.priority, 'option');
    const patterns = editor.selector.map((s) => s.filenamePattern.toLowerCase()).join(' ');
    for (const ext of ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff']) {
      assert.ok(patterns.includes(ext), `selector covers .${ext} (${patterns})`);
    }
  });

  it('opens an image in the annotator with vscode.openWith', async () => {
    const uri = workspaceFile('images/cells.png');
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    const input = await waitFor('the custom editor tab', activeCustomTab);
    assert.equal(input.viewType, VIEW_TYPE);
    assert.equal(input.uri.toString(), uri.toString());
  });

  it('opens an image with the "Open with EdgeFlow Annotator" command', async () => {
    const uri = workspaceFile('images/photo.jpg');
    await vscode.commands.executeCommand('edgeflow.openWithAnnotator', uri);
    const input = await waitFor('the custom editor tab', () => {
      const tab = activeCustomTab();
      return tab?.uri.toString() === uri.toString() ? tab : undefined;
    });
    assert.equal(input.viewType, VIEW_TYPE);
  });

  it('"Use as Default Image Editor" associates every image type in the workspace settings', async () => {
    await vscode.commands.executeCommand('edgeflow.useAsDefaultImageEditor');
    const associations = vscode.workspace.getConfiguration('workbench').inspect<Record<string, string>>('editorAssociations')?.workspaceValue ?? {};
    for (const ext of ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff']) {
      assert.equal(associations[`*.${ext}`], VIEW_TYPE, `*.${ext}`);
    }
    // With the association, a plain open (vscode.open) lands in the annotator too.
    const uri = workspaceFile('images/cells.png');
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = await waitFor('the custom editor tab from vscode.open', () => {
      const tab = activeCustomTab();
      return tab?.uri.toString() === uri.toString() ? tab : undefined;
    });
    assert.equal(input.viewType, VIEW_TYPE);
  });

  it('opens a JPEG and a TIFF in the annotator too', async () => {
    for (const name of ['images/photo.jpg', 'images/scan.tif']) {
      const uri = workspaceFile(name);
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
      const input = await waitFor(`the custom editor tab for ${name}`, () => {
        const tab = activeCustomTab();
        return tab?.uri.toString() === uri.toString() ? tab : undefined;
      });
      assert.equal(input.viewType, VIEW_TYPE);
    }
  });
});
