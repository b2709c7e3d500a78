import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageSize, readJpegSize, readPngSize, readWebpSize } from '../../src/shared/formats/imageHeader';
import { inputPath, repoRoot } from './helpers/golden';

const sample = (name: string) => readFileSync(join(repoRoot(), 'samples', name));

describe('image headers: PNG, JPEG, WebP (fallback when sharp is unavailable)', () => {
  it('reads the sizes of the sample images', () => {
    assert.deepEqual(readPngSize(sample('street-01.png')), { width: 960, height: 640 });
    assert.deepEqual(readJpegSize(sample('street-02.jpg')), { width: 960, height: 640 });
    assert.deepEqual(readWebpSize(sample('street-03.webp')), { width: 800, height: 600 });
    assert.deepEqual(readImageSize(sample('cells-02.jpg')), { width: 512, height: 384 });
  });

  it('reads progressive JPEG and lossy/lossless WebP', () => {
    assert.deepEqual(readJpegSize(readFileSync(inputPath('header-progressive-6x4.jpg'))), { width: 6, height: 4 });
    assert.deepEqual(readWebpSize(readFileSync(inputPath('header-lossless-5x3.webp'))), { width: 5, height: 3 });
    assert.deepEqual(readWebpSize(readFileSync(inputPath('header-lossy-10x6.webp'))), { width: 10, height: 6 });
    assert.deepEqual(readImageSize(readFileSync(inputPath('red-7x5.bmp'))), { width: 7, height: 5 });
  });

  it('returns undefined for other or truncated data', () => {
    const png = sample('street-01.png');
    assert.equal(readPngSize(png.subarray(0, 20)), undefined);
    assert.equal(readJpegSize(png), undefined);
    assert.equal(readJpegSize(sample('street-02.jpg').subarray(0, 10)), undefined);
    assert.equal(readWebpSize(png), undefined);
    assert.equal(readImageSize(new Uint8Array(64)), undefined);
  });
});
