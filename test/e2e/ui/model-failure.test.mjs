// Model failures end to end, in a real VS Code (code-server) with the packaged VSIX:
// `edgeflow.model` (workspace settings) points at a corrupt ONNX file -> a click with the click
// tool shows a clear message in the editor (the click panel's status and a notice), not only a
// log line; the polygon tool keeps working and saves; the setting is changed on disk to a model
// with the wrong inputs -> the next click names the mismatch; to a model whose run asks for an
// absurd buffer -> "ran out of memory"; then to a model that follows the contract -> the next
// click segments, without reloading the window.
// Models: test/fixtures/models/ (make.py) and the tiny contract graph of the unit tests.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { makeWorkspace } from '../lib/fixtures.mjs';
import { startSession } from '../lib/session.mjs';
import { clickImage, debug, editorFrame, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const IMAGE = 'images/cells.png';
const SIZE = { width: 640, height: 480 };
const TRIANGLE = [[100, 100], [220, 110], [150, 220]];

describe('model failures (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  let frame;
  const setModel = (model) => {
    writeFileSync(join(workspace, '.vscode/settings.json'), `${JSON.stringify({ 'edgeflow.model': model }, null, 2)}\n`);
  };
  const panel = () => frame.locator('[data-testid="segment-panel"]');
  const state = () => panel().getAttribute('data-state');
  const statusBarItem = () => page.locator('.statusbar-item', { has: page.locator('.codicon-sparkle, .codicon-error') }).filter({ hasText: /Click segmentation failed|CPU/ });
  /** The error block under the panel's header: visible, wrapping inside the panel, not clipped. */
  const assertErrorBlock = async (pattern) => {
    const block = frame.locator('[data-testid="segment-error"]');
    await block.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await block.textContent(), pattern);
    const geo = await frame.evaluate(() => {
      const b = document.querySelector('[data-testid="segment-error"]').getBoundingClientRect();
      const p = document.querySelector('[data-testid="segment-panel"]').getBoundingClientRect();
      const m = document.querySelector('.segment-error-message');
      const h = document.querySelector('[data-testid="segment-panel"] h3');
      return { b: [b.left, b.right], p: [p.left, p.right], clipped: m.scrollWidth > m.clientWidth + 1 || m.scrollHeight > m.clientHeight + 1, lines: Math.round(m.clientHeight / parseFloat(getComputedStyle(m).lineHeight)), header: h.getBoundingClientRect().height };
    });
    assert.ok(geo.b[0] >= geo.p[0] && geo.b[1] <= geo.p[1] + 0.5, `the error block ${geo.b} sticks out of the panel ${geo.p}`);
    assert.ok(!geo.clipped, 'the error message is clipped');
    assert.ok(geo.lines >= 2, `the long message should wrap onto several lines (${geo.lines})`);
    assert.ok(geo.header < 30, `the header grew to ${geo.header}px: the message is still in it`);
    const stats = await frame.locator('[data-testid="segment-stats"]').textContent();
    assert.doesNotMatch(stats, /waiting for the model/);
    assert.match(stats, /the model failed/);
  };
  const status = async () => (await frame.locator('[data-testid="segment-status"]').getAttribute('title')) || (await frame.locator('[data-testid="segment-status"]').textContent());

  before(async function () {
    this.timeout(150000);
    workspace = await makeWorkspace('edgeflow-modelfail-');
    mkdirSync(join(workspace, 'models'));
    mkdirSync(join(workspace, '.vscode'));
    copyFileSync(join(ROOT, 'test/fixtures/models/not-onnx.onnx'), join(workspace, 'models/corrupt.onnx'));
    copyFileSync(join(ROOT, 'test/fixtures/models/wrong-inputs.onnx'), join(workspace, 'models/wrong.onnx'));
    copyFileSync(join(ROOT, 'test/fixtures/models/run-fails.onnx'), join(workspace, 'models/oom.onnx'));
    copyFileSync(join(ROOT, 'test/fixtures/in/inference/tiny-contract.onnx'), join(workspace, 'models/tiny.onnx'));
    setModel('models/corrupt.onnx');
    session = await startSession(workspace, { settings: { 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator' } } });
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'model-failure');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('a corrupt model file: the click shows "not a valid ONNX model" in the editor', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 320, 240);
    await waitFor('the error state', async () => (await state()) === 'error', { timeout: 30000 });
    const text = await status();
    assert.match(text, /corrupt\.onnx is not a valid ONNX model/);
    assert.match(text, /edgeflow\.model/);
    const notice = await frame.locator('[data-testid="notice"]').textContent();
    assert.match(notice, /not a valid ONNX model/);
    await assertErrorBlock(/corrupt\.onnx is not a valid ONNX model.*Retry/s);
    assert.equal(await frame.locator('[data-testid="segment-open-setting"]').getAttribute('title'), 'edgeflow.model');
    await screenshot(page, 'model-failure-01-corrupt');
  });

  it('the webview enforces its CSP: no inline script, no remote image or stylesheet', async () => {
    const result = await frame.evaluate(() => new Promise((resolve) => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__edgeflowCspProbe = 1';
      document.head.appendChild(s);
      const img = new Image();
      img.src = 'https://example.invalid/x.png';
      const style = document.createElement('link');
      style.rel = 'stylesheet';
      style.href = 'https://example.invalid/x.css';
      document.head.appendChild(style);
      setTimeout(() => resolve({ violations, ran: window.__edgeflowCspProbe === 1, meta: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content }), 1500);
    }));
    assert.equal(result.ran, false, 'an inline script without the nonce ran');
    assert.ok(result.violations.some((d) => d.startsWith('script-src')), JSON.stringify(result.violations));
    assert.ok(result.violations.some((d) => d.startsWith('img-src')), JSON.stringify(result.violations));
    assert.ok(result.violations.some((d) => d.startsWith('style-src')), JSON.stringify(result.violations));
    // webview.cspSource is "'self' https://*.vscode-cdn.net" in code-server.
    assert.match(result.meta, /^default-src 'none'; img-src [^;]+; style-src [^;]+ 'nonce-\w+'; font-src [^;]+; script-src 'nonce-\w+'; base-uri 'none'; form-action 'none'$/);
    assert.ok(!/unsafe|\bdata:|\bblob:|\*;|\* /.test(result.meta.replace(/https:\/\/\*\.vscode-cdn\.net/g, 'CDN')), result.meta);
  });

  it('the polygon tool keeps working and the object saves', async () => {
    await page.keyboard.press('Escape');
    await frame.click('[data-testid="tool-polygon"]');
    for (const [x, y] of TRIANGLE) await clickImage(page, frame, x, y);
    await clickImage(page, frame, TRIANGLE[0][0], TRIANGLE[0][1]);
    await waitFor('the polygon', async () => (await debug(frame, 'objects')).length === 1);
    await page.keyboard.press('Control+S');
    const sidecar = join(workspace, `${IMAGE}.coco.json`);
    await waitFor('the sidecar', () => existsSync(sidecar));
    assert.equal(JSON.parse(readFileSync(sidecar, 'utf8')).annotations.length, 1);
  });

  it('after the setting changes to a model with the wrong inputs, the next click names the mismatch', async () => {
    setModel('models/wrong.onnx');
    await frame.click('[data-testid="tool-segment"]');
    // The settings file is picked up by a watcher: click until the new model's message shows.
    const text = await waitFor('the contract message', async () => {
      await clickImage(page, frame, 400, 300);
      await waitFor('a settled state', async () => ['error', 'ready'].includes(await state()), { timeout: 20000 });
      const t = await status();
      return /does not match the EdgeFlow contract/.test(t) ? t : null;
    }, { timeout: 40000, interval: 1000 });
    assert.match(text, /no input named "image"/);
    assert.match(text, /input "input" that the contract does not feed/);
    await screenshot(page, 'model-failure-02-contract');
  });

  it('a model that runs out of memory: the message says so and what to do', async () => {
    setModel('models/oom.onnx');
    const text = await waitFor('the out-of-memory message', async () => {
      await clickImage(page, frame, 300, 200);
      await waitFor('a settled state', async () => ['error', 'ready'].includes(await state()), { timeout: 20000 });
      const t = await status();
      return /ran out of memory/.test(t) ? t : null;
    }, { timeout: 40000, interval: 1000 });
    assert.match(text, /models\/oom\.onnx/);
    assert.match(text, /edgeflow\.inference\.targetSize/);
    await screenshot(page, 'model-failure-03-oom');
  });

  it('after the setting changes to a good model, the next click segments without a reload', async () => {
    setModel('models/tiny.onnx');
    const area = await waitFor('a mask from the good model', async () => {
      await page.keyboard.press('Escape');
      await clickImage(page, frame, 320, 240);
      const a = await waitFor('a settled state', async () => {
        const s = await state();
        if (s === 'error') return -1;
        const n = Number(await panel().getAttribute('data-area'));
        return s === 'ready' && n > 0 ? n : null;
      }, { timeout: 20000 });
      return a > 0 ? a : null;
    }, { timeout: 45000, interval: 1000 });
    assert.ok(area > 60 * 60 && area < 72 * 72, `mask area ${area}`);
    await screenshot(page, 'model-failure-04-recovered');
  });

  /** After a settings change (the watcher may lag): cancels and clicks again until the click fails. */
  const clickUntilError = (what) =>
    waitFor(what, async () => {
      await page.keyboard.press('Escape');
      // Escape also reaches VS Code's keybinding, whose "cancel" comes back through the host: let
      // it arrive before the click, or it cancels the new object.
      await page.waitForTimeout(300);
      await clickImage(page, frame, 320, 240);
      await waitFor('a settled state', async () => ['error', 'ready'].includes(await state()), { timeout: 20000 });
      return (await state()) === 'error';
    }, { timeout: 40000, interval: 1000 });

  it('a model that fails after a good one: the status bar shows the failure, not the last time', async () => {
    const item = statusBarItem();
    await waitFor('the time in the status bar', async () => /CPU · \d+ ms/.test((await item.first().textContent().catch(() => '')) ?? ''), { timeout: 10000 });
    setModel('models/corrupt.onnx');
    await clickUntilError('the error after the settings change');
    await assertErrorBlock(/not a valid ONNX model/);
    const text = await waitFor('the status bar error', async () => {
      const t = await item.first().textContent().catch(() => '');
      return /Click segmentation failed/.test(t) ? t : null;
    }, { timeout: 10000 });
    assert.doesNotMatch(text, /\d+ ms/);
    await screenshot(page, 'model-failure-05-after-good');
  });

  it('Retry after fixing the setting runs the kept clicks again', async () => {
    setModel('models/tiny.onnx');
    const clicks = Number(await panel().getAttribute('data-clicks'));
    assert.ok(clicks >= 1, 'the failed object keeps its clicks');
    // The settings watcher may lag: retry until the good model answers.
    const area = await waitFor('a mask after Retry', async () => {
      if ((await state()) === 'error') await frame.click('[data-testid="segment-retry"]');
      await waitFor('a settled state', async () => ['error', 'ready'].includes(await state()), { timeout: 20000 });
      const n = Number(await panel().getAttribute('data-area'));
      return (await state()) === 'ready' && n > 0 ? n : null;
    }, { timeout: 40000, interval: 1000 });
    assert.ok(area > 0);
    assert.equal(Number(await panel().getAttribute('data-clicks')), clicks);
    assert.equal(await frame.locator('[data-testid="segment-error"]').count(), 0);
    const t = await waitFor('the time back in the status bar', async () => {
      const x = await statusBarItem().first().textContent().catch(() => '');
      return /CPU · \d+ ms/.test(x) ? x : null;
    }, { timeout: 10000 });
    assert.doesNotMatch(t, /failed/);
    await screenshot(page, 'model-failure-06-retried');
  });

  it('"Open Setting" in the error block opens the Settings editor at the setting', async () => {
    setModel('models/corrupt.onnx');
    await clickUntilError('the error');
    await frame.click('[data-testid="segment-open-setting"]');
    const search = page.locator('.settings-editor .suggest-input-container .monaco-editor .view-lines');
    const text = await waitFor('the Settings editor with the search', async () => {
      const t = await search.first().textContent().catch(() => '');
      return t && t.includes('edgeflow.model') ? t : null;
    }, { timeout: 15000 });
    assert.match(text, /edgeflow\.model/);
    // The setting itself is listed, in the Workspace tab: the workspace sets the value in effect.
    await page.locator('.settings-editor .setting-item-contents', { hasText: 'Model' }).first().waitFor({ state: 'visible', timeout: 15000 });
    const tab = await page.locator('.settings-editor .settings-tabs-widget .action-item.checked, .settings-editor .settings-tabs-widget .checked').first().textContent();
    assert.match(tab, /Workspace/);
    await screenshot(page, 'model-failure-07-open-setting');
  });
});
