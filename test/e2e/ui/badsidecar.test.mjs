// Bad sidecars in a real VS Code (code-server) with the packaged VSIX: the editor opens read-only
// with what could be read and a banner saying why; the Problems panel lists the problems; Repair…
// and Overwrite… each ask in a modal dialog and keep a backup copy of the old file; afterwards
// the editor is editable and saves normally.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { startSession } from '../lib/session.mjs';
import { activeTab, clickImage, debug, editorFrame, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const SIZE = { width: 800, height: 600 };
const TREE = [[420, 110], [470, 95], [525, 125], [525, 190], [470, 215], [420, 190]];

function square(id, x, y = 300) {
  return { id, image_id: 1, category_id: 1, segmentation: [[x, y, x + 40, y, x + 40, y + 40, x, y + 40]], area: 1600, bbox: [x, y, 40, 40], iscrowd: 0 };
}

/** Three readable squares, one of them with a duplicate id, and one unreadable annotation. */
const PARTIAL = `${JSON.stringify({
  info: { description: 'hand-edited' },
  images: [{ id: 1, file_name: 'a.webp', width: SIZE.width, height: SIZE.height }],
  categories: [{ id: 1, name: 'tree' }],
  annotations: [square(1, 50), square(1, 150), { id: 2, image_id: 1, category_id: 1, segmentation: [[1, 2, 3]] }, square(3, 250)],
}, null, 2)}\n`;
const MALFORMED = '{\n  "images": [{"id": 1, "width": 800, "height": 600}],\n  "annotations": [\n    {"id": 1,, "category_id": 1}\n  ]\n}\n';

async function drawTree(page, frame) {
  await frame.click('[data-testid="tool-polygon"]');
  for (const [x, y] of TREE) await clickImage(page, frame, x, y);
  await clickImage(page, frame, TREE[0][0], TREE[0][1]);
}

/** Clicks a button of VS Code's modal dialog. */
async function answerDialog(page, button) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10000 });
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 10000 });
}

const backups = (dir, name) => readdirSync(dir).filter((f) => f.startsWith(`${name}.coco.json.bak-`));

describe('bad sidecars: read-only, Problems, Repair and Overwrite (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-badsidecar-'));
    mkdirSync(join(workspace, '.edgeflow'));
    copyFileSync(join(ROOT, 'samples', 'street-03.webp'), join(workspace, 'a.webp'));
    copyFileSync(join(ROOT, 'samples', 'street-03.webp'), join(workspace, 'b.webp'));
    writeFileSync(join(workspace, 'a.webp.coco.json'), PARTIAL);
    writeFileSync(join(workspace, 'b.webp.coco.json'), MALFORMED);
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify({ version: 1, labels: [{ id: 1, name: 'tree', color: '#3cb44b' }] }, null, 2)}\n`);
    session = await startSession(workspace, { settings: { 'workbench.editorAssociations': { '*.webp': 'edgeflow.annotator' } } });
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'badsidecar-');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('a partly readable sidecar opens read-only with what could be read, and refuses edits', async () => {
    await quickOpen(page, 'a.webp');
    const frame = await editorFrame(page, SIZE);
    const banner = frame.locator('[data-testid="readonly-banner"]');
    await banner.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await banner.innerText(), /2 problem/);
    assert.equal((await debug(frame, 'objects')).length, 3, 'the three readable squares');
    await drawTree(page, frame);
    assert.match(await frame.locator('[data-testid="notice"]').innerText({ timeout: 5000 }), /Read-only/, 'said at the first click');
    await page.waitForTimeout(500);
    assert.equal((await debug(frame, 'objects')).length, 3, 'nothing added');
    assert.equal((await activeTab(page)).dirty, false);
    assert.equal(readFileSync(join(workspace, 'a.webp.coco.json'), 'utf8'), PARTIAL, 'the file is untouched');
    await screenshot(page, 'badsidecar-01-readonly');
  });

  it('lists the problems in the Problems panel at their lines', async () => {
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await waitFor('two problems of a.webp.coco.json', async () => (await rows.allInnerTexts()).filter((t) => /duplicate annotation id|ring needs/.test(t)).length === 2);
    const text = (await rows.allInnerTexts()).join('\n');
    assert.match(text, /duplicate annotation id 1/);
    assert.match(text, /Ln \d+, Col \d+/, `with line numbers: ${text}`);
    await screenshot(page, 'badsidecar-02-problems');
    await page.keyboard.press('Control+Shift+M');
  });

  it('Repair… asks, keeps a backup, rewrites the file with what was read; then edits save', async () => {
    const frame = await editorFrame(page, SIZE);
    await frame.click('[data-testid="readonly-repair"]');
    await answerDialog(page, 'Repair');
    await frame.locator('[data-testid="readonly-banner"]').waitFor({ state: 'hidden', timeout: 10000 });
    const [bak] = backups(workspace, 'a.webp');
    assert.ok(bak, 'a backup copy');
    assert.equal(readFileSync(join(workspace, bak), 'utf8'), PARTIAL, 'the backup is the old file');
    const repaired = JSON.parse(readFileSync(join(workspace, 'a.webp.coco.json'), 'utf8'));
    assert.deepEqual(repaired.annotations.map((a) => a.id).sort(), [1, 3, 4]);
    assert.equal(repaired.info.edgeflow.format, 'edgeflow.coco-sidecar');
    await drawTree(page, frame);
    await waitFor('the new polygon', async () => (await debug(frame, 'objects')).length === 4);
    await page.keyboard.press('Control+S');
    await waitFor('the save', () => JSON.parse(readFileSync(join(workspace, 'a.webp.coco.json'), 'utf8')).annotations.length === 4);
  });

  it('malformed JSON: Overwrite… asks, moves the file aside, starts empty; cancelling changes nothing', async () => {
    await quickOpen(page, 'b.webp');
    const frame = await waitFor('the b.webp editor', async () => {
      const f = await editorFrame(page, SIZE);
      return (await debug(f, 'objects')).length === 0 && (await f.locator('[data-testid="readonly-banner"]').count()) ? f : null;
    });
    assert.equal(await frame.locator('[data-testid="readonly-repair"]').count(), 0, 'nothing to repair from');
    await frame.click('[data-testid="readonly-overwrite"]');
    await answerDialog(page, 'Cancel');
    assert.equal(readFileSync(join(workspace, 'b.webp.coco.json'), 'utf8'), MALFORMED);
    assert.equal(backups(workspace, 'b.webp').length, 0);
    await frame.click('[data-testid="readonly-overwrite"]');
    await answerDialog(page, 'Start Over');
    await frame.locator('[data-testid="readonly-banner"]').waitFor({ state: 'hidden', timeout: 10000 });
    const [bak] = backups(workspace, 'b.webp');
    assert.equal(readFileSync(join(workspace, bak), 'utf8'), MALFORMED);
    assert.equal(existsSync(join(workspace, 'b.webp.coco.json')), false, 'moved aside');
    await drawTree(page, frame);
    await waitFor('the new polygon', async () => (await debug(frame, 'objects')).length === 1);
    await page.keyboard.press('Control+S');
    await waitFor('the new sidecar', () => existsSync(join(workspace, 'b.webp.coco.json')));
    assert.equal(JSON.parse(readFileSync(join(workspace, 'b.webp.coco.json'), 'utf8')).annotations.length, 1);
    await screenshot(page, 'badsidecar-03-overwritten');
  });
});
