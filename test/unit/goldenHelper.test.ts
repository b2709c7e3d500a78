import * as assert from 'node:assert/strict';
import { describeGoldenChange } from './helpers/golden';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('golden files: what REGEN=1 reports', () => {
  it('a new file: created, with its size', () => {
    assert.equal(describeGoldenChange('a/b.txt', undefined, text('hello\n')), 'created a/b.txt (6 bytes)');
  });

  it('JSON: the first path whose value differs, added and removed keys and items', () => {
    const before = text(JSON.stringify({ images: [{ id: 1 }], annotations: [{ id: 1, area: 12 }, { id: 2, area: 5 }] }));
    const after = text(JSON.stringify({ images: [{ id: 1 }], annotations: [{ id: 1, area: 12 }, { id: 2, area: 6 }] }));
    assert.equal(describeGoldenChange('x.json', before, after), `updated x.json (${before.length} -> ${after.length} bytes; annotations[1].area: 5 -> 6)`);
    assert.match(describeGoldenChange('x.json', text('{"a": [1, 2]}'), text('{"a": [1, 2, 3]}')), /a\[2\] added \(1 more items\)/);
    assert.match(describeGoldenChange('x.json', text('{"a": 1, "b": 2}'), text('{"a": 1}')), /; b removed\)$/);
    assert.match(describeGoldenChange('x.json', text('{"a": 1}'), text('{"a": 1, "c": {"d": true}}')), /; c added: \{"d":true\}\)$/);
    assert.match(describeGoldenChange('x.json', text('{"a": 1, "b": 2}'), text('{"b": 2, "a": 1}')), /\(root\): key order changed/);
    assert.match(describeGoldenChange('x.json', text('{"a": [1, 2]}'), text('{"a": [\n1, 2]}')), /same JSON values, formatting changed/);
  });

  it('other text: the first differing line and how many lines came and went', () => {
    const before = text('<a>\n  <b>1</b>\n  <c>2</c>\n</a>\n');
    const after = text('<a>\n  <b>1</b>\n  <c>3</c>\n  <d/>\n</a>\n');
    assert.equal(describeGoldenChange('x.xml', before, after), `updated x.xml (${before.length} -> ${after.length} bytes; +2 -1 lines; first at line 3: "  <c>2</c>" -> "  <c>3</c>")`);
    assert.match(describeGoldenChange('x.txt', text('a\nb'), text('a\nb\nc')), /\+1 -0 lines; first at line 3: \(end of file\) -> "c"/);
  });

  it('binary: the first differing byte', () => {
    const before = Uint8Array.from([137, 80, 78, 71, 0, 1, 2, 3]);
    const after = Uint8Array.from([137, 80, 78, 71, 0, 1, 9, 3, 4]);
    assert.equal(describeGoldenChange('m.png', before, after), 'updated m.png (8 -> 9 bytes; binary, first difference at byte 6)');
  });
});
