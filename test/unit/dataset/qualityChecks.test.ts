import * as assert from 'node:assert/strict';
import { checkObjects, rasterIoU } from '../../../src/shared/dataset/qualityChecks';
import { rasterizeObject } from '../../../src/shared/export/clean';
import type { AnnotationObject } from '../../../src/shared/annotation';
import { rng } from '../helpers/masks';
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

  it('the shortcuts (no raster for clearly large or clearly apart objects) find what rasterising everything finds', () => {
    const rand = rng(33);
    const seen = new Set<string>();
    for (let round = 0; round < 40; round++) {
      const objects: AnnotationObject[] = [];
      for (let k = 0; k < 12; k++) {
        const prev = objects[objects.length - 1];
        if (prev && rand() < 0.4) {
          // A near copy: the previous object jittered by up to a pixel.
          const d = () => (rand() - 0.5) * 2;
          objects.push({ ...prev, id: k + 1, regions: prev.regions.map((r) => ({ outer: r.outer.map((v) => v + d()), holes: [] })) });
          continue;
        }
        const cx = rand() * 200, cy = rand() * 150, rad = 0.3 + rand() * (rand() < 0.3 ? 3 : 40), n = 3 + Math.floor(rand() * 12);
        const outer: number[] = [];
        for (let v = 0; v < n; v++) outer.push(cx + rad * (0.5 + rand() / 2) * Math.cos((2 * Math.PI * v) / n), cy + rad * (0.5 + rand() / 2) * Math.sin((2 * Math.PI * v) / n));
        objects.push({ id: k + 1, classId: 1 + Math.floor(rand() * 2), regions: [{ outer, holes: [] }], hidden: false });
      }
      const expected: string[] = [];
      const rasters = objects.map((o) => rasterizeObject(o.regions, 200, 150));
      rasters.forEach((r, i) => {
        if (r.area === 0) expected.push(`degenerate-object ${objects[i].id}`);
        else if (r.area < 16) expected.push(`tiny-object ${objects[i].id}`);
      });
      for (let i = 0; i < objects.length; i++) {
        for (let j = i + 1; j < objects.length; j++) {
          if (objects[i].classId === objects[j].classId && rasterIoU(rasters[i], rasters[j]) >= 0.9) expected.push(`near-duplicate ${objects[j].id}`);
        }
      }
      const got = checkObjects('a', objects, 200, 150, LABELS).map((f) => `${f.code} ${f.objectId}`);
      assert.deepEqual(got.sort(), expected.sort(), `round ${round}`);
      for (const e of expected) seen.add(e.split(' ')[0]);
    }
    // The rounds do meet every case.
    assert.deepEqual([...seen].sort(), ['degenerate-object', 'near-duplicate', 'tiny-object']);
  });
});
