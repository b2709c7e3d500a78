import * as assert from 'node:assert/strict';
import type { AnnotationState } from '../../src/shared/annotation/types';
import {
  SIDECAR_FORMAT,
  buildCocoSidecar,
  cocoSidecarName,
  readCocoSidecar,
  writeCocoSidecar,
} from '../../src/shared/formats/cocoSidecar';
import { decodeRle } from '../../src/shared/formats/rle';
import { rasterizeMultiPolygon } from '../../src/shared/geometry/polygon';
import type { Label } from '../../src/shared/labels';
import { assertGolden, readInput } from './helpers/golden';

const labels: Label[] = [
  { id: 2, name: 'person', color: '#3cb44b' },
  { id: 1, name: 'car', color: '#e6194b' },
];
const image = { fileName: 'street.png', width: 64, height: 48 };

function state(): AnnotationState {
  return {
    objects: [
      // Fractional coordinates that need rounding to 0.01.
      { id: 3, classId: 1, regions: [{ outer: [10.004, 5.126, 30.5, 5, 30.5, 20.333333, 10, 20], holes: [] }], hidden: false },
      // Two regions, no holes: a COCO polygon list with two rings.
      {
        id: 1,
        classId: 2,
        regions: [
          { outer: [40, 2, 50, 2, 45, 12], holes: [] },
          { outer: [52, 2, 60, 2, 60, 10, 52, 10], holes: [] },
        ],
        hidden: true,
      },
      // With a hole: RLE segmentation + edgeflow_regions; class 7 is not in the labels file.
      { id: 8, classId: 7, regions: [{ outer: [2, 24, 22, 24, 22, 44, 2, 44], holes: [[7, 29, 17, 29, 17, 39, 7, 39]] }], hidden: false },
    ],
    nextId: 9,
  };
}

describe('COCO sidecar', () => {
  it('names the sidecar after the full image file name', () => {
    assert.equal(cocoSidecarName('a/b/img.final.png'), 'a/b/img.final.png.coco.json');
  });

  it('writes the golden file', () => {
    assertGolden('sidecar/street.png.coco.json', writeCocoSidecar(image, labels, state(), { generator: 'EdgeFlow Annotator (test)' }));
  });

  it('write -> read -> write is byte-identical', () => {
    const a = writeCocoSidecar(image, labels, state());
    const r = readCocoSidecar(a);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.ok(r.value.ours);
    const b = writeCocoSidecar(r.value.image, labels, r.value.state);
    assert.equal(b, a);
  });

  it('is valid COCO with polygon, bbox, area, iscrowd and provenance', () => {
    const c = buildCocoSidecar(image, labels, state()) as {
      info: { edgeflow: { format: string } };
      images: unknown[];
      categories: { id: number; name: string }[];
      annotations: Record<string, unknown>[];
    };
    assert.equal(c.info.edgeflow.format, SIDECAR_FORMAT);
    assert.deepEqual(c.images, [{ id: 1, file_name: 'street.png', width: 64, height: 48 }]);
    assert.deepEqual(c.categories.map((k) => [k.id, k.name]), [[1, 'car'], [2, 'person'], [7, 'class_7']]);
    const [a, b, h] = c.annotations;
    assert.deepEqual(Object.keys(a), ['id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd']);
    assert.deepEqual(a.segmentation, [[10, 5.13, 30.5, 5, 30.5, 20.33, 10, 20]]);
    assert.deepEqual(a.bbox, [10, 5, 20.5, 15.33]);
    assert.equal(a.iscrowd, 0);
    assert.equal((b.segmentation as unknown[]).length, 2);
    assert.equal(b.edgeflow_hidden, true);
    assert.equal(b.area, 50 + 64);
    assert.equal(h.area, 400 - 100);
    assert.equal(h.iscrowd, 0);
  });

  it('stores holes as RLE that decodes to the rasterised polygon, and keeps the rings', () => {
    const c = buildCocoSidecar(image, labels, state()) as { annotations: Record<string, unknown>[] };
    const h = c.annotations[2];
    const d = decodeRle(h.segmentation as { size: [number, number]; counts: string });
    assert.ok(d.ok);
    const expected = rasterizeMultiPolygon(state().objects[2].regions, 64, 48);
    assert.deepEqual(d.value.mask, expected);
    assert.equal(d.value.mask.reduce((s, v) => s + v, 0), 300);
    assert.deepEqual(h.edgeflow_regions, state().objects[2].regions);
    const r = readCocoSidecar(writeCocoSidecar(image, labels, state()));
    assert.ok(r.ok);
    assert.deepEqual(r.value.state.objects[2].regions, state().objects[2].regions);
  });

  it('reads a foreign COCO file (no provenance) and normalises it', () => {
    const r = readCocoSidecar(readInput('sidecar/foreign.coco.json'));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.equal(r.value.ours, false);
    assert.deepEqual(r.value.image, { fileName: 'street.jpg', width: 40, height: 30 });
    assert.deepEqual(r.value.categories, [{ id: 3, name: 'car' }, { id: 9, name: 'person' }]);
    assert.deepEqual(r.value.state.objects.map((o) => [o.id, o.classId, o.regions.length]), [[11, 3, 1], [4, 9, 2]]);
    assert.deepEqual(r.value.state.objects[0].regions[0].outer, [1, 2.5, 10, 2.5, 10, 8.12, 1, 8]);
    assert.equal(r.value.state.nextId, 12);
    assertGolden('sidecar/foreign-normalised.coco.json', writeCocoSidecar(r.value.image, [], r.value.state, { generator: 'EdgeFlow Annotator (test)' }));
  });

  it('keeps keys it does not use (licenses, info/image extras, annotation attributes) across read -> write', () => {
    const base = JSON.parse(writeCocoSidecar(image, labels, state()));
    base.licenses = [{ id: 1, name: 'CC0' }];
    base.info.url = 'https://example.org';
    base.images[0].license = 1;
    base.annotations[0].attributes = { occluded: true };
    base.annotations[0].score = 0.9;
    base.annotations[0].area = 1; // a known key: recomputed, not kept
    base.review = { by: 'someone' };
    const r = readCocoSidecar(JSON.stringify(base));
    assert.ok(r.ok);
    // Attributes are the object's now (issue 30); the other unknown keys stay extras.
    assert.deepEqual(r.value.extras.annotations, { 3: { score: 0.9 } });
    assert.deepEqual(r.value.state.objects[0].attributes, { occluded: true });
    const out = JSON.parse(writeCocoSidecar(r.value.image, labels, r.value.state, { extras: r.value.extras }));
    assert.deepEqual(out.licenses, [{ id: 1, name: 'CC0' }]);
    assert.equal(out.info.url, 'https://example.org');
    assert.equal(out.images[0].license, 1);
    assert.deepEqual(Object.keys(out.annotations[0]), ['id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd', 'attributes', 'score']);
    assert.equal(out.annotations[0].area, 309.55, 'recomputed, not the edited value');
    assert.deepEqual(out.review, { by: 'someone' });
    // Deleting the object drops its extras; the rest stays byte-stable.
    const text = writeCocoSidecar(r.value.image, labels, r.value.state, { extras: r.value.extras });
    const again = readCocoSidecar(text);
    assert.ok(again.ok);
    assert.equal(writeCocoSidecar(again.value.image, labels, again.value.state, { extras: again.value.extras }), text);
  });

  it('reads an empty annotation list', () => {
    const r = readCocoSidecar(writeCocoSidecar(image, [], { objects: [], nextId: 1 }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.state, { objects: [], nextId: 1 });
  });

  it('accepts foreign RLE only through a mask tracer', () => {
    const text = JSON.stringify({
      images: [{ id: 1, width: 2, height: 2 }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: { size: [2, 2], counts: [0, 4] } }],
    });
    const r1 = readCocoSidecar(text);
    assert.ok(!r1.ok && r1.error.code === 'unsupported');
    const r2 = readCocoSidecar(text, { maskToRegions: () => [{ outer: [0, 0, 2, 0, 2, 2, 0, 2], holes: [] }] });
    assert.ok(r2.ok);
    assert.deepEqual(r2.value.state.objects[0].regions[0].outer, [0, 0, 2, 0, 2, 2, 0, 2]);
  });

  it('returns typed errors for bad input, never throws', () => {
    const img = '"images":[{"id":1,"width":10,"height":10}]';
    const cases: [string, string][] = [
      ['not json', 'invalid-json'],
      ['[1,2]', 'not-coco'],
      ['{"annotations":[]}', 'not-coco'],
      ['{"images":[],"annotations":[]}', 'unsupported'],
      ['{"images":[{"id":1},{"id":2}],"annotations":[]}', 'unsupported'],
      ['{"images":[{"id":1,"width":0,"height":10}],"annotations":[]}', 'not-coco'],
      [`{${img}}`, 'not-coco'],
      [`{${img},"categories":{},"annotations":[]}`, 'not-coco'],
      [`{${img},"annotations":[5]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"image_id":2,"category_id":1,"segmentation":[[0,0,1,0,1,1]]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":0,"category_id":1,"segmentation":[[0,0,1,0,1,1]]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":"a","segmentation":[[0,0,1,0,1,1]]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":[[0,0,1,0]]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":[]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":[[0,0,1,0,1,1]]},{"id":1,"category_id":1,"segmentation":[[0,0,1,0,1,1]]}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":{"size":[10,10],"counts":[5]}}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":{"size":[3,3],"counts":[9]}}]}`, 'invalid-annotation'],
      [`{${img},"annotations":[{"id":1,"category_id":1,"segmentation":[[0,0,1,0,1,1]],"edgeflow_regions":[{"outer":"x"}]}]}`, 'invalid-annotation'],
      [`{"info":{"edgeflow":{"format":"${SIDECAR_FORMAT}","formatVersion":99}},${img},"annotations":[]}`, 'unsupported'],
    ];
    for (const [text, code] of cases) {
      const r = readCocoSidecar(text);
      assert.ok(!r.ok, text);
      assert.equal(r.error.code, code, `${text}: ${r.error.message}`);
    }
  });
});
