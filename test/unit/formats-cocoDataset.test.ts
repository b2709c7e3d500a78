import * as assert from 'node:assert/strict';
import {
  ANNOTATION_ID_STRIDE,
  CocoDatasetText,
  StableImageIds,
  annotationId,
  objectIdFromAnnotationId,
  parseCocoDataset,
} from '../../src/shared/formats/cocoDataset';

describe('COCO dataset text (streaming)', () => {
  it('produces valid JSON from header, images, spliced annotations and footer', () => {
    const t = new CocoDatasetText();
    let main = t.header({ description: 'd', version: '1', image_root: 'images', split: 'train' }, [{ id: 1, name: 'car', supercategory: '', color: '#ff0000' }]);
    main += t.image({ id: 5, file_name: 'a.png', width: 4, height: 3 });
    main += t.image({ id: 6, file_name: 'b.png', width: 4, height: 3 });
    const anns = t.annotation({ id: 7, image_id: 5, category_id: 1, segmentation: [[0, 0, 1, 0, 1, 1]], area: 1, bbox: [0, 0, 1, 1], iscrowd: 0 });
    const text = main + t.middle() + anns + t.footer();
    const parsed = JSON.parse(text);
    assert.equal(parsed.images.length, 2);
    assert.deepEqual(Object.keys(parsed.annotations[0]), ['id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd']);
    assert.equal(parsed.categories[0].color, '#ff0000');
    // One entry per line: 12 lines and the final newline.
    assert.equal(text.split('\n').length, 13);
  });

  it('is valid JSON with no images and no annotations', () => {
    const t = new CocoDatasetText();
    const text = t.header({ description: '', version: '1', image_root: '.', split: 'all' }, []) + t.middle() + t.footer();
    assert.deepEqual(JSON.parse(text).images, []);
  });

  it('gives stable 31-bit image ids from paths and probes on collisions', () => {
    const a = new StableImageIds();
    const b = new StableImageIds();
    const id = a.idFor('x/y.png');
    assert.equal(b.idFor('x/y.png'), id);
    assert.ok(id > 0 && id <= 0x7fffffff);
    // The same path twice (a forced collision) gets the next free id.
    assert.equal(a.idFor('x/y.png'), id === 0x7fffffff ? 1 : id + 1);
  });

  it('encodes object ids in annotation ids and decodes them back', () => {
    const ann = annotationId(123, 45);
    assert.equal(ann, 123 * ANNOTATION_ID_STRIDE + 45);
    assert.ok(Number.isSafeInteger(annotationId(0x7fffffff, ANNOTATION_ID_STRIDE - 1)));
    assert.equal(objectIdFromAnnotationId(123, ann), 45);
    assert.equal(objectIdFromAnnotationId(124, ann), undefined);
    assert.throws(() => annotationId(1, 0), /outside/);
  });

  it('parses datasets and names the bad entry', () => {
    const ok = parseCocoDataset('{"images":[{"id":1,"file_name":"a.png","width":2,"height":2}],"annotations":[],"categories":[{"id":3,"name":" car "}]}');
    assert.equal(ok.categories[0].name, 'car');
    assert.throws(() => parseCocoDataset('{"images":[{"id":1,"width":2,"height":2}],"annotations":[],"categories":[]}'), /images\[0\]\.file_name/);
    assert.throws(() => parseCocoDataset('{"images":[],"annotations":[{"id":"x"}],"categories":[]}'), /annotations\[0\]\.id/);
    assert.throws(() => parseCocoDataset('[]'), /JSON object/);
  });
});
