// The whole user story in a real VS Code (code-server) with the packaged VSIX and the SHIPPED
// model (models/edgeflow-mobilenetv2.onnx), on a GrabCut photo and the samples/ images copied into
// a temporary workspace: open the image in the annotator, zoom / pan / brightness / contrast, a
// left click on the object and a right click on the background, the mask, the threshold slider,
// "keep largest region", finish -> polygon, drag / insert / delete a vertex, the class, save (the
// .coco.json and .mask.png sidecars on disk), the next image, then "EdgeFlow: Export Dataset…" as
// COCO + VOC + pseudo-colour and the files it wrote. A screenshot of every step lands in
// test-results/walkthrough/.
//
// Needs ../shared/datasets/eval/GrabCut (the evaluation photos and their ground-truth masks,
// never copied into the repository): skipped with a message where it is absent.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from '../lib/codeServer.mjs';
import { GRABCUT, farthest, groundTruth, maskIoU, nextClick, overlap, overlayMask } from '../lib/groundTruth.mjs';
import { startSession } from '../lib/session.mjs';
import { activeTab, clickImage, debug, dragImage, editorFrame, imageToPage, quickOpen, waitFor } from '../lib/workbench.mjs';

const PHOTO = '106024';
const IMAGE = `images/grabcut-${PHOTO}.jpg`;
const SHOTS = join(ROOT, 'test-results/walkthrough');
const LABELS = {
  version: 1,
  labels: [
    { id: 1, name: 'object', color: '#e6194b' },
    { id: 2, name: 'animal', color: '#3cb44b' },
  ],
};
const QUICK = '.quick-input-widget';
const INPUT = `${QUICK} input.input`;
const row = (page, text) => page.locator(`${QUICK} .quick-input-list .monaco-list-row`, { hasText: text }).first();

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const vertexCount = (object) => object.regions.reduce((n, r) => n + r.outer.length / 2, 0);

describe('walkthrough: the whole user story with the shipped model (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  let frame;
  let gt;
  const panel = () => frame.locator('[data-testid="segment-panel"]');
  const panelArea = async () => Number(await panel().getAttribute('data-area'));
  const panelReady = async () => (await panel().getAttribute('data-state')) === 'ready';
  const timings = {};

  before(async function () {
    if (!existsSync(join(GRABCUT, 'images', `${PHOTO}.jpg`))) {
      console.log(`      skipped: ${GRABCUT} is absent (the walkthrough needs a GrabCut photo and its mask)`);
      this.skip();
    }
    this.timeout(150000);
    gt = await groundTruth(PHOTO);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-walkthrough-'));
    mkdirSync(join(workspace, 'images'));
    copyFileSync(join(GRABCUT, 'images', `${PHOTO}.jpg`), join(workspace, IMAGE));
    for (const f of readdirSync(join(ROOT, 'samples'))) {
      if (/\.(png|jpe?g|webp|tif)$/.test(f)) copyFileSync(join(ROOT, 'samples', f), join(workspace, 'images', f));
    }
    mkdirSync(join(workspace, '.edgeflow'));
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
    session = await startSession(workspace, {
      settings: {
        'edgeflow.sidecar.formats': ['coco', 'mask'],
        'workbench.editorAssociations': { '*.jpg': 'edgeflow.annotator', '*.png': 'edgeflow.annotator' },
      },
    });
    page = session.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await shot(page, `FAILED-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
  });

  after(async () => {
    if (Object.keys(timings).length) console.log(`      timings (ms): ${JSON.stringify(timings)}`);
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('opens the photo in the annotator and zooms, pans, brightens and adds contrast', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, { width: gt.width, height: gt.height });
    await shot(page, '01-opened');
    const fit = await debug(frame, 'view');
    await frame.click('[data-testid="zoom-in"]');
    await waitFor('zoom in', async () => (await debug(frame, 'view')).scale > fit.scale * 1.1);
    // Pan: a left drag on empty space with the select tool.
    const before = await debug(frame, 'view');
    await dragImage(page, frame, { x: gt.width * 0.3, y: gt.height * 0.3 }, { x: gt.width * 0.4, y: gt.height * 0.4 });
    const after = await debug(frame, 'view');
    assert.ok(after.tx > before.tx + 5 && after.ty > before.ty + 5, `panned ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    for (const [id, value] of [['brightness', '130'], ['contrast', '140']]) {
      await frame.locator(`[data-testid="${id}"]`).fill(value);
    }
    // The sliders say their value on hover.
    assert.match(await frame.locator('[data-testid="brightness"]').locator('xpath=..').getAttribute('title'), /130 %/);
    await shot(page, '02-zoom-pan-adjust');
    await frame.click('[data-testid="adjust-reset"]');
    assert.equal(await frame.locator('[data-testid="brightness"]').inputValue(), '100');
    await frame.click('[data-testid="zoom-fit"]');
    await waitFor('zoom to fit', async () => Math.abs((await debug(frame, 'view')).scale - fit.scale) < 1e-6);
  });

  it('segments the object with left clicks on it and right clicks on the background (shipped model)', async () => {
    await frame.click('[data-testid="tool-segment"]');
    // A careful user's clicks, as in the NoC protocol: the object's centre first, then the centre
    // of the larger error of what the editor shows, object (left) or background (right).
    let click = { ...gt.click, positive: true };
    const ious = [];
    for (let n = 1; n <= 10; n++) {
      const t0 = Date.now();
      await clickImage(page, frame, click.x, click.y, click.positive ? {} : { button: 'right' });
      await waitFor(`the mask after click ${n}`, async () => Number(await panel().getAttribute('data-clicks')) === n && (await panelReady()), { timeout: 30000 });
      await page.waitForTimeout(100); // the next frame draws the mask
      timings[`click${n}${click.positive ? '+' : '-'}`] = Date.now() - t0;
      const mask = await overlayMask(frame, gt);
      ious.push(Math.round(maskIoU(mask, gt) * 1000) / 1000);
      // The first click of a new object is thresholded automatically; later clicks use the slider.
      const thr = await frame.locator('[data-testid="segment-threshold-value"]').textContent();
      assert.ok(n === 1 ? /^0\.\d\d auto$/.test(thr) : thr === '0.50', `threshold after click ${n}: ${thr}`);
      await shot(page, `03-click-${n}`);
      // A careful user stops as soon as the mask is good (with the automatic first-click threshold
      // that can be click 1); the background click below is then the model's second call.
      if (ious.at(-1) >= 0.85) break;
      click = nextClick(mask, gt);
    }
    assert.ok(ious.at(-1) >= 0.85, `mask IoU with the ground truth per click: ${ious.join(', ')}`);
    // A right click on the background, as far from the object as it gets, keeps the mask.
    const clicks = Number(await panel().getAttribute('data-clicks'));
    const bg = farthest(gt.width, gt.height, (i) => gt.data[i] <= 127);
    const t0 = Date.now();
    await clickImage(page, frame, bg.x, bg.y, { button: 'right' });
    await waitFor('the mask after the background click', async () => Number(await panel().getAttribute('data-clicks')) === clicks + 1 && (await panelReady()), { timeout: 30000 });
    await page.waitForTimeout(100);
    timings['background-'] = Date.now() - t0;
    ious.push(Math.round(maskIoU(await overlayMask(frame, gt), gt) * 1000) / 1000);
    assert.equal(await frame.locator('[data-testid="segment-threshold-value"]').textContent(), '0.50', 'after click 1 the slider\'s threshold');
    timings.maskIoU = ious;
    assert.ok(ious.at(-1) >= 0.8, `mask IoU after the background click: ${ious.join(', ')}`);
    assert.match(await frame.locator('[data-testid="segment-status"]').textContent(), /CPU/);
    await shot(page, '04-mask');
  });

  it('moves the threshold slider and keeps the largest region', async () => {
    const at50 = await panelArea();
    await frame.locator('[data-testid="segment-threshold"]').fill('0.85');
    const at85 = await waitFor('a smaller mask at threshold 0.85', async () => {
      const a = await panelArea();
      return a < at50 ? a : null;
    });
    await shot(page, '05-threshold');
    await frame.locator('[data-testid="segment-threshold"]').fill('0.5');
    await waitFor('the mask back at 0.5', async () => (await panelArea()) === at50);
    const keep = frame.locator('[data-testid="segment-keep-largest"]');
    const wasChecked = await keep.isChecked();
    await keep.click();
    assert.equal(await keep.isChecked(), !wasChecked);
    if (wasChecked) await keep.click();
    assert.equal(await keep.isChecked(), true);
    assert.ok(at85 > 0);
    await shot(page, '06-keep-largest');
  });

  it('finishes the mask as a polygon that matches the ground truth', async () => {
    // A mouse click on the panel's checkbox gives the keyboard focus back to the canvas, so Space
    // and Enter finish the object as they did before the click (segment.test.mjs presses Space).
    assert.equal(await frame.evaluate(() => document.activeElement?.dataset.testid), 'canvas');
    await page.keyboard.press('Enter');
    const [object] = await waitFor('the polygon', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    assert.equal(await frame.locator('[data-testid="segment-keep-largest"]').isChecked(), true);
    const { iou } = overlap(object.regions, gt);
    timings.iou = Math.round(iou * 1000) / 1000;
    assert.ok(iou > 0.8, `polygon IoU with the ground truth ${iou}`);
    await shot(page, '07-polygon');
  });

  it('drags, inserts and deletes a vertex and sets the class', async () => {
    await frame.click('[data-testid="tool-select"]');
    await clickImage(page, frame, gt.click.x, gt.click.y);
    const [object] = await debug(frame, 'objects');
    await waitFor('the selection', async () => (await debug(frame, 'selection'))?.id === object.id);
    // Zoom in on the object so vertices are far apart on screen.
    await frame.evaluate(([x, y]) => window.__edgeflowDebug.zoomTo(x, y, 3), [gt.click.x, gt.click.y]);
    const ring = object.regions[0].outer;
    const n = ring.length / 2;
    // Which vertices the zoomed-in canvas shows (with a margin for the drag and the toolbar).
    const visible = await frame.evaluate((pts) => {
      const r = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
      return pts.map(([x, y]) => {
        const p = window.__edgeflowDebug.imageToClient(x, y);
        return p.x > r.left + 40 && p.x < r.right - 40 && p.y > r.top + 40 && p.y < r.bottom - 40;
      });
    }, Array.from({ length: n }, (_, i) => [ring[2 * i], ring[2 * i + 1]]));
    // The longest edge with both ends on screen: drag its first vertex, insert a vertex in its middle.
    let best = -1;
    let len = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const l = Math.hypot(ring[2 * j] - ring[2 * i], ring[2 * j + 1] - ring[2 * i + 1]);
      if (visible[i] && visible[j] && l > len) [best, len] = [i, l];
    }
    assert.ok(best >= 0, 'an edge of the polygon is on screen');
    const v = { x: ring[2 * best], y: ring[2 * best + 1] };
    const w = { x: ring[2 * ((best + 1) % n)], y: ring[2 * ((best + 1) % n) + 1] };
    const onScreen = await imageToPage(frame, v.x, v.y);
    assert.ok(onScreen.x > 0 && onScreen.y > 0, 'the vertex is on screen');
    await dragImage(page, frame, v, { x: v.x + 6, y: v.y + 6 });
    const moved = await waitFor('the moved vertex', async () => {
      const [o] = await debug(frame, 'objects');
      const r = o.regions[0].outer;
      return Math.abs(r[2 * best] - (v.x + 6)) < 1 && Math.abs(r[2 * best + 1] - (v.y + 6)) < 1 ? o : null;
    });
    await shot(page, '08-vertex-dragged');
    // Insert: a click on the middle of that edge (from the vertex's new place).
    const mid = { x: (v.x + 6 + w.x) / 2, y: (v.y + 6 + w.y) / 2 };
    await clickImage(page, frame, mid.x, mid.y);
    const inserted = await waitFor('the inserted vertex', async () => {
      const [o] = await debug(frame, 'objects');
      return vertexCount(o) === vertexCount(moved) + 1 ? o : null;
    });
    await shot(page, '09-vertex-inserted');
    // Delete it again with Alt+click.
    await page.keyboard.down('Alt');
    await clickImage(page, frame, mid.x, mid.y);
    await page.keyboard.up('Alt');
    await waitFor('the deleted vertex', async () => vertexCount((await debug(frame, 'objects'))[0]) === vertexCount(inserted) - 1);
    // The class of the selected object: "animal".
    await frame.selectOption('[data-testid="class-select"]', '2');
    await waitFor('class 2', async () => (await debug(frame, 'objects'))[0].classId === 2);
    await frame.click('[data-testid="zoom-fit"]');
    await waitFor('the zoom level', async () => (await frame.locator('[data-testid="zoom-level"]').textContent()) !== '300 %');
    await shot(page, '10-class');
  });

  it('saves the .coco.json and .mask.png sidecars', async () => {
    const [object] = await debug(frame, 'objects');
    await page.keyboard.press('Control+S');
    const sidecar = join(workspace, `${IMAGE}.coco.json`);
    const mask = join(workspace, `${IMAGE}.mask.png`);
    await waitFor('the sidecars', () => existsSync(sidecar) && existsSync(mask));
    await waitFor('a clean tab', async () => !(await activeTab(page)).dirty);
    const coco = JSON.parse(readFileSync(sidecar, 'utf8'));
    assert.deepEqual(coco.images[0], { id: 1, file_name: `grabcut-${PHOTO}.jpg`, width: gt.width, height: gt.height });
    assert.equal(coco.annotations.length, 1);
    const ann = coco.annotations[0];
    assert.equal(ann.category_id, 2);
    assert.equal(ann.id, object.id);
    // A polygon list, or RLE plus the exact rings when the mask left a hole in the object.
    const outer = Array.isArray(ann.segmentation) ? ann.segmentation[0] : ann.edgeflow_regions[0].outer;
    if (!Array.isArray(ann.segmentation)) assert.deepEqual(ann.segmentation.size, [gt.height, gt.width]);
    assert.deepEqual(outer, object.regions[0].outer.map((c) => Math.round(c * 100) / 100));
    assert.ok(Math.abs(ann.area - gt.area) < gt.area * 0.3, `area ${ann.area} vs ground truth ${gt.area}`);
    assert.deepEqual(coco.categories.map((c) => c.name), ['object', 'animal']);
    // The mask PNG: a palette PNG the image's size; the palette shows the class colour (#3cb44b).
    const png = readFileSync(mask);
    assert.equal(png[25], 3, 'colour type 3 (palette)');
    const { data, info } = await sharp(mask).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, gt.width);
    assert.equal(info.height, gt.height);
    const at = (gt.click.y * info.width + gt.click.x) * info.channels;
    assert.deepEqual([...data.subarray(at, at + 3)], [0x3c, 0xb4, 0x4b]);
    await shot(page, '11-saved');
  });

  it('goes to the next image and segments it too', async () => {
    await page.keyboard.press('d');
    frame = await editorFrame(page, { width: 960, height: 640 });
    assert.equal((await activeTab(page)).label, 'street-01.png');
    // Keyboard, as a user goes: S picks the click tool, 2 the class, Enter finishes, Ctrl+S saves.
    await frame.locator('[data-testid="canvas"]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('s');
    await waitFor('the click tool from the S key', async () => (await debug(frame, 'tool')) === 'segment');
    await page.keyboard.press('2');
    await waitFor('class 2 from the 2 key', async () => (await debug(frame, 'activeClassId')) === 2);
    await clickImage(page, frame, 490, 465); // the yellow car's body
    await waitFor('a mask on the second image', async () => (await panelArea()) > 0 && (await panelReady()), { timeout: 30000 });
    await shot(page, '12-next-image');
    await page.keyboard.press('Enter');
    const [car] = await waitFor('the object', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    assert.equal(car.classId, 2);
    await page.keyboard.press('Control+S');
    await waitFor('the sidecar', () => existsSync(join(workspace, 'images/street-01.png.coco.json')));
  });

  it('exports COCO + VOC + pseudo-colour from the palette', async () => {
    await page.keyboard.press('F1');
    await page.locator(INPUT).waitFor({ state: 'visible', timeout: 5000 });
    await page.locator(INPUT).fill('>EdgeFlow: Export Dataset');
    await row(page, 'Export Dataset').waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.press('Enter');
    await page.locator(`${QUICK} .quick-input-title`, { hasText: 'formats' }).waitFor({ state: 'visible', timeout: 15000 });
    for (const name of ['PASCAL VOC', 'Pseudo-colour']) {
      await row(page, name).click();
      await waitFor(`${name} ticked`, async () => (await row(page, name).getAttribute('aria-checked')) === 'true');
    }
    await shot(page, '13-export-formats');
    await page.keyboard.press('Enter');
    await row(page, 'All annotated images').click();
    await row(page, 'No split').click();
    await page.locator(`${QUICK} .quick-input-title`, { hasText: /\(4\/5\)/ }).waitFor({ state: 'visible', timeout: 15000 }).catch(() => {});
    await row(page, 'Copy images').click();
    await page.locator(`${QUICK} .quick-input-title`, { hasText: 'output folder' }).waitFor({ state: 'visible', timeout: 15000 });
    const out = join(workspace, 'dataset');
    // The first export of this workspace: dataset/ does not exist; the default is it, and Enter
    // creates it (no warning about files to replace: there are none).
    assert.equal(await page.locator(INPUT).inputValue(), 'dataset');
    await page.keyboard.press('Enter');
    const summary = page.locator('.notifications-toasts .notification-toast', { hasText: 'Exported 2 images' });
    await summary.waitFor({ state: 'visible', timeout: 30000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Exporting dataset' }).waitFor({ state: 'hidden', timeout: 10000 }).catch(() => {});
    // Class 1 ("object") has no objects: the one warning is spelled out in the summary.
    assert.match(await summary.innerText(), /Exported 2 images \(2 objects\) to dataset: all 2\. Classes without objects \(1\): object\./);
    await shot(page, '14-exported');

    const coco = JSON.parse(readFileSync(join(out, 'coco/annotations/instances_all.json'), 'utf8'));
    assert.equal(coco.images.length, 2);
    assert.equal(coco.annotations.length, 2);
    assert.deepEqual(coco.categories.map((c) => c.name), ['object', 'animal']);
    const photo = coco.images.find((im) => im.file_name.includes(PHOTO));
    assert.equal(coco.annotations.find((a) => a.image_id === photo.id).category_id, 2);
    for (const im of coco.images) assert.ok(existsSync(join(out, 'coco/images', im.file_name)), im.file_name);
    for (const dir of ['JPEGImages', 'SegmentationClass', 'SegmentationObject', 'Annotations']) {
      assert.equal(readdirSync(join(out, 'voc', dir)).length, 2, dir);
    }
    // VOC: the class id is the pixel value (index 2 of the VOC palette is (0, 128, 0)) under the click.
    const vocFile = readdirSync(join(out, 'voc/SegmentationClass')).find((f) => f.includes(PHOTO));
    const voc = await sharp(join(out, 'voc/SegmentationClass', vocFile)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const v = (gt.click.y * voc.info.width + gt.click.x) * voc.info.channels;
    assert.deepEqual([...voc.data.subarray(v, v + 3)], [0, 128, 0]);
    const pseudo = readdirSync(join(out, 'pseudo'), { recursive: true }).filter((f) => String(f).endsWith('.png'));
    assert.equal(pseudo.length, 2, pseudo.join(', '));
    assert.ok(existsSync(join(out, 'pseudo/legend.json')));
    // The pseudo-colour PNG of the photo shows the "animal" colour (#3cb44b) where the object is.
    const file = pseudo.find((f) => String(f).includes(PHOTO));
    const { data, info } = await sharp(join(out, 'pseudo', String(file))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (gt.click.y * info.width + gt.click.x) * info.channels;
    assert.deepEqual([...data.subarray(at, at + 3)], [0x3c, 0xb4, 0x4b]);
  });
});
