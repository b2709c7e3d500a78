import * as assert from 'node:assert/strict';
import { checkObjects, rasterIoU } from '../../../src/shared/dataset/qualityChecks';
import { rasterizeObject } from '../../../src/shared/export/clean';
import { LABELS, box } from './helpers';

const codes = (f: { code: string; objectId?: number; otherObjectId?: number }[]) => f.map((x) => [x.code, x.objectId, x.otherObjectId]);

describe('quality checks', () => {
  it('clean objects: no finding', () => {
    assert.deepEqual(checkObjects('a.png.coco.json', [box(1, 1, 0, 0, 10, 10), box(2, 1, 20, 0, 10, 10), box(3, 2, 0, 0, 10, 10)], 40, 30, LABELS), []);
  });

  it('degenerate: an object that covers no pixel centre (a sliver, or outside the image)', () => {
    const sliver = { id: 4, classId: 1, regions: [{ outer: [0, 0.1, 30, 0.2, 30, 0.4], holes: [] }], hidden: false };
    const outside = box(5, 1, 50, 50, 5, 5);
    const f = checkObjects('a', [sliver, outside], 40, 30, LABELS);
    assert.deepEqual(codes(f), [['degenerate-object', 4, undefined], ['degenerate-object', 5, undefined]]);
    assert.ok(f.every((x) => x.severity === 'error'));
  });

  it('tiny: under minPixels (default 16), a warning; the threshold is an option', () => {
    assert.deepEqual(codes(checkObjects('a', [box(1, 1, 0, 0, 3, 5), box(2, 1, 10, 10, 4, 4)], 40, 30, LABELS)), [['tiny-object', 1, undefined]]);
    assert.deepEqual(codes(checkObjects('a', [box(2, 1, 10, 10, 4, 4)], 40, 30, LABELS, { minPixels: 17 })), [['tiny-object', 2, undefined]]);
  });

  it('near-duplicates: same class and IoU >= 0.9; another class or IoU below is not', () => {
    // 20x10 boxes shifted by 1 px: IoU 190/210 = 0.905; by 2 px: 180/220 = 0.82.
    const f = checkObjects('a', [box(1, 1, 0, 0, 20, 10), box(2, 1, 1, 0, 20, 10), box(3, 2, 0, 0, 20, 10), box(4, 1, 2, 15, 20, 10), box(5, 1, 4, 15, 20, 10)], 40, 30, LABELS);
    assert.deepEqual(codes(f), [['near-duplicate', 2, 1]]);
    assert.match(f[0].message, /IoU 0\.90/);
    assert.equal(f[0].severity, 'warning');
  });

  it('rasterIoU: identical 1, disjoint 0, partial as counted', () => {
    const a = rasterizeObject(box(1, 1, 0, 0, 10, 10).regions, 40, 30);
    assert.equal(rasterIoU(a, a), 1);
    assert.equal(rasterIoU(a, rasterizeObject(box(2, 1, 20, 0, 10, 10).regions, 40, 30)), 0);
    assert.equal(rasterIoU(a, rasterizeObject(box(2, 1, 5, 0, 10, 10).regions, 40, 30)), 50 / 150);
  });

  it('a class the labels file lacks is an error; without a labels file, not checked', () => {
    assert.deepEqual(codes(checkObjects('a', [box(1, 9, 0, 0, 10, 10)], 40, 30, LABELS)), [['unknown-class', 1, undefined]]);
    assert.deepEqual(checkObjects('a', [box(1, 9, 0, 0, 10, 10)], 40, 30, []), []);
  });
});
