// UI end to end for issue 4's bad and very large images, in a real VS Code (code-server) with the
// packaged VSIX: a corrupt image shows a clear message in the editor area and the extension host
// keeps working (a good image then opens normally); a very large image opens through its preview,
// shows full-resolution tiles when zoomed in, a polygon drawn on it is saved in full-resolution
// image coordinates and a click segments its disc; an EXIF-rotated photo shows upright.
// Screenshots in test-results/e2e/badimages-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { testImage } from '../lib/fixtures.mjs';
import { startSession } from '../lib/session.mjs';
import { activeTab, clickImage, debug, editorFrame, imageToPage, quickOpen, screenshot, screenshotIfFailed, waitFor } from '../lib/workbench.mjs';

// 60 megapixels: over the 50 MP threshold, so it is shown through a preview and tiles, and quick
// enough to cut into tiles inside the scenario's time budget.
const BIG = { width: 10000, height: 6000 };
// A polygon around the big image's disc (image pixels), clockwise.
const SHAPE = [[3000, 1500], [7000, 1500], [7000, 4500], [3000, 4500]];

/** A large picture that compresses well: a blocky pattern and one disc, made by upscaling. */
async function bigImage(file) {
  const w = BIG.width / 20;
  const h = BIG.height / 20;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const inDisc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2;
      raw[i] = inDisc ? 230 : 40 + ((x * 3) & 63);
      raw[i + 1] = inDisc ? 160 : 50 + ((y * 5) & 63);
      raw[i + 2] = inDisc ? 30 : 90 + (((x ^ y) * 2) & 63);
    }
  }
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).resize(BIG.width, BIG.height, { kernel: 'nearest' }).jpeg({ quality: 90 }).toFile(file);
}

describe('bad and very large images (VSIX in code-server)', function () {
  this.timeout(60000);
  let workspace;
  let session;
  let page;

  before(async function () {
    this.timeout(120000);
    workspace = mkdtempSync(join(tmpdir(), 'edgeflow-badimages-'));
    mkdirSync(join(workspace, 'images'));
    const good = await (await testImage(320, 240, { seed: 9 })).png().toBuffer();
    writeFileSync(join(workspace, 'images/broken.png'), good.subarray(0, Math.floor(good.length / 2)));
    writeFileSync(join(workspace, 'images/ñandú é 图.png'), good);
    await bigImage(join(workspace, 'images/big.jpg'));
    // Displayed 96x64 with red top-left and green top-right; stored turned a quarter, EXIF orientation 6.
    const shown = Buffer.alloc(96 * 64 * 3);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 96; x++) shown.set(y < 32 ? (x < 48 ? [255, 0, 0] : [0, 255, 0]) : x < 48 ? [0, 0, 255] : [255, 255, 255], (y * 96 + x) * 3);
    const stored = await sharp(shown, { raw: { width: 96, height: 64, channels: 3 } }).rotate(270).jpeg({ quality: 95 }).toBuffer();
    await sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(join(workspace, 'images/exif-6.jpg'));
    session = await startSession(workspace, { settings: { 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator', '*.jpg': 'edgeflow.annotator' } } });
    page = session.page;
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'badimages-');
  });

  after(async () => {
    await session?.stop();
    if (workspace && !process.env.EDGEFLOW_KEEP) rmSync(workspace, { recursive: true, force: true });
  });

  it('shows why a truncated PNG cannot be opened, in the editor', async () => {
    await quickOpen(page, 'images/broken.png');
    const text = await waitFor('the message in the editor', async () => {
      for (const frame of page.frames()) {
        const t = await frame
          .evaluate(() => (document.body?.dataset.edgeflowImageError === '1' ? document.querySelector('[data-testid="canvas-error"]')?.textContent : null))
          .catch(() => null);
        if (t) return t;
      }
      return null;
    });
    assert.match(text, /Cannot open broken\.png: the PNG is cut short/);
    assert.equal((await activeTab(page)).label, 'broken.png');
    await screenshot(page, 'badimages-01-truncated');
  });

  it('still opens a good image afterwards (the extension host is alive), whatever its name', async () => {
    await quickOpen(page, 'images/ñandú é 图.png');
    const frame = await editorFrame(page, { width: 320, height: 240 });
    assert.equal((await activeTab(page)).label, 'ñandú é 图.png');
    assert.deepEqual(await debug(frame, 'objects'), []);
    await screenshot(page, 'badimages-02-good-after-bad');
  });

  it('shows an EXIF-rotated photo the way it is meant to be seen, in the frame its coordinates use', async () => {
    await quickOpen(page, 'images/exif-6.jpg');
    // 96x64 is the displayed size (the stored pixels are 64x96).
    const f = await editorFrame(page, { width: 96, height: 64 });
    const colourAt = async (x, y) => {
      const p = await imageToPage(f, x, y);
      const png = await page.screenshot({ clip: { x: Math.round(p.x), y: Math.round(p.y), width: 1, height: 1 } });
      return [...(await sharp(png).removeAlpha().raw().toBuffer())];
    };
    const close = (a, b) => a.every((v, i) => Math.abs(v - b[i]) < 60);
    const tl = await colourAt(10, 10);
    const tr = await colourAt(86, 10);
    const bl = await colourAt(10, 54);
    assert.ok(close(tl, [255, 0, 0]), `top-left is red: ${tl}`);
    assert.ok(close(tr, [0, 255, 0]), `top-right is green: ${tr}`);
    assert.ok(close(bl, [0, 0, 255]), `bottom-left is blue: ${bl}`);
    await screenshot(page, 'badimages-03-exif-6');
  });

  let frame;
  it('opens a 10000x6000 JPEG through a preview, with full-resolution tiles when zoomed in', async () => {
    const t0 = Date.now();
    await quickOpen(page, 'images/big.jpg');
    frame = await editorFrame(page, BIG);
    const firstDisplayMs = Date.now() - t0;
    const image = await debug(frame, 'image');
    assert.ok(image.tiles, 'the webview is given tiles');
    assert.equal(image.tiles.tileSize, 512);
    await screenshot(page, 'badimages-04-big-fit');
    // The disc's edge at 1:1: only tiles can show it sharp.
    await frame.evaluate(() => window.__edgeflowDebug.zoomTo(5000 - 1500, 3000, 1));
    const tiles = await waitFor('full-resolution tiles on screen', async () => {
      const t = await debug(frame, 'tiles');
      return t && t.loaded >= 4 ? t : null;
    }, { timeout: 40000, interval: 250 });
    assert.ok(tiles.cached <= 160, `tile cache bounded: ${tiles.cached}`);
    await new Promise((r) => setTimeout(r, 300));
    await screenshot(page, 'badimages-05-big-tiles-1to1');
    console.log(`      big image: first display ${firstDisplayMs} ms, ${tiles.loaded} tiles loaded at 1:1`);
  });

  it('saves a polygon drawn on the large image in full-resolution coordinates', async () => {
    await frame.evaluate(() => window.__edgeflowDebug.zoomTo(5000, 3000, 0.1));
    await frame.click('[data-testid="tool-polygon"]');
    for (const [x, y] of SHAPE) await clickImage(page, frame, x, y);
    await clickImage(page, frame, SHAPE[0][0], SHAPE[0][1]);
    const [object] = await waitFor('the finished polygon', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 1 ? o : null;
    });
    // One screen pixel is 10 image pixels at this zoom.
    const ring = object.regions[0].outer;
    SHAPE.forEach(([x, y], i) => assert.ok(Math.abs(ring[2 * i] - x) <= 10 && Math.abs(ring[2 * i + 1] - y) <= 10, `vertex ${i}: ${ring[2 * i]},${ring[2 * i + 1]}`));
    await page.keyboard.press('Control+S');
    const sidecar = join(workspace, 'images/big.jpg.coco.json');
    const coco = await waitFor('the sidecar', () => (existsSync(sidecar) ? JSON.parse(readFileSync(sidecar, 'utf8')) : null));
    assert.deepEqual([coco.images[0].width, coco.images[0].height], [BIG.width, BIG.height]);
    const seg = coco.annotations[0].segmentation[0];
    assert.equal(seg.length, SHAPE.length * 2);
    SHAPE.forEach(([x, y], i) => assert.ok(Math.abs(seg[2 * i] - x) <= 10 && Math.abs(seg[2 * i + 1] - y) <= 10, `saved vertex ${i}: ${seg[2 * i]},${seg[2 * i + 1]}`));
    const [bx, by, bw, bh] = coco.annotations[0].bbox;
    assert.ok(bw > 3900 && bh > 2900 && bx > 2980 && by > 1480, `bbox ${coco.annotations[0].bbox}`);
    await screenshot(page, 'badimages-06-big-polygon-saved');
  });

  it('segments the large image with a click (on a working copy), in full-resolution coordinates', async () => {
    await frame.click('[data-testid="tool-select"]');
    await page.keyboard.press('Escape');
    await waitFor('no selection', async () => (await debug(frame, 'selection')) === null);
    await frame.click('[data-testid="tool-segment"]');
    const t0 = Date.now();
    await clickImage(page, frame, 5000, 3000);
    const panel = frame.locator('[data-testid="segment-panel"]');
    await waitFor('the mask', async () => Number(await panel.getAttribute('data-area')) > 0 && (await panel.getAttribute('data-state')) === 'ready', { timeout: 45000, interval: 200 });
    const firstMaskMs = Date.now() - t0;
    await page.keyboard.press('Space');
    const objects = await waitFor('the segmented object', async () => {
      const o = await debug(frame, 'objects');
      return o.length === 2 ? o : null;
    });
    // The disc: centre (5000, 3000), radius 1500 image pixels.
    const ring = objects[1].regions[0].outer;
    const xs = ring.filter((_, i) => i % 2 === 0);
    const ys = ring.filter((_, i) => i % 2 === 1);
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    const want = [3500, 1500, 6500, 4500];
    box.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 120, `disc box ${box.map(Math.round)} ~ ${want}`));
    console.log(`      large image click segmentation: first mask ${firstMaskMs} ms, disc box ${box.map(Math.round)}`);
    await screenshot(page, 'badimages-07-big-click-segmentation');
  });
});
