import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { goldenPath } from '../helpers/golden';
import { AUTO_MIN_BYTE, autoThresholdByte, byteThresholdTable, protocolThreshold, thresholdOfByte } from '../../../src/shared/inference/postprocess';

interface Case { width: number; height: number; bytes: string; k: number }
const golden = JSON.parse(readFileSync(goldenPath('inference/auto-threshold.json'), 'utf8')) as { cases: Case[] };

/** The expected IoU of `bytes >= k` against a target drawn from the probabilities, by brute force. */
function expectedIoU(q: Uint8Array, k: number): number {
  let inter = 0, n = 0, below = 0;
  for (const b of q) {
    if (b >= k) {
      inter += b;
      n++;
    } else below += b;
  }
  return inter / (255 * n + below);
}

describe('automatic first-click threshold', () => {
  it('picks the same byte as the Python protocol on every golden map', () => {
    assert.ok(golden.cases.length >= 20);
    const ks = new Set<number>();
    for (const c of golden.cases) {
      const q = new Uint8Array(Buffer.from(c.bytes, 'base64'));
      assert.equal(q.length, c.width * c.height);
      assert.equal(autoThresholdByte(q), c.k);
      ks.add(c.k);
    }
    assert.ok(ks.has(128) && Math.min(...ks) < 80, 'the golden set has lowered and kept thresholds');
  });

  it('maximises the expected IoU, ties going to the higher byte', () => {
    const q = new Uint8Array(60 * 60);
    for (let r = 5; r < 55; r++) for (let c = 5; c < 55; c++) q[r * 60 + c] = 90; // p about 0.35
    for (let r = 25; r < 35; r++) for (let c = 25; c < 35; c++) q[r * 60 + c] = 240;
    const k = autoThresholdByte(q);
    assert.ok(k >= AUTO_MIN_BYTE && k <= 90, `the spread-out band is taken (k ${k})`);
    let best = -1, bestK = -1;
    for (let j = AUTO_MIN_BYTE; j <= 128; j++) {
      const v = expectedIoU(q, j);
      if (v >= best) [best, bestK] = [v, j];
    }
    assert.equal(k, bestK);
    assert.equal(k, 90, 'no byte between 91 and 128: the highest k with the same mask');
  });

  it('keeps 0.5 for a confident map and for an empty one', () => {
    const q = new Uint8Array(400);
    q.fill(250, 100, 300);
    q.fill(100, 300, 310); // a soft rim outside
    assert.equal(autoThresholdByte(q), 128);
    assert.equal(autoThresholdByte(new Uint8Array(50)), 128);
    assert.equal(thresholdOfByte(128), 0.5);
  });

  it('thresholdOfByte(k) masks exactly the bytes >= k', () => {
    for (let k = AUTO_MIN_BYTE; k <= 128; k++) {
      const table = byteThresholdTable(thresholdOfByte(k));
      for (let v = 0; v < 256; v++) assert.equal(table[v], v >= k ? 1 : 0, `k ${k} v ${v}`);
    }
  });
});

describe('protocol threshold', () => {
  it('is automatic on click 1 and 0.5 after', () => {
    const q = new Uint8Array(100);
    q.fill(90, 0, 80);
    q.fill(240, 80, 100);
    assert.equal(protocolThreshold(q, 1), thresholdOfByte(90));
    assert.equal(protocolThreshold(q, 2), 0.5);
  });
});
