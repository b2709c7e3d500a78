/** Per-object attributes (issue 30): the model's edit, validation, labels declarations, the sidecar, the protocol. */
import * as assert from 'node:assert/strict';
import {
  AnnotationModel,
  AnnotationState,
  checkEdit,
  checkObject,
  cloneState,
  isIssue,
  splitAttributes,
} from '../../src/shared/annotation';
import { editConflict } from '../../src/shared/editGuard';
import { readCocoSidecar, writeCocoSidecar } from '../../src/shared/formats/cocoSidecar';
import { effectiveAttributes, undeclaredAttributes } from '../../src/shared/labelAttributes';
import { parseLabels, serializeLabels } from '../../src/shared/labels';
import { parseWebviewMessage } from '../../src/shared/protocol';

const tri = (x: number) => [x, 0, x + 10, 0, x, 10];
function seeded(): AnnotationState {
  return {
    objects: [
      { id: 1, classId: 1, regions: [{ outer: tri(0), holes: [] }], hidden: false },
      { id: 2, classId: 2, regions: [{ outer: tri(20), holes: [] }], hidden: false, attributes: { pose: 'side', score: 'x' } },
    ],
    nextId: 3,
  };
}

describe('attributes: the model', () => {
  it('setAttribute is one edit: set, change, remove, each undone exactly', () => {
    const m = new AnnotationModel(seeded());
    const set = { kind: 'setAttribute', id: 1, name: 'occluded', before: null, after: true } as const;
    m.apply(set);
    assert.deepEqual(m.getObject(1)!.attributes, { occluded: true });
    assert.equal(m.appliedEdits.length, 1);
    m.undo(set);
    assert.equal(m.getObject(1)!.attributes, undefined, 'no empty map is left behind');
    const change = { kind: 'setAttribute', id: 2, name: 'pose', before: 'side', after: 'rear' } as const;
    m.apply(change);
    assert.deepEqual(m.getObject(2)!.attributes, { pose: 'rear', score: 'x' });
    m.undo(change);
    assert.deepEqual(m.getObject(2)!.attributes, { pose: 'side', score: 'x' });
    const remove = { kind: 'setAttribute', id: 2, name: 'score', before: 'x', after: null } as const;
    m.apply(remove);
    assert.deepEqual(m.getObject(2)!.attributes, { pose: 'side' });
    m.undo(remove);
    assert.deepEqual(m.getObject(2)!.attributes, { pose: 'side', score: 'x' });
  });

  it('never shares the map with earlier states (undo closures and the webview keep theirs)', () => {
    const m = new AnnotationModel(seeded());
    const snapshot = m.getObject(2)!;
    const before = snapshot.attributes;
    m.apply({ kind: 'setAttribute', id: 2, name: 'pose', before: 'side', after: 'front' });
    assert.deepEqual(before, { pose: 'side', score: 'x' });
    const copy = cloneState(m.state);
    copy.objects[1].attributes!.pose = 'changed';
    assert.equal(m.getObject(2)!.attributes!.pose, 'front');
  });

  it('changing the class keeps every value (also those the new class does not declare)', () => {
    const m = new AnnotationModel(seeded());
    m.apply({ kind: 'setClass', id: 2, before: 2, after: 1 });
    assert.deepEqual(m.getObject(2)!.attributes, { pose: 'side', score: 'x' });
  });

  it('a "__proto__" attribute stays an ordinary key', () => {
    const m = new AnnotationModel(seeded());
    m.apply({ kind: 'setAttribute', id: 1, name: '__proto__', before: null, after: 'p' });
    const a = m.getObject(1)!.attributes!;
    assert.deepEqual(Object.keys(a), ['__proto__']);
    assert.equal(Object.getPrototypeOf(a), Object.prototype);
    assert.equal(JSON.parse(JSON.stringify(cloneState(m.state))).objects[0].attributes['__proto__'], 'p');
  });

  it('survives a hot-exit backup', () => {
    const m = new AnnotationModel(seeded());
    m.apply({ kind: 'setAttribute', id: 1, name: 'note', before: null, after: 'dad' });
    const r = AnnotationModel.fromBackup(m.backupJson());
    assert.ok(r.ok);
    assert.deepEqual(r.value.state, m.state);
  });

  it('the host refuses an edit whose "before" is not the document\'s', () => {
    const s = seeded();
    assert.equal(editConflict(s, { kind: 'setAttribute', id: 2, name: 'pose', before: 'side', after: 'rear' }), undefined);
    assert.match(editConflict(s, { kind: 'setAttribute', id: 2, name: 'pose', before: 'front', after: 'rear' })!, /pose/);
    assert.match(editConflict(s, { kind: 'setAttribute', id: 1, name: 'pose', before: 'side', after: null })!, /pose/);
    // An object removed with other attributes than the document's would come back wrong on undo.
    const stale = { ...s.objects[1], attributes: { pose: 'front', score: 'x' } };
    assert.match(editConflict(s, { kind: 'removeObject', object: stale, index: 1 })!, /differs/);
  });
});

describe('attributes: validation of untrusted edits', () => {
  it('accepts booleans and strings, null for "none"', () => {
    for (const e of [
      { kind: 'setAttribute', id: 1, name: 'occluded', before: null, after: true },
      { kind: 'setAttribute', id: 1, name: 'note', before: 'a', after: null },
      { kind: 'addObject', object: { id: 4, classId: 1, regions: [{ outer: tri(0), holes: [] }], hidden: false, attributes: { a: false, b: 'x' } }, index: 0 },
    ]) {
      const v = checkEdit(e, 'edit');
      assert.ok(!isIssue(v), JSON.stringify(v));
      assert.deepEqual(v, e);
    }
  });

  it('refuses other values, bad names and oversized text', () => {
    for (const e of [
      { kind: 'setAttribute', id: 1, name: 'n', before: null, after: 3 },
      { kind: 'setAttribute', id: 1, name: 'n', before: null, after: { x: 1 } },
      { kind: 'setAttribute', id: 1, name: 'n', before: null },
      { kind: 'setAttribute', id: 1, name: '', before: null, after: true },
      { kind: 'setAttribute', id: 1, name: ' n', before: null, after: true },
      { kind: 'setAttribute', id: 1, name: 'a\u0007b', before: null, after: true },
      { kind: 'setAttribute', id: 1, name: 'x'.repeat(101), before: null, after: true },
      { kind: 'setAttribute', id: 1, name: 'n', before: null, after: 'x'.repeat(4001) },
      { kind: 'setAttribute', id: -1, name: 'n', before: null, after: true },
      { kind: 'addObject', object: { id: 4, classId: 1, regions: [{ outer: tri(0), holes: [] }], attributes: { a: 1 } }, index: 0 },
      { kind: 'addObject', object: { id: 4, classId: 1, regions: [{ outer: tri(0), holes: [] }], attributes: ['x'] }, index: 0 },
    ]) {
      assert.ok(isIssue(checkEdit(e, 'edit')), JSON.stringify(e));
    }
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, true]));
    assert.ok(isIssue(checkObject({ id: 1, classId: 1, regions: [{ outer: tri(0), holes: [] }], attributes: many }, 'o')));
  });

  it('the protocol passes a setAttribute edit and refuses a bad one', () => {
    const good = parseWebviewMessage({ type: 'edit', edit: { kind: 'setAttribute', id: 1, name: 'pose', before: null, after: 'front' } });
    assert.ok(good.ok);
    assert.deepEqual(good.value, { type: 'edit', edit: { kind: 'setAttribute', id: 1, name: 'pose', before: null, after: 'front' } });
    const bad = parseWebviewMessage({ type: 'edit', edit: { kind: 'setAttribute', id: 1, name: 'pose', before: null, after: 7 } });
    assert.ok(!bad.ok);
  });
});

describe('attributes: labels file declarations', () => {
  const file = {
    version: 1,
    attributes: [{ name: 'occluded', type: 'boolean' }, { name: 'note', type: 'text' }],
    labels: [
      {
        id: 1,
        name: 'car',
        color: '#e6194b',
        attributes: [
          { name: 'pose', type: 'choice', options: ['front', 'side', 'rear'], default: 'side' },
          { name: 'occluded', type: 'boolean', default: true },
        ],
      },
      { id: 2, name: 'person', color: '#3cb44b' },
    ],
  };

  it('workspace-wide attributes apply to every class; a class may redeclare one', () => {
    const r = parseLabels(JSON.stringify(file));
    assert.ok(r.ok);
    assert.equal(r.value.warnings, undefined);
    assert.deepEqual(r.value.labels[0].attributes, [
      { name: 'occluded', type: 'boolean', default: true },
      { name: 'note', type: 'text', default: '' },
      { name: 'pose', type: 'choice', options: ['front', 'side', 'rear'], default: 'side' },
    ]);
    assert.deepEqual(r.value.labels[1].attributes, [
      { name: 'occluded', type: 'boolean', default: false },
      { name: 'note', type: 'text', default: '' },
    ]);
  });

  it('files without attributes read exactly as before', () => {
    const r = parseLabels('{"version":1,"labels":[{"id":1,"name":"car","color":"#e6194b"}]}');
    assert.ok(r.ok);
    assert.deepEqual(r.value, { version: 1, labels: [{ id: 1, name: 'car', color: '#e6194b' }] });
  });

  it('a bad declaration is skipped with a warning naming it; the rest of the file loads', () => {
    const bad = {
      version: 1,
      labels: [
        {
          id: 1,
          name: 'car',
          attributes: [
            { name: 'ok', type: 'boolean' },
            { name: 'kind', type: 'number' },
            { name: 'pose', type: 'choice' },
            { name: 'pose2', type: 'choice', options: ['a', 'a'] },
            { name: '', type: 'text' },
            'x',
            { name: 'ok', type: 'text' },
            { name: 'flag', type: 'boolean', default: 'yes' },
            { name: 'c', type: 'choice', options: ['a', 'b'], default: 'z' },
          ],
        },
        { id: 2, name: 'person', attributes: { name: 'x' } },
      ],
    };
    const r = parseLabels(JSON.stringify(bad));
    assert.ok(r.ok);
    assert.deepEqual(r.value.labels.map((l) => l.name), ['car', 'person']);
    assert.deepEqual(r.value.labels[0].attributes, [
      { name: 'ok', type: 'boolean', default: false },
      { name: 'flag', type: 'boolean', default: false },
      { name: 'c', type: 'choice', options: ['a', 'b'], default: 'a' },
    ]);
    assert.equal(r.value.labels[1].attributes, undefined);
    const w = r.value.warnings!.map((x) => x.path);
    assert.deepEqual(w, [
      'labels[0].attributes[1].type',
      'labels[0].attributes[2].options',
      'labels[0].attributes[3].options[1]',
      'labels[0].attributes[4].name',
      'labels[0].attributes[5]',
      'labels[0].attributes[6].name',
      'labels[0].attributes[7].default',
      'labels[0].attributes[8].default',
      'labels[1].attributes',
    ]);
    assert.match(r.value.warnings![0].message, /"boolean", "choice" or "text"/);
    assert.match(r.value.warnings![5].message, /declared twice/);
    assert.equal(r.value.warnings![0].message, 'Attribute "kind" of class "car": "type" must be "boolean", "choice" or "text"; it is ignored');
    assert.match(r.value.warnings![3].message, /^Attribute #5 of class "car"/);
    assert.match(r.value.warnings![8].message, /^Attributes of class "person" must be an array/);
  });

  it('rewriting the file (a class renamed) keeps the declarations as written', () => {
    const r = parseLabels(JSON.stringify(file));
    assert.ok(r.ok);
    const renamed = { ...r.value, labels: r.value.labels.map((l) => (l.id === 1 ? { id: 1, name: 'auto', color: l.color } : l)) };
    const again = JSON.parse(serializeLabels(renamed));
    assert.deepEqual(again.attributes, file.attributes);
    assert.deepEqual(again.labels[0].attributes, file.labels[0].attributes);
    assert.equal(again.labels[0].name, 'auto');
    assert.equal(again.labels[1].attributes, undefined, 'the resolved list is never written');
  });

  it('effective values: stored or default for declared ones, then the undeclared ones', () => {
    const r = parseLabels(JSON.stringify(file));
    assert.ok(r.ok);
    const specs = r.value.labels[0].attributes!;
    assert.deepEqual(effectiveAttributes(undefined, specs), { occluded: true, note: '', pose: 'side' });
    const stored = { zeta: 1 as unknown as string, pose: 'gone', occluded: false, extra: 'kept' };
    assert.deepEqual(Object.entries(effectiveAttributes(stored, specs)), [
      ['occluded', false],
      ['note', ''],
      ['pose', 'gone'],
      ['zeta', 1],
      ['extra', 'kept'],
    ]);
    assert.deepEqual(undeclaredAttributes({ pose: 'a', extra: 'kept' }, specs), [['extra', 'kept']]);
  });
});

describe('attributes: the COCO sidecar', () => {
  const image = { fileName: 'a.png', width: 50, height: 40 };
  const labels = [{ id: 1, name: 'car', color: '#e6194b' }];

  it('writes the values as CVAT does, reads them back, byte-stable; none written for objects without', () => {
    const state = seeded();
    state.objects[0].attributes = { occluded: true, note: 'dad', pose: 'front' };
    const text = writeCocoSidecar(image, labels, state);
    const json = JSON.parse(text);
    assert.deepEqual(json.annotations[0].attributes, { occluded: true, note: 'dad', pose: 'front' });
    assert.deepEqual(json.annotations[1].attributes, { pose: 'side', score: 'x' });
    const plain = writeCocoSidecar(image, labels, { objects: [{ ...state.objects[0], attributes: undefined }], nextId: 3 });
    assert.ok(!plain.includes('attributes'));
    const r = readCocoSidecar(text);
    assert.ok(r.ok);
    assert.deepEqual(r.value.state, state);
    assert.deepEqual(r.value.extras.annotations, {});
    assert.equal(writeCocoSidecar(image, labels, r.value.state, { extras: r.value.extras }), text);
  });

  it('keeps what the editor cannot hold (numbers, nested values) beside the values it edits', () => {
    const base = JSON.parse(writeCocoSidecar(image, labels, seeded()));
    base.annotations[0].attributes = { occluded: true, track_id: 7, nested: { a: [1] }, gone: null };
    const r = readCocoSidecar(JSON.stringify(base));
    assert.ok(r.ok);
    assert.deepEqual(r.value.state.objects[0].attributes, { occluded: true });
    const m = new AnnotationModel(r.value.state);
    m.apply({ kind: 'setAttribute', id: 1, name: 'occluded', before: true, after: false });
    m.apply({ kind: 'setAttribute', id: 1, name: 'note', before: null, after: 'n' });
    const out = JSON.parse(writeCocoSidecar(image, labels, m.state, { extras: r.value.extras }));
    assert.deepEqual(out.annotations[0].attributes, { occluded: false, note: 'n', track_id: 7, nested: { a: [1] }, gone: null });
    // Removing every editable value still keeps the others.
    m.apply({ kind: 'setAttribute', id: 1, name: 'occluded', before: false, after: null });
    m.apply({ kind: 'setAttribute', id: 1, name: 'note', before: 'n', after: null });
    const out2 = JSON.parse(writeCocoSidecar(image, labels, m.state, { extras: r.value.extras }));
    assert.deepEqual(out2.annotations[0].attributes, { track_id: 7, nested: { a: [1] }, gone: null });
  });

  it('an "attributes" that is not an object is kept as it was, with a warning', () => {
    const base = JSON.parse(writeCocoSidecar(image, labels, seeded()));
    base.annotations[0].attributes = 'occluded';
    const r = readCocoSidecar(JSON.stringify(base));
    assert.ok(r.ok);
    assert.equal(r.value.state.objects[0].attributes, undefined);
    assert.deepEqual(r.value.issues.map((i) => [i.severity, i.path]), [['warning', 'annotations[0].attributes']]);
    const out = JSON.parse(writeCocoSidecar(image, labels, r.value.state, { extras: r.value.extras }));
    assert.equal(out.annotations[0].attributes, 'occluded');
  });

  it('splitAttributes sorts untrusted entries into values and the rest', () => {
    const s = splitAttributes(JSON.parse('{"a":true,"b":"x","c":1,"__proto__":"p"}'));
    assert.deepEqual(Object.entries(s.values), [['a', true], ['b', 'x'], ['__proto__', 'p']]);
    assert.deepEqual(s.rest, { c: 1 });
    assert.deepEqual(splitAttributes([1]), { values: {}, rest: undefined, whole: [1] });
  });
});
