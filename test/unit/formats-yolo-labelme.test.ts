import * as assert from 'node:assert/strict';
import { bridgeRings, yamlString, yoloDataYaml, yoloSegLine } from '../../src/shared/formats/yolo';
import { circleToRing, labelmeMaskShape, labelmePolygonShapes, parseLabelme, writeLabelme } from '../../src/shared/formats/labelme';
import { rasterizeMultiPolygon } from '../../src/shared/geometry/polygon';

describe('YOLO-seg', () => {
  it('writes normalised coordinates with the class index first', () => {
    const line = yoloSegLine(2, [{ outer: [0, 0, 50, 0, 50, 25], holes: [] }], 100, 50);
    assert.equal(line, '2 0 0 0.5 0 0.5 0.5');
  });

  it('clamps to [0, 1] and skips objects without a ring', () => {
    assert.equal(yoloSegLine(0, [{ outer: [-5, 0, 150, 0, 150, 60], holes: [] }], 100, 50), '0 0 0 1 0 1 1');
    assert.equal(yoloSegLine(0, [], 100, 50), undefined);
  });

  it('joins a hole by a zero-width bridge so the even-odd fill keeps the hole', () => {
    const regions = [{ outer: [0, 0, 20, 0, 20, 20, 0, 20], holes: [[5, 5, 15, 5, 15, 15, 5, 15]] }];
    const ring = bridgeRings(regions);
    assert.equal(ring.length, 2 * (4 + 4 + 2));
    const a = rasterizeMultiPolygon(regions, 20, 20);
    const b = rasterizeMultiPolygon([{ outer: ring, holes: [] }], 20, 20);
    assert.deepEqual(b, a);
  });

  it('quotes YAML scalars that need it and lists names by index', () => {
    assert.equal(yamlString('car'), 'car');
    assert.equal(yamlString('yes'), '"yes"');
    assert.equal(yamlString('a: b'), '"a: b"');
    const yaml = yoloDataYaml(new Map([['train', 'images/train']]), ['car', 'no']);
    assert.equal(yaml, '# YOLO segmentation dataset written by EdgeFlow Annotator\npath: .\ntrain: images/train\nnc: 2\nnames:\n  0: car\n  1: "no"\n');
  });
});

describe('labelme', () => {
  it('writes one polygon per region, grouped when there are several', () => {
    const one = labelmePolygonShapes('car', [{ outer: [0, 0, 1, 0, 1, 1], holes: [] }], 5);
    assert.equal(one[0].group_id, null);
    assert.deepEqual(one[0].points, [[0, 0], [1, 0], [1, 1]]);
    const two = labelmePolygonShapes('car', [{ outer: [0, 0, 1, 0, 1, 1], holes: [] }, { outer: [5, 5, 6, 5, 6, 6], holes: [] }], 5);
    assert.deepEqual(two.map((s) => s.group_id), [5, 5]);
  });

  it('writes mask shapes with the inclusive pixel box', () => {
    const s = labelmeMaskShape('tree', [3, 4, 10, 2], 'AAAA');
    assert.deepEqual(s.points, [[3, 4], [12, 5]]);
    assert.equal(s.shape_type, 'mask');
  });

  it('round-trips through its reader and never embeds the image', () => {
    const text = writeLabelme({
      version: '5.5.0', flags: {}, imagePath: '..\\img\\a.png', imageData: null, imageHeight: 10, imageWidth: 20,
      shapes: labelmePolygonShapes('car', [{ outer: [0, 0, 1, 0, 1, 1], holes: [] }], 1),
    });
    assert.match(text, /"imageData": null/);
    const back = parseLabelme(text);
    assert.equal(back.imagePath, '../img/a.png');
    assert.equal(back.width, 20);
    assert.deepEqual(back.shapes[0].points, [[0, 0], [1, 0], [1, 1]]);
  });

  it('rejects malformed files with the field named', () => {
    assert.throws(() => parseLabelme('{"shapes": []}'), /imagePath/);
    assert.throws(() => parseLabelme('{"imagePath": "a", "shapes": [{"label": "x", "points": [[0]]}]}'), /points\[0\]/);
    assert.throws(() => parseLabelme('nope'), /not valid JSON/);
  });

  it('turns circles into polygons of the right radius', () => {
    const ring = circleToRing(10, 10, 10, 15);
    for (let i = 0; i < ring.length; i += 2) assert.ok(Math.abs(Math.hypot(ring[i] - 10, ring[i + 1] - 10) - 5) < 0.01);
  });
});
