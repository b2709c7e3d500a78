import * as assert from 'node:assert/strict';
import { readCocoSidecar, writeCocoSidecar } from '../../src/shared/formats/cocoSidecar';
import { jsonErrorOffset, jsonSyntaxErrorOffset, lineColumnOf, locateJsonPath, parseJsonPath } from '../../src/shared/formats/jsonErrors';
import { parseLabels } from '../../src/shared/labels';

const IMG = '"images":[{"id":1,"file_name":"a.png","width":40,"height":30}]';
const tri = (id: number, cat = 1, dx = 0) => `{"id":${id},"image_id":1,"category_id":${cat},"segmentation":[[${1 + dx},1,${9 + dx},1,${5 + dx},8]]}`;

describe('sidecar problems', () => {
  it('lenient reading keeps what can be read and lists what was skipped', () => {
    const text = `{${IMG},"categories":[{"id":1,"name":"car"}],"annotations":[${tri(1)},{"id":2,"category_id":1,"segmentation":[[0,0,1]]},${tri(1, 1, 2)},${tri(3, 7, 3)}]}`;
    assert.equal(readCocoSidecar(text).ok, false);
    const r = readCocoSidecar(text, { lenient: true });
    assert.ok(r.ok);
    // id 1 twice: the second keeps its geometry under a fresh id; the broken one is skipped.
    assert.deepEqual(r.value.state.objects.map((o) => o.id), [1, 4, 3]);
    assert.equal(r.value.state.nextId, 5);
    assert.deepEqual(
      r.value.issues.map((i) => [i.severity, i.code, i.path]),
      [
        ['error', 'invalid-annotation', 'annotations[1].segmentation[0]'],
        ['error', 'invalid-annotation', 'annotations[2].id'],
        ['warning', 'unknown-category', 'annotations[3].category_id'],
      ],
    );
  });

  it('warns about polygons outside the image without refusing them', () => {
    const r = readCocoSidecar(`{${IMG},"categories":[{"id":1,"name":"car"}],"annotations":[${tri(1, 1, 35)}]}`);
    assert.ok(r.ok);
    assert.deepEqual(r.value.issues.map((i) => i.code), ['outside-image']);
  });

  it('caps huge files: bytes, objects and vertices', () => {
    const many = Array.from({ length: 50 }, (_, i) => tri(i + 1)).join(',');
    const text = `{${IMG},"annotations":[${many}]}`;
    const tooBig = readCocoSidecar(text, { limits: { maxBytes: 100 } });
    assert.ok(!tooBig.ok && tooBig.error.code === 'too-large');
    const strict = readCocoSidecar(text, { limits: { maxObjects: 10 } });
    assert.ok(!strict.ok && strict.error.code === 'too-large');
    const lenient = readCocoSidecar(text, { lenient: true, limits: { maxObjects: 10 } });
    assert.ok(lenient.ok);
    assert.equal(lenient.value.state.objects.length, 10);
    assert.match(lenient.value.issues.find((i) => i.code === 'too-large')!.message, /only the first 10 of 50/);
    const verts = readCocoSidecar(text, { lenient: true, limits: { maxVertices: 30 } });
    assert.ok(verts.ok && verts.value.state.objects.length === 10);
  });

  it('a million polygons in one annotation are refused quickly, not traced', function () {
    this.timeout(20000);
    const rings = new Array(1_000_000).fill('[1,1,2,1,2,2]').join(',');
    const text = `{${IMG},"annotations":[{"id":1,"category_id":1,"segmentation":[${rings}]}]}`;
    const t0 = Date.now();
    const r = readCocoSidecar(text, { lenient: true });
    assert.ok(r.ok);
    assert.equal(r.value.state.objects.length, 0);
    assert.match(r.value.issues[0].message, /limit is 200000 polygons/);
    const strict = readCocoSidecar(text);
    assert.ok(!strict.ok && strict.error.code === 'too-large');
    assert.ok(Date.now() - t0 < 10000, `${Date.now() - t0} ms`);
  });

  it('never decodes an RLE mask bigger than the image says, nor a gigantic one', () => {
    const huge = '"images":[{"id":1,"width":20000,"height":20000}]';
    const r = readCocoSidecar(`{${huge},"annotations":[{"id":1,"category_id":1,"segmentation":{"size":[20000,20000],"counts":[1]}}]}`, { maskToRegions: () => [] });
    assert.ok(!r.ok && r.error.code === 'too-large');
  });

  it('JSON.parse errors carry an offset; paths locate values', () => {
    const bad = '{\n  "images": [1,\n  ]\n}';
    const r = readCocoSidecar(bad);
    assert.ok(!r.ok && r.error.code === 'invalid-json');
    assert.equal(typeof r.error.offset, 'number');
    assert.equal(lineColumnOf(bad, r.error.offset!).line, 2);
    assert.equal(jsonErrorOffset('Unexpected end of JSON input', 'abc'), 3);
    assert.equal(jsonErrorOffset("Expected ',' (line 2 column 3)", 'ab\ncdef'), 5);
    const text = writeCocoSidecar({ fileName: 'a.png', width: 40, height: 30 }, [], {
      objects: [1, 2, 3].map((id) => ({ id, classId: 1, regions: [{ outer: [1, 1, 9, 1, 5, 8 + id], holes: [] }], hidden: false })),
      nextId: 4,
    });
    const at = locateJsonPath(text, 'annotations[2].segmentation[0]');
    assert.ok(at !== undefined);
    assert.ok(text.slice(at).startsWith('[1, 1, 9, 1, 5, 11]'), text.slice(at, at + 30));
    assert.equal(text.slice(locateJsonPath(text, 'images[0].width')!).slice(0, 2), '40');
    // Missing parts: the deepest existing value.
    assert.equal(text.slice(locateJsonPath(text, 'annotations[9].id')!)[0], '[');
    assert.deepEqual(parseJsonPath('a[3].b'), ['a', 3, 'b']);
    assert.equal(parseJsonPath('a..b'), undefined);
    // Unbalanced or strange input never throws.
    assert.equal(locateJsonPath('{"a": "\\"}', 'a'), 6);
    assert.equal(typeof locateJsonPath('[[[[', 'x[0]'), 'number');
    // Every syntax error V8 reports, found without its message.
    for (const t of ['{"a" 1}', '[1,2', '{"a":1} x', '{"images": [1,\n  ]}', '"\\q"', '[01]', '{,}', '[-]', '{"a":tru}']) {
      assert.ok(jsonSyntaxErrorOffset(t) !== undefined, t);
    }
    for (const t of ['{}', '[]', ' {"a": [1, -2.5e3, "x\\u00e9", true, null]} ', '"s"', '0']) assert.equal(jsonSyntaxErrorOffset(t), undefined, t);
    assert.equal(jsonSyntaxErrorOffset('[1,2'), 4);
    assert.equal(jsonSyntaxErrorOffset('{"a" 1}'), 5);
    assert.equal(jsonSyntaxErrorOffset('['.repeat(100000)), 100000);
  });

  it('reads files that start with a UTF-8 byte-order mark', () => {
    const text = `\ufeff{${IMG},"categories":[{"id":1,"name":"car"}],"annotations":[${tri(1)}]}`;
    const r = readCocoSidecar(text);
    assert.ok(r.ok && r.value.state.objects.length === 1);
    const bad = readCocoSidecar('\ufeff{"images": ]');
    assert.ok(!bad.ok && bad.error.offset === 12, String(!bad.ok && bad.error.offset));
    assert.equal(locateJsonPath('\ufeff{"a": [1, 2]}', 'a[1]'), 11);
    const labels = parseLabels('\ufeff{"version": 1, "labels": [{"id": 3, "name": "x"}]}');
    assert.ok(labels.ok && labels.value.labels[0].id === 3);
  });

  it('labels errors name the JSON path and the JSON.parse offset', () => {
    const r = parseLabels('{"version":1,"labels":[{"id":1,"name":"a"},{"id":1,"name":"b"}]}');
    assert.ok(!r.ok && r.error.path === 'labels[1].id');
    const j = parseLabels('{"labels": [}');
    assert.ok(!j.ok && j.error.code === 'invalid-json' && typeof j.error.offset === 'number');
    const big = parseLabels(' '.repeat(5 * 1024 * 1024));
    assert.ok(!big.ok && big.error.code === 'too-large');
  });
});
