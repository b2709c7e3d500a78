import * as assert from 'node:assert/strict';
import {
  AnnotationEdit,
  AnnotationModel,
  AnnotationState,
  EDIT_KINDS,
  EditConflictError,
  applyEdit,
  checkEdit,
  cloneState,
  describeEdit,
  invertEdit,
  isIssue,
} from '../../src/shared/annotation';

const tri = (x: number) => [x, 0, x + 10, 0, x, 10];
function seeded(): AnnotationState {
  return {
    objects: [
      { id: 1, classId: 1, regions: [{ outer: tri(0), holes: [] }], hidden: false },
      { id: 2, classId: 2, regions: [{ outer: tri(20), holes: [] }], hidden: false, attributes: { pose: 'side' } },
      { id: 5, classId: 1, regions: [{ outer: tri(40), holes: [[41, 1, 42, 1, 41, 2]] }], hidden: true },
    ],
    nextId: 6,
  };
}

/** One example of every edit kind, valid against `seeded()`. */
function examples(): AnnotationEdit[] {
  const s = seeded();
  return [
    { kind: 'addObject', object: { id: 6, classId: 3, regions: [{ outer: tri(60), holes: [] }], hidden: false }, index: 1 },
    { kind: 'removeObject', object: s.objects[1], index: 1 },
    { kind: 'setGeometry', id: 1, before: s.objects[0].regions, after: [{ outer: [1, 1, 9, 1, 5, 9], holes: [] }] },
    { kind: 'setClass', id: 2, before: 2, after: 7 },
    { kind: 'setHidden', id: 5, before: true, after: false },
    { kind: 'reorder', id: 1, from: 0, to: 2 },
    { kind: 'replaceAll', before: s, after: { objects: [], nextId: 6 } },
    {
      kind: 'batch',
      edits: [
        { kind: 'setClass', id: 1, before: 1, after: 2 },
        { kind: 'removeObject', object: s.objects[2], index: 2 },
      ],
    },
    { kind: 'setAttribute', id: 5, name: 'occluded', before: null, after: true },
    { kind: 'setReview', before: null, after: { status: 'needs-fix', note: 'the bus is missing' } },
  ];
}

describe('annotation model', () => {
  it('has an example for every edit kind', () => {
    assert.deepEqual(new Set(examples().map((e) => e.kind)), new Set(EDIT_KINDS));
  });

  for (const edit of examples()) {
    it(`${edit.kind}: apply changes the state, undo restores it exactly, redo re-applies`, () => {
      const m = new AnnotationModel(seeded());
      const before = cloneState(m.state);
      m.apply(edit);
      const after = cloneState(m.state);
      assert.notDeepEqual({ objects: after.objects, review: after.review }, { objects: before.objects, review: before.review });
      m.undo(edit);
      assert.deepEqual(m.state.objects, before.objects);
      assert.deepEqual(m.state.review, before.review);
      assert.equal(m.appliedEdits.length, 0);
      m.apply(edit);
      assert.deepEqual(m.state, after);
      assert.ok(describeEdit(edit).length > 0);
    });
  }

  it('specific effects', () => {
    const [add, remove, geom, cls, hide, reorder, replace, batch] = examples();
    const run = (e: AnnotationEdit) => {
      const s = seeded();
      applyEdit(s, e);
      return s;
    };
    assert.deepEqual(run(add).objects.map((o) => o.id), [1, 6, 2, 5]);
    assert.equal(run(add).nextId, 7);
    assert.deepEqual(run(remove).objects.map((o) => o.id), [1, 5]);
    assert.deepEqual(run(geom).objects[0].regions[0].outer, [1, 1, 9, 1, 5, 9]);
    assert.equal(run(cls).objects[1].classId, 7);
    assert.equal(run(hide).objects[2].hidden, false);
    assert.deepEqual(run(reorder).objects.map((o) => o.id), [2, 5, 1]);
    assert.deepEqual(run(replace).objects, []);
    const b = run(batch);
    assert.deepEqual(b.objects.map((o) => [o.id, o.classId]), [[1, 2], [2, 2]]);
  });

  it('never reuses ids: undoing an add keeps nextId', () => {
    const m = new AnnotationModel(seeded());
    const add = m.makeAdd(1, [{ outer: tri(0), holes: [] }]);
    assert.equal((add as { object: { id: number } }).object.id, 6);
    m.apply(add);
    m.undo(add);
    assert.equal(m.state.nextId, 7);
    const add2 = m.makeAdd(1, [{ outer: tri(0), holes: [] }]);
    assert.equal((add2 as { object: { id: number } }).object.id, 7);
  });

  it('does not share arrays with edits (mutating an applied edit cannot change the state)', () => {
    const m = new AnnotationModel(seeded());
    const e = examples()[2] as Extract<AnnotationEdit, { kind: 'setGeometry' }>;
    m.apply(e);
    e.after[0].outer[0] = 999;
    assert.equal(m.state.objects[0].regions[0].outer[0], 1);
  });

  it('rejects edits that do not fit, leaving the state unchanged (batches are atomic)', () => {
    const s = seeded();
    const copy = cloneState(s);
    assert.throws(() => applyEdit(s, { kind: 'setClass', id: 99, before: 1, after: 2 }), EditConflictError);
    assert.throws(() => applyEdit(s, { kind: 'addObject', object: s.objects[0], index: 0 }), /already exists/);
    assert.throws(() => applyEdit(s, { kind: 'removeObject', object: s.objects[0], index: 2 }), /is at 0/);
    assert.throws(() =>
      applyEdit(s, {
        kind: 'batch',
        edits: [
          { kind: 'setClass', id: 1, before: 1, after: 3 },
          { kind: 'setClass', id: 42, before: 1, after: 3 },
        ],
      }),
    );
    assert.deepEqual(s, copy);
  });

  it('AnnotationModel.apply changes nothing when an edit does not fit (the webview keeps no copy to roll back to)', () => {
    const m = new AnnotationModel(seeded());
    m.apply(examples()[3]);
    const expected = cloneState(m.state);
    const objects = m.state.objects.slice();
    const regions = objects.map((o) => o.regions);
    const applied = m.appliedEdits.slice();
    const o0 = seeded().objects[0];
    const misfits: AnnotationEdit[] = [
      { kind: 'addObject', object: { ...o0, id: 2 }, index: 0 },
      { kind: 'addObject', object: { ...o0, id: 9 }, index: 4 },
      { kind: 'removeObject', object: m.state.objects[0], index: 1 },
      { kind: 'setGeometry', id: 42, before: o0.regions, after: [{ outer: tri(5), holes: [] }] },
      { kind: 'setClass', id: 42, before: 1, after: 2 },
      { kind: 'setHidden', id: 42, before: false, after: true },
      { kind: 'reorder', id: 1, from: 1, to: 0 },
      { kind: 'reorder', id: 1, from: 0, to: 3 },
      {
        kind: 'batch',
        edits: [
          { kind: 'setClass', id: 1, before: 1, after: 3 },
          { kind: 'removeObject', object: m.state.objects[2], index: 2 },
          { kind: 'setHidden', id: 42, before: false, after: true },
        ],
      },
    ];
    for (const e of misfits) {
      assert.throws(() => m.apply(e), EditConflictError, JSON.stringify(e));
      assert.deepEqual(m.state, expected, e.kind);
      // The same objects and geometry arrays, not equal copies: nothing was replaced.
      m.state.objects.forEach((o, i) => {
        assert.equal(o, objects[i], e.kind);
        assert.equal(o.regions, regions[i], e.kind);
      });
      assert.deepEqual(m.appliedEdits, applied, e.kind);
    }
  });

  it('inverse of inverse is the edit', () => {
    for (const e of examples()) assert.deepEqual(invertEdit(invertEdit(e)), e);
  });

  it('backup round trip restores base and dirty state', () => {
    const m = new AnnotationModel(seeded());
    const ex = examples();
    for (const e of [ex[0], ex[2], ex[3], ex[4], ex[5]]) m.apply(e);
    m.apply(m.makeRemove(2));
    const restored = AnnotationModel.fromBackup(m.backupJson());
    assert.ok(restored.ok);
    assert.deepEqual(restored.value.state, m.state);
    assert.deepEqual(restored.value.appliedEdits, m.appliedEdits);
    // Undo everything in the restored model gets back to the base.
    for (const e of [...restored.value.appliedEdits].reverse()) restored.value.undo(e);
    assert.deepEqual(restored.value.state.objects, seeded().objects);
  });

  it('markSaved empties the backup edits; reset replaces the base', () => {
    const m = new AnnotationModel(seeded());
    m.apply(examples()[3]);
    m.markSaved();
    assert.equal(m.backup().edits.length, 0);
    assert.equal(m.backup().base.objects[1].classId, 7);
    m.reset({ objects: [], nextId: 1 });
    assert.equal(m.state.objects.length, 0);
  });

  it('rejects bad backups with typed errors', () => {
    const cases: [string, string][] = [
      ['{', 'invalid-json'],
      ['[]', 'invalid-backup'],
      ['{"format":"other","version":1}', 'invalid-backup'],
      ['{"format":"edgeflow.annotation-backup","version":1,"base":{"objects":[],"nextId":1},"edits":[{"kind":"nope"}]}', 'invalid-backup'],
      [
        '{"format":"edgeflow.annotation-backup","version":1,"base":{"objects":[],"nextId":1},"edits":[{"kind":"setClass","id":3,"before":1,"after":2}]}',
        'edit-conflict',
      ],
      [
        '{"format":"edgeflow.annotation-backup","version":1,"base":{"objects":[{"id":1,"classId":1,"regions":[{"outer":[0,0,1],"holes":[]}]}],"nextId":1},"edits":[]}',
        'invalid-backup',
      ],
    ];
    for (const [text, code] of cases) {
      const r = AnnotationModel.fromBackup(text);
      assert.ok(!r.ok, text);
      assert.equal(r.error.code, code, text);
    }
  });

  it('validates edits from untrusted sources', () => {
    for (const e of examples()) {
      const v = checkEdit(JSON.parse(JSON.stringify(e)), 'edit');
      assert.ok(!isIssue(v), JSON.stringify(v));
      assert.deepEqual(v, e);
    }
    const bad = [
      null,
      { kind: 'setClass', id: -1, before: 1, after: 2 },
      { kind: 'setGeometry', id: 1, before: [], after: [{ outer: [0, 0, 1, 1, NaN, 2], holes: [] }] },
      { kind: 'setGeometry', id: 1, before: [], after: [] },
      { kind: 'addObject', object: { id: 1, classId: 1, regions: 'x' }, index: 0 },
      { kind: 'setHidden', id: 1, before: 'no', after: true },
      { kind: 'batch', edits: [{ kind: 'reorder', id: 1, from: 0.5, to: 1 }] },
    ];
    for (const b of bad) assert.ok(isIssue(checkEdit(b, 'edit')), JSON.stringify(b));
  });
});
