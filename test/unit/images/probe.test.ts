import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeBrowserCopy } from '../../../src/extension/image/convert';
import { ImageLoadError, probeImage } from '../../../src/extension/image/probe';
import { decodeImage } from '../../../src/extension/inference/decode';
import { makeCorpus, type CorpusEntry } from './corpus';

describe('bad and unusual images: probe and decode', function () {
  this.timeout(60_000);
  let dir: string;
  let corpus: CorpusEntry[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeflow-badimages-'));
    corpus = await makeCorpus(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('covers every kind the issue names', () => {
    const names = corpus.map((c) => c.name).join(' ');
    for (const kind of ['truncated.png', 'truncated.jpg', 'zero-bytes.png', 'png-named.jpg', 'text-named.png', 'rgb16.png', 'gray.png', 'gray-alpha.png', 'palette.png', 'cmyk.jpg', 'exif-3.jpg', 'exif-6.jpg', 'exif-8.jpg', 'alpha.png', 'animated.gif', 'rgb.webp', 'rgb.tif', 'ñandú é 图.png']) {
      assert.ok(names.includes(kind), `corpus lacks ${kind}`);
    }
  });

  it('gives every file a good image or a typed error, from its path and from its bytes', async () => {
    const failures: string[] = [];
    for (const c of corpus) {
      for (const input of [join(dir, c.name), readFileSync(join(dir, c.name))]) {
        const how = typeof input === 'string' ? 'path' : 'bytes';
        try {
          const p = await probeImage(input);
          if (c.expect !== 'ok') failures.push(`${c.name} (${how}): opened as ${p.format} ${p.width}x${p.height}, expected error ${c.code}`);
          else if (p.width !== c.width || p.height !== c.height) failures.push(`${c.name} (${how}): ${p.width}x${p.height}, expected ${c.width}x${c.height}`);
        } catch (e) {
          if (!(e instanceof ImageLoadError)) failures.push(`${c.name} (${how}): untyped ${(e as Error).stack}`);
          else if (c.expect === 'ok') failures.push(`${c.name} (${how}): ${e.code}: ${e.message}`);
          else if (e.code !== c.code) failures.push(`${c.name} (${how}): ${e.code} (${e.message}), expected ${c.code}`);
          else assert.ok(e.message.length > 15 && !/vips_|VipsImage|\bload_buffer\b/.test(e.message), `${c.name}: unclear message "${e.message}"`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('has the webview draw only still images straight from the file (animations are converted)', async () => {
    const native = async (name: string) => (await probeImage(join(dir, name))).browserNative;
    assert.equal(await native('rgb.png'), true);
    assert.equal(await native('png-named.jpg'), true);
    assert.equal(await native('animated.webp'), false);
    assert.equal(await native('animated.gif'), false);
    assert.equal(await native('rgb.tif'), false);
    // An APNG: acTL before the first IDAT.
    const png = readFileSync(join(dir, 'rgb.png'));
    const actl = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('acTL'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]), Buffer.from([0, 0, 0, 0])]);
    const apng = Buffer.concat([png.subarray(0, 33), actl, png.subarray(33)]);
    const p = await probeImage(apng);
    assert.deepEqual([p.format, p.width, p.browserNative], ['png', 96, false]);
  });

  it('decodes every good image to 8-bit RGB in the displayed frame (EXIF applied, corners where the user sees them)', async () => {
    const failures: string[] = [];
    for (const c of corpus.filter((x) => x.expect === 'ok')) {
      const img = await decodeImage(join(dir, c.name));
      if (img.width !== c.width || img.height !== c.height) {
        failures.push(`${c.name}: decoded ${img.width}x${img.height}, expected ${c.width}x${c.height}`);
        continue;
      }
      assert.equal(img.data.length, img.width * img.height * 3);
      if (!c.corners) continue; // damaged on purpose: only the size is known
      const at = (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
      const w = img.width;
      const h = img.height;
      const corners = c.corners;
      const [x0, y0, x1, y1] = [Math.min(4, w - 1), Math.min(4, h - 1), Math.max(0, w - 5), Math.max(0, h - 5)];
      const samples: [string, number[], [number, number, number]][] = [
        ['top-left', at(x0, y0), corners.tl],
        ['top-right', at(x1, y0), corners.tr],
        ['bottom-left', at(x0, y1), corners.bl],
        ['bottom-right', at(x1, y1), corners.br],
      ];
      for (const [where, got, want] of samples) {
        // JPEG, palette quantisation and the texture's +-6 stay well inside this; a wrong
        // orientation or channel order is off by 255.
        if (got.some((v, i) => Math.abs(v - want[i]) > 40)) failures.push(`${c.name} ${where}: [${got}] expected about [${want}]`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('converts what a webview cannot draw into a PNG that looks the same (first frame, EXIF applied)', async () => {
    const converted: string[] = [];
    for (const c of corpus.filter((x) => x.expect === 'ok' && x.corners)) {
      const p = await probeImage(join(dir, c.name));
      if (p.browserNative) continue;
      const target = join(dir, '.converted', `${converted.length}.png`);
      await writeBrowserCopy(join(dir, c.name), target);
      const { data, info } = await sharp(target).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [c.width, c.height], c.name);
      const tl = [...data.subarray(4 * 3 * info.width + 12, 4 * 3 * info.width + 15)];
      assert.ok(tl.every((v, i) => Math.abs(v - c.corners!.tl[i]) < 40), `${c.name}: top-left ${tl}`);
      converted.push(c.name);
    }
    for (const name of ['rgb.tif', 'cmyk.tif', 'multipage.tif', 'animated.gif', 'animated.webp', 'tiff-named.png']) assert.ok(converted.includes(name), `${name} converted`);
  });

  it('decode refuses the bad files with the same typed errors', async () => {
    for (const c of corpus.filter((x) => x.expect === 'error')) {
      await assert.rejects(decodeImage(join(dir, c.name)), (e: unknown) => e instanceof ImageLoadError && e.code === c.code, c.name);
    }
  });
});
