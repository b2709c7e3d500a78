// Extension-host suite: Workspace Trust decisions against VS Code's real configuration API. The
// test workbench runs with workspace trust disabled (always trusted), so the untrusted case is
// asked of the extension's settings readers with the trust state injected (EdgeflowApi.settings);
// the workspace values come from a real workspace settings file written through the API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'edgeflow.edgeflow-annotator';

interface Panel {
  document: { uri: vscode.Uri };
  panel: vscode.WebviewPanel;
}

interface Api {
  provider: { openPanels: ReadonlySet<Panel> };
  settings: {
    inference(scope: vscode.Uri, trusted: boolean): { model: string; ignoredModel?: string };
    editor(scope: vscode.Uri, trusted: boolean): { labelsFile: string; ignoredLabelsFile?: string };
  };
}

describe('workspace trust (extension host)', () => {
  let api: Api;
  let image: vscode.Uri;

  before(async function () {
    this.timeout(30000);
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the suite needs an open workspace folder');
    image = vscode.Uri.joinPath(folder.uri, 'images', 'any.png');
  });

  afterEach(async () => {
    const c = vscode.workspace.getConfiguration('edgeflow');
    await c.update('model', undefined, vscode.ConfigurationTarget.Workspace);
    await c.update('model', undefined, vscode.ConfigurationTarget.Global);
    await c.update('labelsFile', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('declares limited support for untrusted workspaces, edgeflow.model restricted', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported: unknown; restrictedConfigurations?: string[] } } };
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.ok(pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations?.includes('edgeflow.model'));
  });

  it('a workspace edgeflow.model is used when trusted, ignored (and reported) when not', async () => {
    await vscode.workspace.getConfiguration('edgeflow').update('model', 'models/from-the-repo.onnx', vscode.ConfigurationTarget.Workspace);
    assert.equal(vscode.workspace.isTrusted, true);
    const trusted = api.settings.inference(image, true);
    assert.equal(trusted.model, 'models/from-the-repo.onnx');
    assert.equal(trusted.ignoredModel, undefined);
    const untrusted = api.settings.inference(image, false);
    assert.equal(untrusted.model, 'edgeflow-mobilenetv2');
    assert.equal(untrusted.ignoredModel, 'models/from-the-repo.onnx');
  });

  it("untrusted: the user's own relative model path (it resolves into the workspace) is not loaded either", async () => {
    const c = vscode.workspace.getConfiguration('edgeflow');
    await c.update('model', 'models/per-repo.onnx', vscode.ConfigurationTarget.Global);
    assert.equal(api.settings.inference(image, true).model, 'models/per-repo.onnx');
    const u = api.settings.inference(image, false);
    assert.equal(u.model, 'edgeflow-mobilenetv2');
    assert.equal(u.ignoredModel, 'models/per-repo.onnx');
    await c.update('model', '/opt/edgeflow/mine.onnx', vscode.ConfigurationTarget.Global);
    assert.equal(api.settings.inference(image, false).model, '/opt/edgeflow/mine.onnx');
  });

  it('a workspace labels file leaving the workspace is ignored when untrusted; one inside it is kept', async () => {
    const c = vscode.workspace.getConfiguration('edgeflow');
    await c.update('labelsFile', '../../home/labels.json', vscode.ConfigurationTarget.Workspace);
    assert.equal(api.settings.editor(image, true).labelsFile, '../../home/labels.json');
    const u = api.settings.editor(image, false);
    assert.equal(u.labelsFile, '.edgeflow/labels.json');
    assert.equal(u.ignoredLabelsFile, '../../home/labels.json');
    await c.update('labelsFile', 'data/classes.json', vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(api.settings.editor(image, false).labelsFile, 'data/classes.json');
    } finally {
      // Later suites share this workspace: leave the default labels file in force.
      await c.update('labelsFile', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('an image outside the workspace: the webview may read only the bundle, its folder and the cache; strict CSP', async function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeflow-outside-'));
    const folder = vscode.workspace.workspaceFolders![0].uri;
    try {
      fs.copyFileSync(vscode.Uri.joinPath(folder, 'images', 'cells.png').fsPath, path.join(dir, 'outside.png'));
      const uri = vscode.Uri.file(path.join(dir, 'outside.png'));
      await vscode.commands.executeCommand('vscode.openWith', uri, 'edgeflow.annotator');
      const deadline = Date.now() + 10000;
      let panel: Panel | undefined;
      while (!(panel = [...api.provider.openPanels].find((p) => p.document.uri.toString() === uri.toString())) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(panel, 'the annotator opened the image');
      const opts = panel.panel.webview.options;
      assert.equal(opts.enableScripts, true);
      assert.equal(opts.enableCommandUris, false);
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
      const roots = (opts.localResourceRoots ?? []).map((u) => u.path.replace(/\/+$/, ''));
      assert.equal(roots.length, 3, roots.join(', '));
      assert.equal(roots[0], vscode.Uri.joinPath(ext, 'dist', 'webview').path);
      assert.equal(roots[1], vscode.Uri.file(dir).path);
      assert.ok(!roots.includes(folder.path) && !roots.includes(ext.path.replace(/\/+$/, '')), 'never the workspace or the whole extension');
      const attr = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(panel.panel.webview.html)?.[1] ?? '';
      const csp = attr.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
      assert.match(csp, /^default-src 'none'; /);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9]{16,}'/);
      assert.ok(!/unsafe|https?:\/\/(?!\S*vscode-cdn\.net)|\bdata:|\bblob:/.test(csp.replace(panel.panel.webview.cspSource, 'SELF')), csp);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
