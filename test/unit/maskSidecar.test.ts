import * as assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodePng } from '../../src/shared/export/png';
import { buildClassIdMask, classPalette, encodeMaskSidecar, isOurMaskPng } from '../../src/shared/formats/maskSidecar';
import type { AnnotationState } from '../../src/shared/annotation/types';
import { assertGolden } from './helpers/golden';

const state: AnnotationState = {
  objects: [
    { id: 1, classId: 2, regions: [{ outer: [0, 0, 6, 0, 6, 4, 0, 4], holes: [[1, 1, 3, 1, 3, 3, 1, 3]] }], hidden: false },
    // Overlaps the first: drawn later, wins. Hidden objects are still written.
    { id: 2, classId: 5, regions: [{ outer: [4, 2, 8, 2, 8, 6, 4, 6], holes: [] }], hidden: true },
  ],
  nextId: 3,
};
const labels = [
  { id: 2, name: 'car', color: '#ff0000' },
  { id: 5, name: 'tree', color: '#00ff00' },
];

describe('mask sidecar (8-bit palette PNG of class ids)', () => {
  it('paints class ids in drawing order with holes left as background', () => {
    const m = buildClassIdMask(state, 8, 6);
    const rows = [];
    for (let y = 0; y < 6; y++) rows.push([...m.subarray(y * 8, y * 8 + 8)].join(''));
    assert.deepEqual(rows, ['22222200', '20022200', '20025555', '22225555', '00005555', '00005555']);
  });

  it('encodes a palette PNG that decodes to the same ids, with class colours and provenance', () => {
    const png = encodeMaskSidecar(state, labels, 8, 6, (d) => deflateSync(d));
    const dec = decodePng(png, (d) => inflateSync(d));
    assert.equal(dec.colorType, 3);
    assert.deepEqual([...dec.data], [...buildClassIdMask(state, 8, 6)]);
    assert.deepEqual([...dec.palette!.subarray(2 * 3, 2 * 3 + 3)], [255, 0, 0]);
    assert.deepEqual([...dec.palette!.subarray(0, 3)], [0, 0, 0]);
    assert.ok(isOurMaskPng(png));
    assertGolden('sidecar/mask-8x6.mask.png', png);
  });

  it('recognises foreign PNGs as not ours, without throwing on junk', () => {
    const plain = encodeMaskSidecar(state, labels, 8, 6, (d) => deflateSync(d));
    // Strip our tEXt chunk (right after IHDR: 8 + 25 bytes; chunk = 12 + "Software\0EdgeFlow Annotator").
    const textLen = 12 + 'Software\0EdgeFlow Annotator'.length;
    const foreign = new Uint8Array(plain.length - textLen);
    foreign.set(plain.subarray(0, 33));
    foreign.set(plain.subarray(33 + textLen), 33);
    assert.ok(!isOurMaskPng(foreign));
    assert.ok(!isOurMaskPng(new Uint8Array([1, 2, 3])));
    assert.ok(!isOurMaskPng(plain.subarray(0, 40)));
    assert.equal(classPalette([]).length, 768);
  });
});
