import * as assert from 'node:assert/strict';
import { checkLabelEdit, defaultLabelColor, hexToRgb, newLabelColor, nextLabelId, parseLabels, serializeLabels } from '../../src/shared/labels';

describe('labels file', () => {
  it('parses a valid file, normalising colours and trimming names', () => {
    const r = parseLabels('{"version":1,"labels":[{"id":2,"name":" car ","color":"#FF0000"},{"id":1,"name":"person","color":"#00ff00"}]}');
    assert.ok(r.ok);
    assert.deepEqual(r.value.labels, [
      { id: 2, name: 'car', color: '#ff0000' },
      { id: 1, name: 'person', color: '#00ff00' },
    ]);
  });

  it('treats an empty file as no labels and fills in missing colours', () => {
    const e = parseLabels('  \n');
    assert.ok(e.ok);
    assert.deepEqual(e.value.labels, []);
    const r = parseLabels('{"labels":[{"id":1,"name":"a"}]}');
    assert.ok(r.ok);
    assert.equal(r.value.labels[0].color, defaultLabelColor(0));
  });

  it('gives a new class the first palette colour no class has (issue 30: "food" was as blue as "object")', () => {
    assert.equal(newLabelColor([]), defaultLabelColor(0));
    assert.equal(newLabelColor([{ color: defaultLabelColor(0) }, { color: defaultLabelColor(1) }]), defaultLabelColor(2));
    // Own colours, one of them the palette's 4th (blue): the 4th class gets yellow, not blue again.
    const own = [{ color: '#4363D8' }, { color: '#e6194b' }, { color: '#3cb44b' }];
    assert.equal(defaultLabelColor(3), '#4363d8');
    assert.equal(newLabelColor(own), '#ffe119');
    assert.equal(newLabelColor([...own, { color: '#ffe119' }]), '#f58231');
    // Every palette colour taken: cycle as before.
    const all = Array.from({ length: 20 }, (_, i) => ({ color: defaultLabelColor(i) }));
    assert.equal(newLabelColor(all), defaultLabelColor(20));
  });

  it('rejects bad input with a typed, specific error', () => {
    const cases: [string, string, RegExp][] = [
      ['{', 'invalid-json', /not valid JSON/],
      ['[]', 'invalid-schema', /must be an object/],
      ['{"version":2,"labels":[]}', 'invalid-schema', /version/],
      ['{"labels":{}}', 'invalid-schema', /"labels" must be an array/],
      ['{"labels":[5]}', 'invalid-schema', /labels\[0\] must be an object/],
      ['{"labels":[{"id":0,"name":"a"}]}', 'invalid-schema', /labels\[0\]\.id/],
      ['{"labels":[{"id":256,"name":"a"}]}', 'invalid-schema', /1\.\.255/],
      ['{"labels":[{"id":1.5,"name":"a"}]}', 'invalid-schema', /integer/],
      ['{"labels":[{"id":1,"name":""}]}', 'invalid-schema', /name/],
      ['{"labels":[{"id":1,"name":3}]}', 'invalid-schema', /name/],
      ['{"labels":[{"id":1,"name":"a"},{"id":1,"name":"b"}]}', 'invalid-schema', /labels\[1\]\.id 1 is used twice/],
      ['{"labels":[{"id":1,"name":"a"},{"id":2,"name":"a"}]}', 'invalid-schema', /"a" is used twice/],
      ['{"labels":[{"id":1,"name":"a","color":"red"}]}', 'invalid-schema', /#rrggbb/],
      ['{"labels":[{"id":1,"name":"a","color":"#12345"}]}', 'invalid-schema', /#rrggbb/],
    ];
    for (const [text, code, re] of cases) {
      const r = parseLabels(text);
      assert.ok(!r.ok, text);
      assert.equal(r.error.code, code, text);
      assert.match(r.error.message, re, text);
    }
  });

  it('serialises deterministically (sorted by id) and round-trips', () => {
    const text = serializeLabels({ version: 1, labels: [{ id: 3, name: 'c', color: '#ABCDEF' }, { id: 1, name: 'a', color: '#000000' }] });
    assert.equal(text, '{\n  "version": 1,\n  "labels": [\n    {\n      "id": 1,\n      "name": "a",\n      "color": "#000000"\n    },\n    {\n      "id": 3,\n      "name": "c",\n      "color": "#abcdef"\n    }\n  ]\n}\n');
    const r = parseLabels(text);
    assert.ok(r.ok);
    assert.equal(serializeLabels(r.value), text);
  });

  it('keeps keys it does not use when rewriting the file', () => {
    const r = parseLabels('{"labels":[{"id":2,"name":"b","color":"#000000","description":"two","aliases":["x"]},{"id":1,"name":"a","color":"#ffffff"}],"version":1,"dataset":"streets"}');
    assert.ok(r.ok);
    assert.deepEqual(r.value.labels[0], { id: 2, name: 'b', color: '#000000' });
    const renamed = { ...r.value, labels: r.value.labels.map((l) => (l.id === 2 ? { ...l, name: 'bee' } : l)) };
    const text = serializeLabels(renamed);
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      labels: [
        { id: 1, name: 'a', color: '#ffffff' },
        { id: 2, name: 'bee', color: '#000000', description: 'two', aliases: ['x'] },
      ],
      dataset: 'streets',
    });
    const again = parseLabels(text);
    assert.ok(again.ok);
    assert.equal(serializeLabels(again.value), text, 'stable');
  });

  it('allocates the smallest free id and validates edits', () => {
    const labels = [
      { id: 1, name: 'a', color: '#000000' },
      { id: 3, name: 'c', color: '#000000' },
    ];
    assert.equal(nextLabelId(labels), 2);
    assert.equal(nextLabelId(Array.from({ length: 255 }, (_, i) => ({ id: i + 1, name: `n${i}`, color: '#000000' }))), undefined);
    assert.equal(checkLabelEdit(labels, { id: 2, name: 'b', color: '#123456' }), undefined);
    assert.match(checkLabelEdit(labels, { id: 2, name: 'a', color: '#123456' }) ?? '', /already exists/);
    assert.match(checkLabelEdit(labels, { id: 3, name: 'x', color: '#123456' }) ?? '', /id 3 already exists/);
    assert.equal(checkLabelEdit(labels, { id: 3, name: 'c2', color: '#123456' }, 3), undefined, 'renaming itself');
    assert.match(checkLabelEdit(labels, { id: 2, name: '  ', color: '#123456' }) ?? '', /empty/);
    assert.deepEqual(hexToRgb('#ff8000'), [255, 128, 0]);
  });
});
