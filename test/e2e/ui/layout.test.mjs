// The editor's layout details of issue 30, in a real VS Code (code-server) with the packaged VSIX:
// brightness/contrast sliders show their value; a long class name does not move the toolbar; the
// classes list shows its rows (five with the click panel open) and scrolls to the rest; the click
// panel's header never wraps, whatever the time; the mask options ("Fill holes" off) carry over
// to the next image; the palette's "Select Class…" shows no key, and the class keys still work.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { makeWorkspace } from '../lib/fixtures.mjs';
import { startSession } from '../lib/session.mjs';
import { clickImage, debug, editorFrame, quickOpen, runCommand, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const LONG = 'a very long class name that would push the whole toolbar to the right';
const NAMES = ['cell', 'nucleus', 'membrane', 'vesicle', LONG, 'debris'];
const LABELS = { version: 1, labels: NAMES.map((name, i) => ({ id: i + 1, name, color: ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4'][i] })) };

describe('editor layout (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  let frame;
  const box = (sel) => frame.locator(sel).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
  });

  before(async function () {
    this.timeout(150000);
    workspace = await makeWorkspace('edgeflow-layout-');
    mkdirSync(join(workspace, '.edgeflow'), { recursive: true });
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
    mkdirSync(join(workspace, 'models'));
    copyFileSync(join(ROOT, 'test/fixtures/in/inference/tiny-contract.onnx'), join(workspace, 'models/tiny.onnx'));
    session = await startSession(workspace, {
      settings: { 'edgeflow.model': 'models/tiny.onnx', 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator', '*.jpg': 'edgeflow.annotator' } },
    });
    page = session.page;
    await quickOpen(page, 'images/cells.png');
    frame = await editorFrame(page, { width: 640, height: 480 });
    await frame.click('[data-testid="tool-segment"]');
    await frame.locator('[data-testid="segment-panel"]').waitFor({ state: 'visible' });
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'layout');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('the brightness and contrast sliders show their value', async () => {
    assert.equal((await frame.locator('[data-testid="brightness-value"]').textContent()).trim(), '100 %');
    await frame.locator('[data-testid="brightness"]').fill('150');
    await frame.locator('[data-testid="contrast"]').fill('80');
    await waitFor('the values', async () => (await frame.locator('[data-testid="brightness-value"]').textContent()).trim() === '150 %');
    assert.equal((await frame.locator('[data-testid="contrast-value"]').textContent()).trim(), '80 %');
    await frame.click('[data-testid="adjust-reset"]');
    await waitFor('the reset', async () => (await frame.locator('[data-testid="brightness-value"]').textContent()).trim() === '100 %');
  });

  it('a long class name does not move the toolbar', async () => {
    await frame.locator('[data-testid="class-select"]').selectOption('1');
    const before = { select: await box('[data-testid="class-select"]'), fit: await box('[data-testid="zoom-fit"]'), reset: await box('[data-testid="adjust-reset"]') };
    await frame.locator('[data-testid="class-select"]').selectOption('5');
    await waitFor('class 5', async () => (await debug(frame, 'activeClassId')) === 5);
    const after = { select: await box('[data-testid="class-select"]'), fit: await box('[data-testid="zoom-fit"]'), reset: await box('[data-testid="adjust-reset"]') };
    assert.deepEqual(after, before);
    const title = await frame.locator('[data-testid="class-select"]').evaluate((el) => el.closest('label').title);
    assert.match(title, new RegExp(LONG));
    const toolbar = await box('[data-testid="toolbar"]');
    assert.ok(toolbar.height < 40, `the toolbar wrapped onto ${toolbar.height}px`);
  });

  it('the classes list shows five rows beside the click panel and scrolls to the sixth', async () => {
    const list = await box('[data-testid="classes-list"]');
    for (let id = 1; id <= 5; id++) {
      const row = await box(`[data-testid="class-row-${id}"]`);
      assert.ok(row.top >= list.top - 0.5 && row.bottom <= list.bottom + 0.5, `class ${id} is cut off: row ${JSON.stringify(row)}, list ${JSON.stringify(list)}`);
    }
    await frame.locator('[data-testid="class-row-6"]').scrollIntoViewIfNeeded();
    const list2 = await box('[data-testid="classes-list"]');
    const row6 = await box('[data-testid="class-row-6"]');
    assert.ok(row6.top >= list2.top - 0.5 && row6.bottom <= list2.bottom + 0.5, 'the sixth class cannot be scrolled to');
    const side = await box('[data-testid="side-panel"]');
    const add = await box('[data-testid="class-add-name"]');
    assert.ok(add.bottom <= side.bottom + 0.5, 'the new class field is cut off');
    await screenshot(page, 'layout-01-toolbar-classes');
  });

  it("the click panel's header stays on one line, whatever the time", async () => {
    const h = await frame.evaluate(() => {
      const text = document.querySelector('[data-testid="segment-panel"] .segment-status-text');
      const h3 = document.querySelector('[data-testid="segment-panel"] h3');
      const one = h3.getBoundingClientRect().height;
      const saved = text.textContent;
      text.textContent = 'CUDA GPU · 12345 ms';
      const long = h3.getBoundingClientRect().height;
      text.textContent = saved;
      return { one, long };
    });
    assert.ok(h.long <= h.one + 0.5, `the header grew from ${h.one}px to ${h.long}px`);
  });

  it('"Fill holes" off carries over to the next image', async () => {
    const fill = frame.locator('[data-testid="segment-fill-holes"]');
    assert.equal(await fill.isChecked(), true, 'on by default');
    await fill.uncheck();
    await page.waitForTimeout(600); // the options reach the host after a short pause
    await clickImage(page, frame, 320, 240); // a click after the change keeps working
    await waitFor('a mask', async () => Number(await frame.locator('[data-testid="segment-panel"]').getAttribute('data-area')) > 0, { timeout: 30000 });
    await page.keyboard.press('Escape');
    await quickOpen(page, 'images/photo.jpg');
    frame = await editorFrame(page, { width: 320, height: 240 });
    await frame.click('[data-testid="tool-segment"]');
    await frame.locator('[data-testid="segment-fill-holes"]').waitFor({ state: 'visible' });
    assert.equal(await frame.locator('[data-testid="segment-fill-holes"]').isChecked(), false);
    assert.equal(await frame.locator('[data-testid="segment-keep-largest"]').isChecked(), true);
    await screenshot(page, 'layout-02-next-image');
  });

  it('the palette shows no key for "Select Class…" and keeps the by-number command out', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>EdgeFlow: Select Class');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Select Class…' }).first();
    await row.waitFor({ state: 'visible', timeout: 8000 });
    await screenshot(page, 'layout-03-palette');
    assert.equal(await row.locator('.monaco-keybinding-key').count(), 0, `keys: ${await row.textContent()}`);
    assert.equal(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Select Class by Number' }).count(), 0);
    await page.keyboard.press('Escape');
  });

  it('the class keys still pick a class in the editor', async () => {
    await frame.click('[data-testid="tool-select"]');
    await clickImage(page, frame, 5, 5); // the keyboard focus in the canvas, nothing selected
    await page.waitForTimeout(300); // the webview's focus reaches the context keys
    await page.keyboard.press('2');
    await waitFor('class 2', async () => (await debug(frame, 'activeClassId')) === 2, { timeout: 5000 });
    await page.keyboard.press('4');
    await waitFor('class 4', async () => (await debug(frame, 'activeClassId')) === 4, { timeout: 5000 });
  });

  it('the mask options survive "Reload Window" (workspace state)', async () => {
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
    await quickOpen(page, 'images/cells.png');
    frame = await editorFrame(page, { width: 640, height: 480, timeout: 45000 });
    await frame.click('[data-testid="tool-segment"]');
    await frame.locator('[data-testid="segment-fill-holes"]').waitFor({ state: 'visible' });
    assert.equal(await frame.locator('[data-testid="segment-fill-holes"]').isChecked(), false);
  });
});
