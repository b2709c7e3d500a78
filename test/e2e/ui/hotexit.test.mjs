// Hot exit in a real VS Code (code-server) with the packaged VSIX: unsaved annotations survive
// "Reload Window" (VS Code asks the custom document for a backup and restores from it), come
// back still unsaved, and nothing is written beside the image until the user saves.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { startSession } from '../lib/session.mjs';
import { activeTab, clickImage, debug, editorFrame, quickOpen, runCommand, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const IMAGE = 'street-03.webp';
const SIZE = { width: 800, height: 600 };
// Around a tree crown of samples/street-03.webp (image pixels).
const TREE = [[420, 110], [470, 95], [525, 125], [525, 190], [470, 215], [420, 190]];

describe('hot exit (VSIX in code-server)', function () {
  this.timeout(60000);
  let workspace;
  let session;
  let page;
  let frame;
  const sidecar = () => join(workspace, `${IMAGE}.coco.json`);

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-hotexit-'));
    mkdirSync(join(workspace, '.edgeflow'));
    copyFileSync(join(ROOT, 'samples', IMAGE), join(workspace, IMAGE));
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify({ version: 1, labels: [{ id: 1, name: 'tree', color: '#3cb44b' }] }, null, 2)}\n`);
    session = await startSession(workspace, {
      settings: {
        'files.hotExit': 'onExitAndWindowClose',
        'workbench.editorAssociations': { '*.webp': 'edgeflow.annotator' },
      },
    });
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'hotexit-');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('keeps an unsaved polygon across a window reload', async () => {
    const [w, h] = [SIZE.width, SIZE.height];
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, { width: w, height: h });
    await frame.click('[data-testid="tool-polygon"]');
    for (const [x, y] of TREE) await clickImage(page, frame, x, y);
    await clickImage(page, frame, TREE[0][0], TREE[0][1]);
    await waitFor('the polygon', async () => (await debug(frame, 'objects')).length === 1);
    await waitFor('the dirty marker', async () => (await activeTab(page)).dirty);
    // Let VS Code take its backup of the dirty document (it does so shortly after each change).
    await page.waitForTimeout(1500);

    // Reload through VS Code (as after an update or "Reload Window"), which shuts the workbench
    // down properly. A bare browser reload is not enough in VS Code for the Web: the open-editors
    // state is flushed to storage only periodically, so the editor would come back without its
    // backup for the first minute or so.
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
    frame = await editorFrame(page, { width: w, height: h, timeout: 45000 });
    const objects = await waitFor('the restored polygon', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    const ring = objects[0].regions[0].outer;
    TREE.forEach(([x, y], i) => assert.ok(Math.abs(ring[2 * i] - x) <= 1.5 && Math.abs(ring[2 * i + 1] - y) <= 1.5, `vertex ${i}`));
    assert.equal((await activeTab(page)).dirty, true, 'still unsaved after the reload');
    assert.equal(existsSync(sidecar()), false, 'nothing written beside the image before Save');
    await screenshot(page, 'hotexit-01-restored');
  });

  it('saves the restored work', async () => {
    await page.keyboard.press('Control+S');
    const coco = await waitFor('the sidecar', () => (existsSync(sidecar()) ? JSON.parse(readFileSync(sidecar(), 'utf8')) : null));
    assert.equal(coco.annotations.length, 1);
    assert.equal(coco.categories.find((c) => c.id === coco.annotations[0].category_id)?.name, 'tree');
    await waitFor('a clean tab', async () => !(await activeTab(page)).dirty);
  });
});
