// UI end to end for dataset export, in a real VS Code (code-server) with the packaged VSIX:
// "EdgeFlow: Export Dataset…" from the command palette on the export fixture workspace, answered
// like a person would (COCO + VOC ticked, all images, an 80/20 split, copy images, the output
// folder typed into VS Code's folder dialog), then the files on disk are checked. Screenshots of
// each step land in test-results/e2e/.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { startSession } from '../lib/session.mjs';
import { screenshot, waitFor } from '../lib/workbench.mjs';

const QUICK = '.quick-input-widget';
const INPUT = `${QUICK} input.input`;
const row = (page, text) => page.locator(`${QUICK} .quick-input-list .monaco-list-row`, { hasText: text }).first();

/** Waits until the quick input shows `title` (a step of our wizard). */
async function step(page, title) {
  await page.locator(`${QUICK} .quick-input-title`, { hasText: title }).waitFor({ state: 'visible', timeout: 15000 });
}

describe('dataset export from the palette (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  const out = () => join(workspace, 'dataset');

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-export-ui-'));
    cpSync(join(ROOT, 'test/fixtures/in/export/workspace'), workspace, { recursive: true });
    // No dataset/ folder: the first export of a workspace creates it (issue 30).
    session = await startSession(workspace);
    page = session.page;
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('walks through the export questions and picks COCO + VOC', async () => {
    await page.keyboard.press('F1');
    await page.locator(INPUT).waitFor({ state: 'visible', timeout: 5000 });
    await page.locator(INPUT).fill('>EdgeFlow: Export Dataset');
    await row(page, 'Export Dataset').waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.press('Enter');

    await step(page, 'formats');
    // COCO comes ticked (the default); tick PASCAL VOC as well, then accept.
    await row(page, 'PASCAL VOC').click();
    await waitFor('VOC ticked', async () => (await row(page, 'PASCAL VOC').getAttribute('aria-checked')) === 'true');
    assert.equal(await row(page, 'COCO').getAttribute('aria-checked'), 'true');
    await screenshot(page, 'export-01-formats');
    await page.keyboard.press('Enter');

    await step(page, 'images');
    await row(page, 'All annotated images').click();

    await step(page, 'split');
    await row(page, 'train 80 % · val 20 %').click();
    // The seed question: keep 0.
    await page.locator(`${QUICK} .quick-input-title`, { hasText: 'Split seed' }).waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.press('Enter');

    await step(page, 'Export Dataset (4/5)');
    await row(page, 'Copy images').click();

    // A typed folder, prefilled with dataset (relative to the workspace): the workspace folder
    // itself is refused while typing, and Enter on the default creates dataset/.
    await step(page, 'output folder');
    assert.equal(await page.locator(INPUT).inputValue(), 'dataset');
    await page.locator(INPUT).fill('.');
    await page.locator(`${QUICK} .quick-input-message`, { hasText: 'must not be the workspace folder itself' }).waitFor({ state: 'visible', timeout: 10000 });
    await screenshot(page, 'export-02-folder-refused');
    await page.locator(INPUT).fill('dataset');
    await screenshot(page, 'export-02-folder');
    await page.keyboard.press('Enter');
    await page.locator(QUICK).waitFor({ state: 'hidden', timeout: 10000 });
  });

  it('writes the COCO and VOC files with the split', async () => {
    const train = join(out(), 'coco/annotations/instances_train.json');
    const val = join(out(), 'coco/annotations/instances_val.json');
    try {
      await waitFor('the COCO files', () => existsSync(train) && existsSync(val), { timeout: 30000 });
    } catch (error) {
      // Show what VS Code said (an error notification) in the screenshot.
      await page.keyboard.press('F1');
      await page.locator(INPUT).fill('>Notifications: Show Notifications');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(1000);
      await screenshot(page, 'export-03-failed');
      const messages = await page.locator('.notifications-center .notification-list-item-message').allInnerTexts();
      throw new Error(`${error.message}; notifications: ${messages.join(' | ') || 'none'}`);
    }
    const notification = page.locator('.notifications-toasts .notification-toast', { hasText: 'Exported 4 images' });
    await notification.waitFor({ state: 'visible', timeout: 15000 });
    // The progress toast goes; the summary's buttons show.
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Exporting dataset' }).waitFor({ state: 'hidden', timeout: 15000 });
    await notification.locator('.monaco-button').first().waitFor({ state: 'visible', timeout: 5000 });
    await page.waitForTimeout(400); // the toast's expand animation
    await screenshot(page, 'export-04-summary');
    // Every button of the summary is whole inside the toast (issue 30: they were cut off).
    const fit = await notification.evaluate((toast) => {
      const box = toast.getBoundingClientRect();
      return [...toast.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => {
        const r = b.getBoundingClientRect();
        return { text: b.textContent, inside: r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5, whole: b.scrollWidth <= b.clientWidth + 1 };
      });
    });
    assert.ok(fit.length >= 2, JSON.stringify(fit));
    for (const b of fit) assert.ok(b.inside && b.whole, `the button "${b.text}" is cut: ${JSON.stringify(fit)}`);

    const t = JSON.parse(readFileSync(train, 'utf8'));
    const v = JSON.parse(readFileSync(val, 'utf8'));
    assert.equal(t.images.length + v.images.length, 4);
    assert.deepEqual(t.categories.map((c) => c.name), ['car', 'person', 'tree', 'bike', 'class_9']);
    const anns = [...t.annotations, ...v.annotations];
    assert.equal(anns.length, 8);
    assert.ok(anns.some((a) => typeof a.segmentation.counts === 'string'), 'the object with a hole is RLE');
    for (const im of [...t.images, ...v.images]) assert.ok(existsSync(join(out(), 'coco/images', im.file_name)), im.file_name);

    const sets = join(out(), 'voc/ImageSets/Segmentation');
    const ids = ['train', 'val'].flatMap((s) => readFileSync(join(sets, `${s}.txt`), 'utf8').split('\n').filter(Boolean));
    assert.equal(ids.length, 4);
    for (const dir of ['JPEGImages', 'SegmentationClass', 'SegmentationObject', 'Annotations']) {
      assert.equal(readdirSync(join(out(), 'voc', dir)).length, 4, dir);
    }
    // A palette PNG (colour type 3) in the VOC palette: index 1 is (128, 0, 0).
    const png = readFileSync(join(out(), 'voc/SegmentationClass/photos__street_png.png'));
    assert.equal(png[25], 3);
    const plte = png.indexOf(Buffer.from('PLTE', 'latin1'));
    assert.deepEqual([...png.subarray(plte + 4 + 3, plte + 4 + 6)], [128, 0, 0]);
    assert.match(readFileSync(join(out(), 'edgeflow-export.json'), 'utf8'), /"formats": \[\s*"coco",\s*"voc"\s*\]/);
  });
});
