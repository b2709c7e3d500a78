import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readBmpSize } from '../../src/shared/formats/imageHeader';
import { inputPath } from './helpers/golden';

describe('image headers', () => {
  it('reads BMP sizes (v3 and v4 headers, top-down and OS/2 core headers)', () => {
    assert.deepEqual(readBmpSize(readFileSync(inputPath('red-7x5.bmp'))), { width: 7, height: 5 });
    assert.deepEqual(readBmpSize(readFileSync(inputPath('blue-3x9.bmp'))), { width: 3, height: 9 });
    const topDown = new Uint8Array(54);
    topDown.set([0x42, 0x4d]);
    const v = new DataView(topDown.buffer);
    v.setUint32(14, 40, true);
    v.setInt32(18, 640, true);
    v.setInt32(22, -480, true);
    assert.deepEqual(readBmpSize(topDown), { width: 640, height: 480 });
    const core = new Uint8Array(26);
    core.set([0x42, 0x4d]);
    const c = new DataView(core.buffer);
    c.setUint32(14, 12, true);
    c.setUint16(18, 33, true);
    c.setUint16(20, 44, true);
    assert.deepEqual(readBmpSize(core), { width: 33, height: 44 });
  });

  it('rejects non-BMP data', () => {
    assert.equal(readBmpSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), undefined);
    assert.equal(readBmpSize(new Uint8Array(30).fill(0x42)), undefined);
    const zero = new Uint8Array(54);
    zero.set([0x42, 0x4d]);
    new DataView(zero.buffer).setUint32(14, 40, true);
    assert.equal(readBmpSize(zero), undefined, 'zero size');
  });
});
