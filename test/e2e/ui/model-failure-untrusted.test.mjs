// Workspace Trust end to end, in a real VS Code (code-server with Workspace Trust left on) with the
// packaged VSIX: a folder opened in Restricted Mode whose .vscode/settings.json points
// `edgeflow.model` at a file of the repository. The annotator opens and a click segments with
// the shipped model (the workspace's file is never loaded: here it is not even an ONNX file),
// and a notification says which setting was ignored, with "Manage Workspace Trust".
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_SETTINGS, ROOT, launchBrowser, startCodeServer } from '../lib/codeServer.mjs';
import { makeWorkspace } from '../lib/fixtures.mjs';
import { vsixPath } from '../lib/session.mjs';
import { clickImage, editorFrame, openWorkbench, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const IMAGE = 'images/cells.png';
const SIZE = { width: 640, height: 480 };

describe('workspace trust: Restricted Mode (VSIX in code-server)', function () {
  this.timeout(120000);
  let workspace;
  let server;
  let browser;
  let page;
  let frame;

  before(async function () {
    this.timeout(150000);
    workspace = await makeWorkspace('edgeflow-untrusted-');
    mkdirSync(join(workspace, 'models'));
    mkdirSync(join(workspace, '.vscode'));
    copyFileSync(join(ROOT, 'test/fixtures/models/not-onnx.onnx'), join(workspace, 'models/repo-model.onnx'));
    writeFileSync(join(workspace, '.vscode/settings.json'), `${JSON.stringify({ 'edgeflow.model': 'models/repo-model.onnx' }, null, 2)}\n`);
    server = await startCodeServer({
      workspace,
      vsix: vsixPath(),
      workspaceTrust: true,
      settings: {
        ...BASE_SETTINGS,
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        'workbench.editorAssociations': { '*.png': 'edgeflow.annotator' },
      },
    });
    browser = await launchBrowser();
    page = browser.page;
    await openWorkbench(page, server.workbenchUrl(workspace));
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'untrusted');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('opens the image in Restricted Mode', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    assert.ok(frame);
  });

  it("segments with the shipped model, never the workspace's file, and says why", async () => {
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 320, 240);
    const panel = frame.locator('[data-testid="segment-panel"]');
    const area = await waitFor('a mask from the shipped model', async () => {
      const s = await panel.getAttribute('data-state');
      if (s === 'error') throw new Error(`click segmentation failed: ${await frame.locator('[data-testid="segment-status"]').getAttribute('title')}`);
      const a = Number(await panel.getAttribute('data-area'));
      return s === 'ready' && a > 0 ? a : null;
    }, { timeout: 60000 });
    assert.ok(area > 0);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Restricted Mode' });
    await toast.first().waitFor({ timeout: 15000 });
    const text = await toast.first().textContent();
    assert.match(text, /"edgeflow\.model": "models\/repo-model\.onnx"/);
    assert.match(text, /shipped model \(edgeflow-mobilenetv2\)/);
    assert.match(text, /Manage Workspace Trust/);
    await screenshot(page, 'untrusted-01-shipped-model');
  });
});
