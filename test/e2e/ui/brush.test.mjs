// The brush and the eraser end to end (issue 30), in a real VS Code with the packaged VSIX: click an
// object, paint a part in (an island the model never gave), erase a part, click again (the painted
// pixels stay object, the erased ones background), finish, brush the finished object (one edit),
// undo it with Ctrl+Z, save, and read the sidecar. Also bug 6: the in-progress mask on a red
// object in the red class's colour, and the overlay opacity toggle (O).
//
// The model is the tiny contract graph (see segment.test.mjs): a square of about 66 px around a
// positive click on a 640x480 image, so the expectations are exact.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from '../lib/codeServer.mjs';
import { makeWorkspace } from '../lib/fixtures.mjs';
import { startSession } from '../lib/session.mjs';
import { clickImage, debug, dragImage, editorFrame, imageToPage, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

const IMAGE = 'images/cells.png';
const RED = 'images/red.png';
const SIZE = { width: 640, height: 480 };
const RED_SIZE = { width: 600, height: 400 };
const BIG = { width: 6000, height: 4000 };
// Over WORKING_PIXELS (24 MP): segmented on a downscaled working copy (about 6573x3651).
const HUGE = { width: 7200, height: 4000 };
const LABELS = { version: 1, labels: [{ id: 1, name: 'teddy', color: '#e6194b' }] };

describe('brush and eraser (VSIX in code-server)', function () {
  this.timeout(90000);
  let workspace;
  let session;
  let page;
  let frame;
  const sidecar = () => join(workspace, `${IMAGE}.coco.json`);
  const panel = () => frame.locator('[data-testid="segment-panel"]');
  const maskAt = (x, y) => frame.evaluate(([a, b]) => window.__edgeflowDebug.segmentMaskAt(a, b), [x, y]);
  const ready = async (clicks) => (await panel().getAttribute('data-state')) === 'ready' && Number(await panel().getAttribute('data-clicks')) === clicks && Number(await panel().getAttribute('data-area')) > 0;

  before(async function () {
    this.timeout(150000);
    workspace = await makeWorkspace('edgeflow-brush-');
    mkdirSync(join(workspace, '.edgeflow'), { recursive: true });
    writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
    mkdirSync(join(workspace, 'models'));
    copyFileSync(join(ROOT, 'test/fixtures/in/inference/tiny-contract.onnx'), join(workspace, 'models/tiny.onnx'));
    // Bug 6's case: a red object on a reddish background, segmented in a red class.
    const { width: W, height: H } = RED_SIZE, data = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = (x - 300) ** 2 + (y - 200) ** 2 < 90 ** 2;
        data.set(inside ? [210, 25, 60] : [150, 60, 50], (y * W + x) * 3);
      }
    }
    await sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(workspace, RED));
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 120, b: 90 } } }).png().toFile(join(workspace, 'images/plain.png'));
    // The largest image segmented at full resolution (24 megapixels): strokes must stay fluid.
    const disc = `<svg width="${BIG.width}" height="${BIG.height}"><circle cx="3000" cy="2000" r="900" fill="rgb(200,40,50)"/></svg>`;
    await sharp({ create: { ...BIG, channels: 3, background: { r: 70, g: 90, b: 110 } }, limitInputPixels: false })
      .composite([{ input: Buffer.from(disc) }]).png({ compressionLevel: 1 }).toFile(join(workspace, 'images/big.png'));
    const disc2 = `<svg width="${HUGE.width}" height="${HUGE.height}"><circle cx="3600" cy="2000" r="900" fill="rgb(200,40,50)"/></svg>`;
    await sharp({ create: { ...HUGE, channels: 3, background: { r: 70, g: 90, b: 110 } }, limitInputPixels: false })
      .composite([{ input: Buffer.from(disc2) }]).png({ compressionLevel: 1 }).toFile(join(workspace, 'images/huge.png'));
    session = await startSession(workspace, {
      settings: {
        'edgeflow.model': 'models/tiny.onnx',
        'edgeflow.inference.device': 'cpu',
        'workbench.editorAssociations': { '*.png': 'edgeflow.annotator' },
      },
    });
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'brush-');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('paints and erases the click mask; the next click keeps both; Backspace undoes a stroke', async () => {
    await quickOpen(page, IMAGE);
    frame = await editorFrame(page, SIZE);
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 320, 240);
    await waitFor('the first mask', () => ready(1), { timeout: 30000 });
    assert.equal(await maskAt(420, 240), 0, 'the model gives nothing at x = 420');
    // B: the brush takes the object in progress over (its clicks and panel stay).
    await page.keyboard.press('b');
    await waitFor('the brush', async () => (await debug(frame, 'tool')) === 'brush');
    assert.equal(Number(await panel().getAttribute('data-clicks')), 1);
    // ] makes the brush a quarter bigger each time; the panel shows the diameter.
    const size0 = Number(await frame.locator('[data-testid="brush-panel"]').getAttribute('data-size'));
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await waitFor('a bigger brush', async () => Number(await frame.locator('[data-testid="brush-panel"]').getAttribute('data-size')) > size0 * 1.5);
    await dragImage(page, frame, { x: 400, y: 240 }, { x: 440, y: 240 });
    await waitFor('the painted island', async () => (await maskAt(420, 240)) === 1 && Number(await panel().getAttribute('data-strokes')) === 1);
    await screenshot(page, 'brush-01-painted');
    // E: the eraser, across the middle of the model's square.
    await page.keyboard.press('e');
    await waitFor('the eraser', async () => (await debug(frame, 'tool')) === 'eraser');
    await dragImage(page, frame, { x: 300, y: 240 }, { x: 340, y: 240 });
    await waitFor('the erased band', async () => (await maskAt(320, 240)) === 0 && Number(await panel().getAttribute('data-strokes')) === 2);
    // Backspace undoes the newest step, the erase; the eraser again.
    await page.keyboard.press('Backspace');
    await waitFor('the erase undone', async () => (await maskAt(320, 240)) === 1 && Number(await panel().getAttribute('data-strokes')) === 1);
    assert.equal(await maskAt(420, 240), 1, 'the paint stroke stays');
    await dragImage(page, frame, { x: 300, y: 240 }, { x: 340, y: 240 });
    await waitFor('erased again', async () => (await maskAt(320, 240)) === 0);
    await screenshot(page, 'brush-02-erased');
    // S and a second click: the model's answer knows nothing of the strokes, the mask keeps them.
    await page.keyboard.press('s');
    await waitFor('the click tool', async () => (await debug(frame, 'tool')) === 'segment');
    await clickImage(page, frame, 330, 255);
    await waitFor('the second mask', () => ready(2), { timeout: 30000 });
    assert.equal(await maskAt(420, 240), 1, 'painted pixels stay object after the click');
    assert.equal(await maskAt(320, 240), 0, 'erased pixels stay background after the click');
    assert.equal(await maskAt(330, 258), 1, 'the model elsewhere');
    await screenshot(page, 'brush-03-clicked-again');
  });

  it('finishes the object with its painted island as a second polygon', async () => {
    await page.keyboard.press('Space');
    const objects = await waitFor('the finished object', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    const regions = objects[0].regions;
    assert.ok(regions.length >= 2, `the painted island is a polygon of its own (${regions.length} regions)`);
    assert.ok(regions.some((r) => Math.min(...r.outer.filter((_, i) => i % 2 === 0)) > 380), 'a region right of the model\'s square');
  });

  it('brushes the finished object: one edit per stroke with its vertex count and IoU, undone by Ctrl+Z', async () => {
    const [before] = await debug(frame, 'objects');
    assert.equal((await debug(frame, 'selection'))?.id, before.id, 'the finished object is selected');
    await page.keyboard.press('b');
    await waitFor('the brush', async () => (await debug(frame, 'tool')) === 'brush');
    // Paint a bridge from the island back to the object.
    await dragImage(page, frame, { x: 350, y: 240 }, { x: 405, y: 240 });
    const edited = await waitFor('the edited geometry', async () => {
      const o = await debug(frame, 'objects');
      return JSON.stringify(o[0].regions) !== JSON.stringify(before.regions) ? o[0] : null;
    });
    assert.ok(edited.regions.length < before.regions.length, `the bridge joined the island (${before.regions.length} -> ${edited.regions.length} regions)`);
    assert.ok(Number(await frame.locator('[data-testid="brush-vertices"]').textContent()) >= 4);
    assert.ok(Number(await frame.locator('[data-testid="brush-iou"]').textContent()) > 0.9);
    await screenshot(page, 'brush-04-object-edited');
    await page.keyboard.press('Control+Z');
    await waitFor('undo of the stroke', async () => JSON.stringify((await debug(frame, 'objects'))[0].regions) === JSON.stringify(before.regions));
    await page.keyboard.press('Control+Shift+Z');
    await waitFor('redo of the stroke', async () => JSON.stringify((await debug(frame, 'objects'))[0].regions) === JSON.stringify(edited.regions));
    await page.keyboard.press('Control+S');
    await waitFor('the sidecar', () => existsSync(sidecar()));
    const coco = JSON.parse(readFileSync(sidecar(), 'utf8'));
    assert.equal(coco.annotations.length, 1);
    const ann = coco.annotations[0];
    // Regions with holes are saved as RLE with the exact rings beside it (edgeflow_regions).
    const rings = ann.edgeflow_regions ? ann.edgeflow_regions.map((r) => r.outer) : ann.segmentation;
    assert.equal(rings.length, edited.regions.length, 'one saved outline per region');
    const xs = rings.flatMap((p) => p.filter((_, i) => i % 2 === 0));
    assert.ok(Math.max(...xs) > 430, 'the painted island reaches past the model\'s square');
  });

  it('shows the in-progress mask on a red object in the red class (bug 6) and toggles the overlay opacity with O', async () => {
    await quickOpen(page, RED);
    frame = await editorFrame(page, RED_SIZE);
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 300, 200);
    await waitFor('the mask', () => ready(1), { timeout: 30000 });
    await waitFor('the outline', async () => Number(await panel().getAttribute('data-vertices')) >= 4);
    await screenshot(page, 'brush-05-red-object-mask');
    assert.equal(await debug(frame, 'overlayOpacity'), 1);
    await page.keyboard.press('o');
    await waitFor('half opacity', async () => (await debug(frame, 'overlayOpacity')) === 0.5);
    await page.keyboard.press('o');
    await waitFor('fills off', async () => (await debug(frame, 'overlayOpacity')) === 0);
    assert.match(await frame.locator('[data-testid="overlay-opacity"]').textContent(), /0 %/);
    await screenshot(page, 'brush-06-opacity-off');
    // An image opened next keeps the choice (the window's session UI).
    await page.keyboard.press('Escape');
    await quickOpen(page, 'images/plain.png');
    frame = await editorFrame(page, { width: 320, height: 240 });
    assert.equal(await debug(frame, 'overlayOpacity'), 0);
    await frame.click('[data-testid="overlay-opacity"]');
    await waitFor('full opacity', async () => (await debug(frame, 'overlayOpacity')) === 1);
  });

  it('with nothing selected, painting starts a new object that Space finishes', async () => {
    await frame.click('[data-testid="tool-brush"]');
    assert.equal(await debug(frame, 'selection'), null);
    await dragImage(page, frame, { x: 100, y: 100 }, { x: 200, y: 140 });
    await waitFor('the painted mask', async () => (await maskAt(150, 120)) === 1);
    // The object in progress shows the click panel (its options, Finish) under the brush's.
    const panels = () => frame.evaluate(() => [...document.querySelectorAll('[data-testid="side-panel"] [data-testid$="-panel"]')].map((e) => e.dataset.testid).filter((id) => id === 'brush-panel' || id === 'segment-panel'));
    assert.deepEqual(await panels(), ['brush-panel', 'segment-panel']);
    await page.keyboard.press('Space');
    const objects = await waitFor('the painted object', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    // Finished: the brush is the active tool, and its panel is the only one (issue 30).
    await waitFor('the brush panel alone', async () => JSON.stringify(await panels()) === '["brush-panel"]');
    assert.equal(await debug(frame, 'tool'), 'brush');
    const xs = objects[0].regions[0].outer.filter((_, i) => i % 2 === 0);
    assert.ok(Math.min(...xs) < 100 && Math.max(...xs) > 200, `the stroke's extent: ${Math.min(...xs)}..${Math.max(...xs)}`);
    await screenshot(page, 'brush-07-painted-object');
  });

  it('strokes on a 6000x4000 image cost well under a frame per pointer move', async function () {
    this.timeout(150000);
    await quickOpen(page, 'images/big.png');
    frame = await editorFrame(page, { ...BIG, timeout: 90000 });
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 3000, 2000);
    await waitFor('the mask', () => ready(1), { timeout: 90000 });
    await page.keyboard.press('b');
    await waitFor('the brush', async () => (await debug(frame, 'tool')) === 'brush');
    // Alt+wheel sizes the brush (the view does not zoom).
    const view = await debug(frame, 'view');
    const size0 = Number(await frame.locator('[data-testid="brush-panel"]').getAttribute('data-size'));
    const at = await imageToPage(frame, 3000, 2000);
    await page.mouse.move(at.x, at.y);
    await page.keyboard.down('Alt');
    await page.mouse.wheel(0, -120);
    await page.keyboard.up('Alt');
    await waitFor('a bigger brush', async () => Number(await frame.locator('[data-testid="brush-panel"]').getAttribute('data-size')) > size0);
    assert.equal((await debug(frame, 'view')).scale, view.scale, 'Alt+wheel did not zoom');
    // The webview's own time per pointer move: a capture listener on the window starts the clock,
    // a bubbling one (after the canvas's handler) stops it.
    await frame.evaluate(() => {
      const times = (window.__brushMoveMs = []);
      let t0 = 0;
      window.addEventListener('pointermove', () => (t0 = performance.now()), true);
      window.addEventListener('pointermove', () => times.push(performance.now() - t0));
      window.__edgeflowDebug.resetFrameStats();
    });
    // From inside the model's square outwards past it, across the disc.
    await dragImage(page, frame, { x: 3000, y: 2000 }, { x: 4200, y: 2600 }, { steps: 80 });
    await waitFor('the outline after the stroke', async () => Number(await panel().getAttribute('data-vertices')) >= 4 && (await maskAt(4100, 2550)) === 1);
    const moves = (await frame.evaluate(() => window.__brushMoveMs)).sort((a, b) => a - b);
    const draw = await debug(frame, 'frameStats');
    const median = moves[Math.floor(moves.length / 2)], p95 = moves[Math.floor(moves.length * 0.95)];
    console.log(`      6000x4000, ${moves.length} pointer moves of a stroke: median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${moves[moves.length - 1].toFixed(2)} ms; frames drawn ${draw.frames}, draw avg ${draw.avgMs} ms, p95 ${draw.p95Ms} ms`);
    assert.ok(median < 8, `median ${median} ms per pointer move`);
    await screenshot(page, 'brush-08-big-image-stroke');
    await page.keyboard.press('Space');
    await waitFor('the finished object', async () => (await debug(frame, 'objects')).length === 1, { timeout: 60000 });
  });
  it('brushes the click object in progress on a 7200x4000 image (a working copy): the stroke shows at once and is in the finished object', async function () {
    this.timeout(150000);
    await quickOpen(page, 'images/huge.png');
    frame = await editorFrame(page, { ...HUGE, timeout: 90000 });
    await frame.click('[data-testid="tool-segment"]');
    await clickImage(page, frame, 3600, 2000);
    await waitFor('the mask', () => ready(1), { timeout: 90000 });
    assert.equal(await maskAt(3600, 2000), 1);
    assert.equal(await maskAt(4900, 2000), 0, 'the model gives nothing at x = 4900');
    await page.keyboard.press('b');
    await waitFor('the brush', async () => (await debug(frame, 'tool')) === 'brush');
    const notices = () => frame.locator('[data-testid="notice"]').allTextContents().then((t) => t.join(' '));
    await dragImage(page, frame, { x: 4800, y: 2000 }, { x: 5000, y: 2000 });
    await waitFor('the painted stroke', async () => (await maskAt(4900, 2000)) === 1 && Number(await panel().getAttribute('data-strokes')) === 1);
    assert.doesNotMatch(await notices(), /image this large/);
    assert.equal(await maskAt(4900, 2300), 0, 'beyond the brush');
    await screenshot(page, 'brush-09-working-copy-stroke');
    // A second click keeps the stroke (the host drew it on its copy too).
    await page.keyboard.press('s');
    await waitFor('the click tool', async () => (await debug(frame, 'tool')) === 'segment');
    await clickImage(page, frame, 3500, 1900);
    await waitFor('the second mask', () => ready(2), { timeout: 90000 });
    assert.equal(await maskAt(4900, 2000), 1, 'the stroke survives the next click');
    await page.keyboard.press('Space');
    const objects = await waitFor('the finished object', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    }, { timeout: 60000 });
    const xs = objects[0].regions.flatMap((r) => r.outer.filter((_, i) => i % 2 === 0));
    assert.ok(Math.max(...xs) > 5000 && Math.max(...xs) < 5080, `the stroke's right end in the object: ${Math.max(...xs)}`);
  });
});
