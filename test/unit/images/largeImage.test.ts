import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { deepZoomMaxLevel, prepareLargeImage, previewSize, readRegion, PREVIEW_SIDE, TILE_SIZE } from '../../../src/extension/image/largeImage';
import { LARGE_IMAGE_SIDE, probeImage } from '../../../src/extension/image/probe';
import { decodeImage } from '../../../src/extension/inference/decode';

/** A w x h RGB picture whose every pixel is distinct enough to catch an offset or a flip. */
function pattern(w: number, h: number): Buffer {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x >> 4) & 255;
      data[i + 1] = (y >> 4) & 255;
      data[i + 2] = x < w / 2 ? (y < h / 2 ? 40 : 120) : y < h / 2 ? 200 : 250;
    }
  }
  return data;
}

describe('very large images: preview, tiles and regions', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgeflow-large-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Deep Zoom geometry: the levels and the preview size', () => {
    assert.equal(deepZoomMaxLevel(20000, 20000), 15);
    assert.equal(deepZoomMaxLevel(512, 1), 9);
    assert.deepEqual(previewSize(20000, 10000), { width: PREVIEW_SIDE, height: PREVIEW_SIDE / 2 });
    assert.deepEqual(previewSize(1000, 500), { width: 1000, height: 500 });
  });

  it('makes a preview and a tile pyramid whose tiles are the image, in the displayed frame (EXIF 6)', async () => {
    // Stored 1200x17000 with orientation 6: displayed 17000x1200, over the 16384-pixel side limit.
    const W = 17000;
    const H = 1200;
    const shown = pattern(W, H);
    const file = join(dir, 'tall-exif6.jpg');
    const stored = await sharp(shown, { raw: { width: W, height: H, channels: 3 } }).rotate(270).jpeg({ quality: 95 }).toBuffer();
    await sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(file);
    const probe = await probeImage(file);
    assert.deepEqual([probe.width, probe.height, probe.orientation, probe.large, probe.browserNative], [W, H, 6, true, false]);
    assert.ok(W > LARGE_IMAGE_SIDE);
    const files = await prepareLargeImage(file, probe, join(dir, 'cache'));
    const pm = await sharp(files.preview).metadata();
    assert.deepEqual([pm.width, pm.height, files.previewWidth], [PREVIEW_SIDE, Math.round((H * PREVIEW_SIDE) / W), PREVIEW_SIDE]);
    await files.tilesReady;
    const top = join(files.tilesDir, String(files.maxLevel));
    assert.equal(files.maxLevel, 15);
    assert.equal(readdirSync(top).length, Math.ceil(W / TILE_SIZE) * Math.ceil(H / TILE_SIZE));
    // Tile (20, 1) at full resolution is the displayed image's pixels (JPEG twice: loose tolerance).
    const { data, info } = await sharp(join(top, '20_1.jpeg')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [TILE_SIZE, TILE_SIZE]);
    let worst = 0;
    for (let y = 0; y < TILE_SIZE; y += 37) {
      for (let x = 0; x < TILE_SIZE; x += 41) {
        const si = ((512 + y) * W + (20 * 512 + x)) * 3;
        const ti = (y * TILE_SIZE + x) * 3;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(data[ti + c] - shown[si + c]));
      }
    }
    assert.ok(worst < 24, `tile pixels differ by up to ${worst}`);
    // The last column is cut to the image.
    assert.equal((await sharp(join(top, `${Math.ceil(W / 512) - 1}_0.jpeg`)).metadata()).width, W - 33 * 512);
    // Cached: a second call finds both.
    const again = await prepareLargeImage(file, probe, join(dir, 'cache'));
    await again.tilesReady;
    assert.equal(again.preview, files.preview);

    // A region read straight from the file equals the same crop of the whole decode.
    const box = { x: 16000, y: 700, width: 300, height: 200 };
    const region = await readRegion(file, box);
    const whole = await decodeImage(file, { maxPixels: 1e9 });
    let diff = 0;
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width * 3; x++) diff = Math.max(diff, Math.abs(region.data[y * box.width * 3 + x] - whole.data[((box.y + y) * W + box.x) * 3 + x]));
    }
    assert.equal(diff, 0);
    const small = await readRegion(file, box, 150);
    assert.deepEqual([small.width, small.height], [150, 100]);
  });

  it('keeps alpha images in PNG tiles', async () => {
    const file = join(dir, 'alpha.png');
    await sharp({ create: { width: 16500, height: 600, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toFile(file);
    const probe = await probeImage(file);
    const files = await prepareLargeImage(file, probe, join(dir, 'cache-alpha'));
    await files.tilesReady;
    assert.equal(files.tileFormat, 'png');
    assert.ok(files.preview.endsWith('.png'));
    assert.ok(existsSync(join(files.tilesDir, String(files.maxLevel), '0_0.png')));
  });

  it('refuses a decode for segmentation beyond its pixel limit, with the sizes in words', async () => {
    const file = join(dir, 'wide.png');
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080' } }).png().toFile(file);
    await assert.rejects(decodeImage(file, { maxPixels: 10_000_000 }), /up to 10 megapixels; this one is 4000x3000 \(12 MP\)/);
  });
});
