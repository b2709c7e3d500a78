import * as assert from 'node:assert/strict';
import {
  AnnotationEdit,
  AnnotationModel,
  AnnotationState,
  changesLabels,
  checkEdit,
  checkState,
  imageStatus,
  isIssue,
  makeReview,
  parseReview,
  withReviewRule,
} from '../../src/shared/annotation';
import { editConflict } from '../../src/shared/editGuard';
import { readCocoSidecar, writeCocoSidecar } from '../../src/shared/formats/cocoSidecar';

const tri = (x: number) => [x, 0, x + 10, 0, x, 10];
const image = { fileName: 'a.png', width: 64, height: 48 };
const labels = [{ id: 1, name: 'car', color: '#e6194b' }];

function approved(): AnnotationState {
  return {
    objects: [{ id: 1, classId: 1, regions: [{ outer: tri(0), holes: [] }], hidden: false }],
    nextId: 2,
    review: { status: 'approved' },
  };
}

describe('review: image status rules', () => {
  it('unlabelled, labelled, approved, needs fix', () => {
    assert.equal(imageStatus(0, undefined), 'unlabelled');
    assert.equal(imageStatus(1, undefined), 'labelled');
    assert.equal(imageStatus(3, { status: 'approved' }), 'approved');
    assert.equal(imageStatus(3, { status: 'needs-fix', note: 'x' }), 'needsFix');
    // A reviewed image without objects is a checked negative, not unlabelled.
    assert.equal(imageStatus(0, { status: 'approved' }), 'approved');
    assert.equal(imageStatus(0, { status: 'needs-fix' }), 'needsFix');
  });

  it('parses only what it writes: status, optional note and reviewer', () => {
    assert.deepEqual(parseReview({ status: 'approved' }), { ok: true, value: { status: 'approved' } });
    assert.deepEqual(parseReview({ status: 'needs-fix', note: ' bus missing ', reviewer: 'ana' }), { ok: true, value: { status: 'needs-fix', note: 'bus missing', reviewer: 'ana' } });
    // Empty texts are dropped, so the sidecar holds only what was said.
    assert.deepEqual(parseReview({ status: 'approved', note: '' }), { ok: true, value: { status: 'approved' } });
    for (const bad of [null, 'approved', [], { status: 'ok' }, { status: 'approved', note: 3 }, { status: 'approved', at: '2026-01-01' }, { status: 'approved', note: 'x'.repeat(2001) }]) {
      assert.equal(parseReview(bad).ok, false, JSON.stringify(bad));
    }
    assert.deepEqual(makeReview('needs-fix', '  ', ' '), { status: 'needs-fix' });
  });
});

describe('review: an edit after approval goes back to labelled', () => {
  const setClass: AnnotationEdit = { kind: 'setClass', id: 1, before: 1, after: 2 };

  it('which edits change the labels', () => {
    assert.equal(changesLabels(setClass), true);
    assert.equal(changesLabels({ kind: 'setHidden', id: 1, before: false, after: true }), false);
    assert.equal(changesLabels({ kind: 'setReview', before: null, after: { status: 'approved' } }), false);
    assert.equal(changesLabels({ kind: 'batch', edits: [{ kind: 'setHidden', id: 1, before: false, after: true }] }), false);
    assert.equal(changesLabels({ kind: 'batch', edits: [{ kind: 'setHidden', id: 1, before: false, after: true }, setClass] }), true);
  });

  it('an object edit on an approved image clears the approval; undo restores it', () => {
    const m = new AnnotationModel(approved());
    const e = withReviewRule(m.state, setClass);
    assert.equal(e.kind, 'batch');
    m.apply(e);
    assert.equal(m.state.review, undefined);
    assert.equal(imageStatus(m.state.objects.length, m.state.review), 'labelled');
    m.undo(e);
    assert.deepEqual(m.state.review, { status: 'approved' });
    assert.equal(m.state.objects[0].classId, 1);
  });

  it('hiding an object keeps the approval; needs-fix stays through edits', () => {
    const hide: AnnotationEdit = { kind: 'setHidden', id: 1, before: false, after: true };
    assert.equal(withReviewRule(approved(), hide), hide);
    const nf = { ...approved(), review: { status: 'needs-fix' as const, note: 'tighter outline' } };
    assert.equal(withReviewRule(nf, setClass), setClass);
    assert.equal(withReviewRule({ ...approved(), review: undefined }, setClass), setClass);
  });

  it('a hot-exit backup restores the cleared approval and its undo', () => {
    const m = new AnnotationModel(approved());
    m.apply(withReviewRule(m.state, setClass));
    const r = AnnotationModel.fromBackup(m.backupJson());
    assert.ok(r.ok);
    assert.equal(r.value.state.review, undefined);
    assert.equal(r.value.state.objects[0].classId, 2);
    r.value.undo(r.value.appliedEdits[0]);
    assert.deepEqual(r.value.state.review, { status: 'approved' });
  });

  it('validates review edits and states from untrusted input, and guards their "before"', () => {
    assert.deepEqual(checkEdit({ kind: 'setReview', before: null, after: { status: 'approved' } }, 'e'), { kind: 'setReview', before: null, after: { status: 'approved' } });
    assert.ok(isIssue(checkEdit({ kind: 'setReview', before: null, after: { status: 'done' } }, 'e')));
    assert.ok(isIssue(checkEdit({ kind: 'setReview', before: undefined, after: null }, 'e')));
    assert.ok(isIssue(checkState({ objects: [], nextId: 1, review: { status: 'x' } }, 's')));
    assert.deepEqual(checkState({ objects: [], nextId: 1, review: { status: 'approved' } }, 's'), { objects: [], nextId: 1, review: { status: 'approved' } });
    assert.equal(editConflict(approved(), { kind: 'setReview', before: { status: 'approved' }, after: null }), undefined);
    assert.match(editConflict(approved(), { kind: 'setReview', before: null, after: { status: 'approved' } }) ?? '', /review before differs/);
  });
});

describe('review: in the COCO sidecar', () => {
  it('is written after the annotations, read back, and write -> read -> write is byte-identical', () => {
    const s = approved();
    s.review = { status: 'needs-fix', note: 'the mirror is a car too', reviewer: 'ana' };
    const text = writeCocoSidecar(image, labels, s);
    const json = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['info', 'licenses', 'images', 'categories', 'annotations', 'edgeflow_review']);
    assert.deepEqual(json.edgeflow_review, { status: 'needs-fix', note: 'the mirror is a car too', reviewer: 'ana' });
    const r = readCocoSidecar(text);
    assert.ok(r.ok);
    assert.deepEqual(r.value.state.review, s.review);
    assert.deepEqual(r.value.extras.top, {});
    assert.equal(writeCocoSidecar(image, labels, r.value.state, { extras: r.value.extras }), text);
  });

  it('no review: no key (files without one are unchanged)', () => {
    const text = writeCocoSidecar(image, labels, { ...approved(), review: undefined });
    assert.equal(text.includes('edgeflow_review'), false);
    const r = readCocoSidecar(text);
    assert.ok(r.ok);
    assert.equal('review' in r.value.state, false);
  });

  it('clearing a review read from the file removes it on save', () => {
    const r = readCocoSidecar(writeCocoSidecar(image, labels, approved()));
    assert.ok(r.ok);
    const cleared = { ...r.value.state, review: undefined };
    assert.equal(writeCocoSidecar(image, labels, cleared, { extras: r.value.extras }).includes('edgeflow_review'), false);
  });

  it('an unreadable review: a warning, not reviewed, kept as it was until a review replaces it', () => {
    const raw = JSON.parse(writeCocoSidecar(image, labels, approved())) as Record<string, unknown>;
    raw.edgeflow_review = { status: 'approved', when: 'yesterday' };
    const r = readCocoSidecar(JSON.stringify(raw));
    assert.ok(r.ok);
    assert.equal(r.value.state.review, undefined);
    assert.deepEqual(r.value.issues.map((i) => [i.severity, i.code, i.path]), [['warning', 'invalid-review', 'edgeflow_review']]);
    const again = JSON.parse(writeCocoSidecar(image, labels, r.value.state, { extras: r.value.extras })) as Record<string, unknown>;
    assert.deepEqual(again.edgeflow_review, { status: 'approved', when: 'yesterday' });
    const replaced = JSON.parse(writeCocoSidecar(image, labels, { ...r.value.state, review: { status: 'approved' } }, { extras: r.value.extras })) as Record<string, unknown>;
    assert.deepEqual(replaced.edgeflow_review, { status: 'approved' });
  });
});
