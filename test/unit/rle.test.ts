import * as assert from 'node:assert/strict';
import {
  countsArea,
  countsBBox,
  countsToString,
  decodeRle,
  encodeRle,
  maskToCounts,
  stringToCounts,
} from '../../src/shared/formats/rle';

/** Builds a row-major mask from rows of '#' (1) and '.' (0). */
function mask(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0].length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)));
  return { m, w, h };
}

describe('RLE (COCO compressed, column-major)', () => {
  it('counts runs column by column, starting with zeros', () => {
    // Column-major reading of this 3x2 (w=2, h=3) mask: col0 = 0,1,1 ; col1 = 1,0,0
    const { m, w, h } = mask(['.#', '#.', '#.']);
    assert.deepEqual(maskToCounts(m, w, h), [1, 3, 2]);
  });

  it('starts with a zero-length run when the first pixel is set', () => {
    const { m, w, h } = mask(['##', '##']);
    assert.deepEqual(maskToCounts(m, w, h), [0, 4]);
  });

  it('encodes known strings (hand-derived from the format: 48 + 5-bit groups, deltas from the 4th count)', () => {
    // [4]: one group 4 -> '4'
    assert.equal(countsToString([4]), '4');
    // [0, 4]: '0', '4'
    assert.equal(countsToString([0, 4]), '04');
    // 16 needs two groups because bit 0x10 is the sign: 16 = 0b10000 -> group 16|0x20=48 -> '`', then 0 -> '0'
    assert.equal(countsToString([16]), '`0');
    // 100 = 0b11_00100 -> groups 4|0x20 = 36 -> 'T', then 3 -> '3'
    assert.equal(countsToString([100]), 'T3');
    // Fourth count stored as difference to the second: [1,2,3,2] -> 1,2,3,(2-2=0) -> '1230'
    assert.equal(countsToString([1, 2, 3, 2]), '1230');
    // Negative delta: [5,10,5,7] -> 7-10 = -3 -> group (-3 & 31) = 29 (sign bit set, x>>5 = -1: stop) -> 29+48 = 'M'
    assert.equal(countsToString([5, 10, 5, 7]), '5:5M');
  });

  it('decodes what it encodes, including large and negative deltas', () => {
    const cases = [[4], [0, 4], [16], [100], [1, 2, 3, 2], [5, 10, 5, 7], [0, 1, 123456, 7, 9, 1000000, 3, 2 ** 24]];
    for (const c of cases) {
      const r = stringToCounts(countsToString(c));
      assert.ok(r.ok);
      assert.deepEqual(r.value, c);
    }
  });

  it('round-trips masks through encode/decode', () => {
    const { m, w, h } = mask(['..##.', '.###.', '#...#', '#####']);
    const rle = encodeRle(m, w, h);
    assert.deepEqual(rle.size, [4, 5]);
    const d = decodeRle(rle);
    assert.ok(d.ok);
    assert.deepEqual([...d.value.mask], [...m]);
    assert.equal(d.value.width, 5);
    assert.equal(d.value.height, 4);
  });

  it('decodes uncompressed counts', () => {
    const d = decodeRle({ size: [3, 2], counts: [1, 3, 2] });
    assert.ok(d.ok);
    assert.deepEqual([...d.value.mask], [0, 1, 1, 0, 1, 0]);
  });

  it('computes area and bbox like pycocotools toBbox', () => {
    const { m, w, h } = mask(['....', '.##.', '.#..', '....']);
    const c = maskToCounts(m, w, h);
    assert.equal(countsArea(c), 3);
    assert.deepEqual(countsBBox(c, h), [1, 1, 2, 2]);
    assert.deepEqual(countsBBox([16], 4), [0, 0, 0, 0]);
  });

  it('rejects bad input with typed errors', () => {
    const bad1 = decodeRle({ size: [2, 2], counts: [1, 2] });
    assert.ok(!bad1.ok && bad1.error.code === 'invalid-rle' && /sum to 3/.test(bad1.error.message));
    const bad2 = decodeRle({ size: [2, 2], counts: '\u0001' });
    assert.ok(!bad2.ok && bad2.error.code === 'invalid-rle');
    const bad3 = stringToCounts('`'); // continuation bit set but string ends
    assert.ok(!bad3.ok);
    const bad4 = decodeRle({ size: [2, 2], counts: [2, -1, 3] });
    assert.ok(!bad4.ok);
  });
});
