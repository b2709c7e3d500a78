// UI end to end for per-object attributes (issue 30), in a real VS Code (code-server) with the
// packaged VSIX: the labels file declares a boolean, a choice and a text attribute for "car" (and
// a workspace-wide boolean); a polygon becomes a car, its attributes are set in the objects panel,
// text with the editor's single-key shortcut letters is typed without triggering them, Ctrl+Z
// undoes one attribute change, Ctrl+S writes them into the sidecar, and "Export Dataset" writes
// them into the COCO file. Screenshots of each step land in test-results/e2e/.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { startSession } from '../lib/session.mjs';
import { RESULTS_DIR, activeTab, clickImage, debug, editorFrame, exportDataset, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const IMAGE = 'images/street-01.png';
const SIZE = { width: 960, height: 640 };
const CAR = [
  [400, 450], [440, 418], [556, 418], [600, 448], [600, 498], [400, 498],
];
const LABELS = {
  version: 1,
  attributes: [{ name: 'difficult', type: 'boolean' }],
  labels: [
    // A bad declaration: left out with a warning in Problems, the rest of the file loads.
    { id: 1, name: 'tree', color: '#3cb44b', attributes: [{ name: 'size', type: 'number' }] },
    {
      id: 2,
      name: 'car',
      color: '#f58231',
      attributes: [
        { name: 'occluded', type: 'boolean' },
        { name: 'pose', type: 'choice', options: ['front', 'side', 'rear'] },
        { name: 'note', type: 'text' },
      ],
    },
  ],
};
// Every letter here is a single-key shortcut of the editor (d/a next/previous image, s/p/v
// tools, h hide, f fit, 1/2 class keys, [ ] objects, - = zoom), typed into the note field.
const NOTE = 'dad shop vase [fh] 1-2=';
const QUICK = '.quick-input-widget';
const row = (page, text) => page.locator(`${QUICK} .quick-input-list .monaco-list-row`, { hasText: text }).first();

describe('object attributes (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  let frame;
  let id;
  const sidecar = () => join(workspace, `${IMAGE}.coco.json`);
  const object = async () => (await debug(frame, 'objects'))[0];

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-attrs-'));
    mkdirSync(join(workspace, 'images'));
    mkdirSync(join(workspace, '.edgeflow'));
    copyFileSync(join(ROOT, 'samples/street-01.png'), join(workspace, IMAGE));
    // A second image: "d" or "a" reaching the editor would open it.
    copyFileSync(join(ROOT, 'samples/street-02.jpg'), join(workspace, 'images/street-02.jpg'));
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(join(workspace, '.vscode/settings.json'), JSON.stringify({ 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator', '*.jpg': 'edgeflow.annotator' } }));
    session = await startSession(workspace);
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'attributes-');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('outlines a car and shows its class\'s attributes in the objects panel', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    assert.deepEqual((await debug(frame, 'labels')).map((l) => l.attributes?.map((a) => a.name)), [['difficult'], ['difficult', 'occluded', 'pose', 'note']]);
    await frame.click('[data-testid="tool-polygon"]');
    for (const [x, y] of CAR) await clickImage(page, frame, x, y);
    await clickImage(page, frame, CAR[0][0], CAR[0][1]);
    id = (await waitFor('the polygon', async () => ((await debug(frame, 'objects')).length === 1 ? object() : null))).id;
    await frame.click('[data-testid="tool-select"]');
    await frame.click(`[data-testid="object-row-${id}"]`);
    await waitFor('the selection', async () => (await debug(frame, 'selection'))?.id === id);
    // A tree: only the workspace-wide attribute.
    await frame.selectOption(`[data-testid="object-class-${id}"]`, { label: 'tree' });
    await waitFor('class tree', async () => (await object()).classId === 1);
    const panel = frame.locator('[data-testid="object-attributes"]');
    await panel.waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await panel.locator('[data-testid^="attr-"]').count(), 1);
    await frame.selectOption(`[data-testid="object-class-${id}"]`, { label: 'car' });
    await waitFor('class car', async () => (await object()).classId === 2);
    await waitFor('the car\'s four controls', async () => (await panel.locator('[data-testid^="attr-"]').count()) === 4);
    assert.equal(await frame.isChecked('[data-testid="attr-occluded"]'), false);
    assert.equal(await frame.inputValue('[data-testid="attr-pose"]'), 'front', 'a choice shows its first option until set');
    assert.equal(await frame.inputValue('[data-testid="attr-note"]'), '');
    assert.equal((await object()).attributes, undefined, 'defaults are shown, not stored');
    await frame.click('[data-testid="object-attributes"] h3'); // close the class drop-down
    await screenshot(page, 'attributes-01-panel');
  });

  it('sets a boolean and a choice, each one undoable edit', async () => {
    // The keyboard way: Space toggles the focused box (and does not start the canvas's pan).
    await frame.focus('[data-testid="attr-occluded"]');
    await page.keyboard.press('Space');
    await waitFor('occluded stored', async () => (await object()).attributes?.occluded === true);
    await frame.selectOption('[data-testid="attr-pose"]', 'rear');
    await waitFor('pose stored', async () => (await object()).attributes?.pose === 'rear');
    await waitFor('the dirty marker', async () => (await activeTab(page)).dirty);
    // Ctrl+Z from the objects list undoes the last change only.
    await frame.focus(`[data-testid="object-row-${id}"]`);
    await page.keyboard.press('Control+Z');
    await waitFor('pose undone', async () => (await object()).attributes?.pose === undefined);
    assert.equal((await object()).attributes.occluded, true);
    assert.equal(await frame.inputValue('[data-testid="attr-pose"]'), 'front');
    await page.keyboard.press('Control+Shift+Z');
    await waitFor('pose redone', async () => (await object()).attributes?.pose === 'rear');
    await waitFor('the select follows', async () => (await frame.inputValue('[data-testid="attr-pose"]')) === 'rear');
  });

  it('types text with shortcut letters into the note without triggering a shortcut', async () => {
    await frame.click('[data-testid="attr-note"]');
    // Type at once after the click: the first keys must not slip past the focus report either.
    await page.keyboard.type(NOTE + 'x', { delay: 20 });
    await page.keyboard.press('Backspace'); // the editor's "delete object" key: here, text
    assert.equal(await frame.inputValue('[data-testid="attr-note"]'), NOTE);
    await screenshot(page, 'attributes-02-typing');
    await page.keyboard.press('Enter');
    await waitFor('note stored', async () => (await object()).attributes?.note === NOTE);
    const objects = await debug(frame, 'objects');
    assert.equal(objects.length, 1, 'nothing deleted');
    assert.equal(objects[0].hidden, false, 'not hidden by "h"');
    assert.equal(objects[0].classId, 2, 'class keys did not change the class');
    assert.equal(await debug(frame, 'tool'), 'select', 'no tool key reached the editor');
    assert.equal((await activeTab(page)).label, 'street-01.png', '"d"/"a" did not change the image');
    await screenshot(page, 'attributes-03-set');
    await frame.locator('[data-testid="side-panel"]').screenshot({ path: join(RESULTS_DIR, 'attributes-03-panel-close.png') });
  });

  it('keeps the values when the class changes, listed apart, and back on undo', async () => {
    await frame.selectOption(`[data-testid="object-class-${id}"]`, { label: 'tree' });
    await waitFor('class tree', async () => (await object()).classId === 1);
    assert.deepEqual((await object()).attributes, { occluded: true, pose: 'rear', note: NOTE });
    const others = frame.locator('[data-testid="attributes-other"]');
    await others.waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await others.locator('.attr-other').count(), 3);
    assert.equal(await frame.locator('[data-testid="attr-other-pose"] .attr-value').textContent(), 'rear');
    await frame.click('[data-testid="object-attributes"] h3');
    await frame.locator('[data-testid="side-panel"]').screenshot({ path: join(RESULTS_DIR, 'attributes-04-other-close.png') });
    await frame.focus(`[data-testid="object-row-${id}"]`);
    await page.keyboard.press('Control+Z');
    await waitFor('class car again', async () => (await object()).classId === 2);
    await waitFor('the note field again', async () => (await frame.inputValue('[data-testid="attr-note"]')) === NOTE);
  });

  it('saves the values into the sidecar (CVAT style)', async () => {
    await frame.focus(`[data-testid="object-row-${id}"]`);
    await page.keyboard.press('Control+S');
    const coco = await waitFor('the sidecar on disk', () => (existsSync(sidecar()) ? JSON.parse(readFileSync(sidecar(), 'utf8')) : null));
    await waitFor('the tab to be clean', async () => !(await activeTab(page)).dirty);
    assert.deepEqual(coco.annotations[0].attributes, { occluded: true, pose: 'rear', note: NOTE });
  });

  it('exports them into the COCO file, declared defaults filled in', async () => {
    await exportDataset(page, { files: 'Reference images' });
    const file = join(workspace, 'dataset/coco/annotations/instances_all.json');
    const coco = await waitFor('the COCO file', () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null), { timeout: 30000 });
    assert.equal(coco.annotations.length, 1);
    assert.deepEqual(coco.annotations[0].attributes, { difficult: false, occluded: true, pose: 'rear', note: NOTE });
    await screenshot(page, 'attributes-05-exported');
  });

  it('shows the bad declaration in the Problems panel, at its line', async () => {
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await waitFor('the labels file warning', async () => (await rows.allInnerTexts()).some((t) => /"type" must be "boolean", "choice" or "text"/.test(t)));
    const text = (await rows.allInnerTexts()).join('\n');
    assert.match(text, /labels\[0\]\.attributes\[0\]/);
    assert.match(text, /Ln \d+, Col \d+/, `with a line number: ${text}`);
    await screenshot(page, 'attributes-06-problems');
  });
});
