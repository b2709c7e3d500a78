/**
 * Fuzzes the hot-exit backup reader (`AnnotationModel.fromBackup`), which restores unsaved work
 * from VS Code's backup folder after a crash or a reload: a damaged backup must come back as a
 * typed `BackupError`, never an exception, and whatever it restores must be a valid state.
 */
import * as assert from 'node:assert/strict';
import { AnnotationModel } from '../../../src/shared/annotation';
import { checkState, isIssue } from '../../../src/shared/annotation/validate';
import { FUZZ_SCALE, FUZZ_SEED, FuzzStats, Rand, fuzzInput } from './fuzz';

function seeds(): unknown[] {
  const m = new AnnotationModel({
    objects: [{ id: 1, classId: 1, regions: [{ outer: [0, 0, 10, 0, 10, 10], holes: [] }], hidden: false }],
    nextId: 2,
  });
  m.apply({ kind: 'addObject', object: { id: 2, classId: 3, regions: [{ outer: [20, 20, 30, 20, 30, 30, 20, 30], holes: [[22, 22, 25, 22, 25, 25]] }], hidden: false }, index: 1 });
  m.apply({ kind: 'setClass', id: 1, before: 1, after: 4 });
  m.apply({ kind: 'setHidden', id: 2, before: false, after: true });
  m.apply({ kind: 'setGeometry', id: 1, before: [{ outer: [0, 0, 10, 0, 10, 10], holes: [] }], after: [{ outer: [0, 0, 12, 0, 12, 12], holes: [] }] });
  m.apply({ kind: 'reorder', id: 2, from: 1, to: 0 });
  return [JSON.parse(m.backupJson())];
}

describe('fuzz: hot-exit backup reader', function () {
  this.timeout(60000);
  it('returns typed errors only and restores valid states', () => {
    const r = new Rand(FUZZ_SEED ^ 0xbac);
    const seedList = seeds();
    const stats = new FuzzStats('backup reader');
    const total = Math.round(3000 * FUZZ_SCALE);
    for (let n = 0; n < total; n++) {
      const text = fuzzInput(r, seedList);
      stats.tried++;
      const t0 = performance.now();
      try {
        const got = AnnotationModel.fromBackup(text);
        stats.count(got.ok ? 'ok' : got.error.code);
        if (got.ok) {
          const s = checkState(JSON.parse(JSON.stringify(got.value.state)), 'state');
          assert.ok(!isIssue(s), `restored an invalid state: ${isIssue(s) && s.message}`);
          // What was restored backs up and restores to the same state.
          const again = AnnotationModel.fromBackup(got.value.backupJson());
          assert.ok(again.ok);
          assert.deepEqual(again.value.state, got.value.state);
        }
      } catch (e) {
        stats.crash(n, text, e);
      } finally {
        stats.slowest = Math.max(stats.slowest, performance.now() - t0);
      }
    }
    stats.assertNoCrashes();
  });
});
