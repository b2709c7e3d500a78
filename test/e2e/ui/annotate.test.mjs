// UI end to end, in a real VS Code (code-server) with the packaged VSIX, driven like a person:
// palette, quick open, mouse clicks and drags on the canvas, keyboard undo/redo, save. Every
// check is on what VS Code shows or on the files the extension writes. Each step leaves a
// screenshot in test-results/e2e/.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/codeServer.mjs';
import { startSession } from '../lib/session.mjs';
import {
  activeTab,
  clickImage,
  closeActiveTab,
  debug,
  dragImage,
  editorFrame,
  quickOpen,
  runCommand,
  screenshot,
  screenshotIfFailed,
  waitFor,
} from '../lib/workbench.mjs';

const IMAGE = 'images/street-01.png';
const SIZE = { width: 960, height: 640 };
// Around the yellow car of samples/street-01.png (image pixels), clockwise.
const CAR = [
  [400, 450], [440, 418], [556, 418], [600, 448], [600, 498], [400, 498],
];
const LABELS = {
  version: 1,
  labels: [
    { id: 1, name: 'tree', color: '#3cb44b' },
    { id: 2, name: 'car', color: '#f58231' },
  ],
};

const near = (a, b, tol = 1.5) => Math.abs(a - b) <= tol;

describe('annotator UI (VSIX in code-server)', function () {
  this.timeout(60000);
  let workspace;
  let session;
  let page;
  let frame;
  const sidecar = () => join(workspace, `${IMAGE}.coco.json`);

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-ui-'));
    mkdirSync(join(workspace, 'images'));
    mkdirSync(join(workspace, '.edgeflow'));
    copyFileSync(join(ROOT, 'samples/street-01.png'), join(workspace, IMAGE));
    copyFileSync(join(ROOT, 'samples/street-02.jpg'), join(workspace, 'images/street-02.jpg'));
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
    session = await startSession(workspace);
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page);
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('makes EdgeFlow the default image editor from the command palette', async () => {
    await runCommand(page, 'EdgeFlow: Use as Default Image Editor in This Workspace');
    const settingsFile = join(workspace, '.vscode/settings.json');
    const associations = await waitFor('editorAssociations in .vscode/settings.json', () =>
      existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8'))['workbench.editorAssociations'] : null,
    );
    for (const ext of ['png', 'jpg', 'jpeg', 'tif', 'webp']) assert.equal(associations[`*.${ext}`], 'edgeflow.annotator', `*.${ext}`);
    // The sidecars nest under their image in the Explorer (issue 30).
    const settings = await waitFor('file nesting in .vscode/settings.json', () => {
      const s = JSON.parse(readFileSync(settingsFile, 'utf8'));
      return s['explorer.fileNesting.enabled'] === true && 'explorer.fileNesting.expand' in s ? s : null;
    });
    assert.match(settings['explorer.fileNesting.patterns']['*.png'], /\$\{capture\}\.png\.coco\.json/);
    assert.equal(settings['explorer.fileNesting.expand'], false);
    await screenshot(page, '01-default-editor');
  });

  it('opens an image in the annotator', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    assert.deepEqual((await debug(frame, 'objects')).length, 0);
    assert.equal((await activeTab(page)).label, 'street-01.png');
    assert.deepEqual((await debug(frame, 'labels')).map((l) => l.name), ['tree', 'car']);
    await screenshot(page, '02-opened');
  });

  it('draws a polygon with mouse clicks', async () => {
    await frame.click('[data-testid="tool-polygon"]');
    assert.equal(await debug(frame, 'tool'), 'polygon');
    for (const [x, y] of CAR) await clickImage(page, frame, x, y);
    assert.equal(await debug(frame, 'drawing'), true);
    await clickImage(page, frame, CAR[0][0], CAR[0][1]); // close on the first vertex
    const objects = await waitFor('the finished polygon', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    const ring = objects[0].regions[0].outer;
    assert.equal(ring.length, CAR.length * 2);
    CAR.forEach(([x, y], i) => {
      assert.ok(near(ring[2 * i], x) && near(ring[2 * i + 1], y), `vertex ${i} at ${ring[2 * i]},${ring[2 * i + 1]} ~ ${x},${y}`);
    });
    await waitFor('the dirty marker on the tab', async () => (await activeTab(page)).dirty);
    await screenshot(page, '03-polygon');
  });

  it('gives the polygon a class', async () => {
    const [object] = await debug(frame, 'objects');
    await frame.selectOption(`[data-testid="object-class-${object.id}"]`, { label: 'car' });
    await waitFor('class car on the object', async () => (await debug(frame, 'objects'))[0].classId === 2);
    await screenshot(page, '04-class');
  });

  let original;
  let moved;
  it('drags a vertex', async () => {
    await frame.click('[data-testid="tool-select"]');
    const [object] = await debug(frame, 'objects');
    original = object.regions[0].outer.slice();
    await clickImage(page, frame, 500, 470); // inside the polygon: select it
    await waitFor('the selection', async () => (await debug(frame, 'selection'))?.id === object.id);
    // Vertex 3 (600, 448) to (620, 440).
    await dragImage(page, frame, { x: original[6], y: original[7] }, { x: 620, y: 440 });
    moved = await waitFor('the moved vertex', async () => {
      const ring = (await debug(frame, 'objects'))[0].regions[0].outer;
      return near(ring[6], 620) && near(ring[7], 440) ? ring : null;
    });
    assert.equal(moved.length, original.length, 'a drag moves a vertex, it does not add one');
    await screenshot(page, '05-vertex-dragged');
  });

  it('undoes and redoes with the keyboard', async () => {
    const ring = async () => (await debug(frame, 'objects'))[0]?.regions[0].outer;
    await page.keyboard.press('Control+Z');
    await waitFor('undo of the drag', async () => near((await ring())[6], original[6]) && near((await ring())[7], original[7]));
    await screenshot(page, '06-undo');
    await page.keyboard.press('Control+Shift+Z');
    await waitFor('redo of the drag', async () => near((await ring())[6], 620) && near((await ring())[7], 440));
    await screenshot(page, '07-redo');
  });

  it('saves the sidecar beside the image', async () => {
    await page.keyboard.press('Control+S');
    const coco = await waitFor('the sidecar on disk', () => (existsSync(sidecar()) ? JSON.parse(readFileSync(sidecar(), 'utf8')) : null));
    await waitFor('the tab to be clean', async () => !(await activeTab(page)).dirty);
    assert.equal(coco.images.length, 1);
    assert.deepEqual(
      { file_name: coco.images[0].file_name, width: coco.images[0].width, height: coco.images[0].height },
      { file_name: 'street-01.png', ...SIZE },
    );
    assert.equal(coco.annotations.length, 1);
    const [ann] = coco.annotations;
    assert.equal(coco.categories.find((c) => c.id === ann.category_id)?.name, 'car');
    assert.equal(ann.iscrowd, 0);
    const seg = ann.segmentation[0];
    assert.equal(seg.length, CAR.length * 2);
    assert.ok(near(seg[6], 620) && near(seg[7], 440), `saved vertex 3 is the dragged one: ${seg[6]},${seg[7]}`);
    for (const v of seg) assert.equal(Math.round(v * 100) / 100, v, 'coordinates rounded to 0.01');
    const [bx, by, bw, bh] = ann.bbox;
    assert.ok(near(bx, 400) && near(by, 418) && near(bx + bw, 620) && near(by + bh, 498), `bbox ${ann.bbox}`);
    assert.ok(ann.area > 200 * 70 && ann.area < 220 * 80, `area ${ann.area}`);
    // Byte-for-byte: what the editor wrote ends with a newline and uses 2-space indentation.
    const text = readFileSync(sidecar(), 'utf8');
    assert.ok(text.endsWith('\n') && text.includes('\n  "images"'));
    await screenshot(page, '08-saved');
  });

  it('shows the polygon again after closing and reopening the image', async () => {
    await closeActiveTab(page);
    await waitFor('the editor to close', async () => (await page.locator('.tabs-container .tab').count()) === 0);
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    const objects = await waitFor('the objects from the sidecar', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    assert.equal(objects[0].classId, 2);
    const ring = objects[0].regions[0].outer;
    assert.ok(near(ring[6], 620) && near(ring[7], 440));
    assert.equal(await frame.locator('[data-testid="object-count"]').textContent(), '1');
    await screenshot(page, '09-reopened');
  });

  it('follows the sidecar when it changes on disk', async () => {
    const coco = JSON.parse(readFileSync(sidecar(), 'utf8'));
    // A second object (a tree crown) appears, as after a `git checkout` of another version.
    const crown = [362, 190, 392, 140, 452, 132, 486, 175, 470, 235, 410, 255, 366, 228];
    coco.annotations.push({
      id: 7,
      image_id: 1,
      category_id: 1,
      segmentation: [crown],
      area: 10000,
      bbox: [362, 132, 124, 123],
      iscrowd: 0,
    });
    writeFileSync(sidecar(), `${JSON.stringify(coco, null, 2)}\n`);
    const objects = await waitFor('the editor to reload the sidecar', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 2 ? o : null;
    }, { timeout: 20000 });
    const tree = objects.find((o) => o.id === 7);
    assert.ok(tree, 'the new object keeps its id');
    assert.equal(tree.classId, 1);
    assert.deepEqual(tree.regions[0].outer, crown);
    assert.equal((await activeTab(page)).dirty, false, 'a reload from disk leaves the editor clean');
    await screenshot(page, '10-reloaded-from-disk');
  });

  it('asks before replacing unsaved work when the sidecar changes on disk', async () => {
    // Unsaved work: delete the tree object.
    await frame.click('[data-testid="object-delete-7"]');
    await waitFor('the deletion', async () => (await debug(frame, 'objects')).length === 1);
    await waitFor('the dirty marker', async () => (await activeTab(page)).dirty);
    // Meanwhile the file changes on disk: the car becomes a tree.
    const coco = JSON.parse(readFileSync(sidecar(), 'utf8'));
    coco.annotations.find((a) => a.id === 1).category_id = 1;
    writeFileSync(sidecar(), `${JSON.stringify(coco, null, 2)}\n`);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'changed on disk' });
    await toast.waitFor({ state: 'visible', timeout: 20000 });
    assert.equal((await debug(frame, 'objects')).length, 1, 'nothing is replaced before the user answers');
    await screenshot(page, '11-asks-before-reload');
    await toast.locator('.monaco-button', { hasText: 'Reload from Disk' }).click();
    const objects = await waitFor('the disk version', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 2 ? o : null;
    }, { timeout: 20000 });
    assert.equal(objects.find((o) => o.id === 1).classId, 1, 'the car is now a tree, as on disk');
    await waitFor('a clean tab after reloading', async () => !(await activeTab(page)).dirty);
    await screenshot(page, '12-reloaded-after-asking');
  });

  it('takes keys typed into the class name as text, never as shortcuts (issue 30)', async () => {
    // "dad": D is Next Image and A Previous Image. Typed right after the click, before the host's
    // context key can follow the focus.
    const input = frame.locator('[data-testid="class-add-name"]');
    // focus without a mouse round trip, then type at once: the keys race the context key
    await input.focus();
    await page.keyboard.type('dad2');
    assert.equal(await input.inputValue(), 'dad2');
    assert.equal((await activeTab(page)).label, 'street-01.png');
    assert.equal(await page.locator('.tabs-container .tab').count(), 1);
    await input.fill('');
    await input.blur();
    await screenshot(page, '13-typed-class-name');
  });

  it('keeps the tool and the class for new objects on the next image (issue 30)', async () => {
    await frame.click('[data-testid="tool-polygon"]');
    await frame.selectOption('[data-testid="class-select"]', '2'); // car
    await waitFor('the polygon tool and class car', async () =>
      (await debug(frame, 'tool')) === 'polygon' && (await debug(frame, 'activeClassId')) === 2);
    if ((await activeTab(page)).dirty) {
      // choosing the class also re-classed a selected object: keep the test about navigation
      await page.keyboard.press('Control+S');
      await waitFor('a clean tab', async () => !(await activeTab(page)).dirty);
    }
    await runCommand(page, 'EdgeFlow: Next Image');
    await waitFor('the next image in the tab', async () => (await activeTab(page)).label === 'street-02.jpg');
    await waitFor('the previous image closed', async () => (await page.locator('.tabs-container .tab').count()) === 1);
    frame = await editorFrame(page, SIZE);
    assert.equal(await debug(frame, 'tool'), 'polygon');
    assert.equal(await debug(frame, 'activeClassId'), 2);
    await screenshot(page, '14-next-image-keeps-tool-and-class');
  });


  it('reports no errors in the workbench', () => {
    const ours = session.consoleErrors.filter((m) => /edgeflow/i.test(m));
    assert.deepEqual(ours, []);
  });
});
