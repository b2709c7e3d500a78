import * as assert from 'node:assert/strict';
import { assignSplits, parseSplits, SplitItem } from '../../src/shared/formats/split';

function items(n: number, classOf: (i: number) => number[]): SplitItem[] {
  return Array.from({ length: n }, (_, i) => ({ key: `img/${String(i).padStart(4, '0')}.png`, classIds: classOf(i) }));
}

function counts(result: Map<string, string>): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of result.values()) c[v] = (c[v] ?? 0) + 1;
  return c;
}

describe('splits: parsing', () => {
  it('names two and three fractions train/val(/test) and normalises percentages', () => {
    assert.deepEqual(parseSplits('0.8,0.2'), [{ name: 'train', fraction: 0.8 }, { name: 'val', fraction: 0.2 }]);
    assert.deepEqual(parseSplits('70,20,10').map((s) => s.name), ['train', 'val', 'test']);
    assert.ok(Math.abs(parseSplits('70,20,10')[0].fraction - 0.7) < 1e-12);
    assert.deepEqual(parseSplits('1'), [{ name: 'all', fraction: 1 }]);
  });

  it('accepts named splits, arrays and objects', () => {
    assert.deepEqual(parseSplits('a=0.5,b=0.25,c=0.125,d=0.125').map((s) => s.name), ['a', 'b', 'c', 'd']);
    assert.deepEqual(parseSplits([0.5, 0.5]).map((s) => s.name), ['train', 'val']);
    assert.deepEqual(parseSplits({ tr: 0.9, te: 0.1 }).map((s) => [s.name, s.fraction]), [['tr', 0.9], ['te', 0.1]]);
  });

  it('rejects malformed splits with a reason', () => {
    assert.throws(() => parseSplits('0.8,0.3'), /add up to 1/);
    assert.throws(() => parseSplits('0.8,abc'), /not a number/);
    assert.throws(() => parseSplits('0,1'), /greater than 0/);
    assert.throws(() => parseSplits('a=0.5,0.5'), /all splits or none/);
    assert.throws(() => parseSplits('x=0.5,x=0.5'), /used twice/);
    assert.throws(() => parseSplits('0.25,0.25,0.25,0.25'), /name the splits/);
    assert.throws(() => parseSplits('../a=1'), /letters, digits/);
    assert.throws(() => parseSplits(''), /at least one/);
  });
});

describe('splits: assignment', () => {
  const splits = parseSplits('0.8,0.1,0.1');

  it('is deterministic and independent of the input order', () => {
    const list = items(200, (i) => [1 + (i % 3)]);
    const a = assignSplits(list, splits, 7);
    const b = assignSplits([...list].reverse(), splits, 7);
    assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort());
  });

  it('changes with the seed', () => {
    const list = items(200, (i) => [1 + (i % 3)]);
    const a = assignSplits(list, splits, 1);
    const b = assignSplits(list, splits, 2);
    assert.notDeepEqual([...a.entries()].sort(), [...b.entries()].sort());
  });

  it('hits the fractions overall', () => {
    const c = counts(assignSplits(items(1000, (i) => [1 + (i % 5)]), splits, 0));
    assert.deepEqual(c, { train: 800, val: 100, test: 100 });
  });

  it('stratifies: every class with enough images appears in every split in proportion', () => {
    // Class 9 is rare (10 images), class 1 common; images hold one or two classes.
    const list = items(500, (i) => (i % 50 === 0 ? [1, 9] : i % 2 ? [1] : [2]));
    const result = assignSplits(list, parseSplits('0.8,0.2'), 3);
    const rare = list.filter((it) => it.classIds.includes(9)).map((it) => result.get(it.key));
    assert.equal(rare.filter((s) => s === 'train').length, 8);
    assert.equal(rare.filter((s) => s === 'val').length, 2);
    const c = counts(result);
    assert.equal(c.train, 400);
    assert.equal(c.val, 100);
  });

  it('spreads many one-image groups by their hashes instead of putting them all in the first split', () => {
    const list = items(1000, (i) => [i + 1]);
    const c = counts(assignSplits(list, parseSplits('0.8,0.2'), 0));
    assert.ok(Math.abs(c.train - 800) < 50 && c.train + c.val === 1000, JSON.stringify(c));
  });

  it('keeps almost every image in its split when more images are labelled', () => {
    const cls = (i: number) => [1 + ((i * 7919) % 5)];
    const before = items(1000, cls);
    const after = [...before, ...Array.from({ length: 50 }, (_, i) => ({ key: `new/${i}.png`, classIds: cls(i) }))];
    const a = assignSplits(before, splits, 1);
    const b = assignSplits(after, splits, 1);
    const moved = before.filter((it) => a.get(it.key) !== b.get(it.key)).length;
    assert.ok(moved <= 20, `${moved} of 1000 images changed split`);
    // And the counts stay exact per class.
    for (let k = 1; k <= 5; k++) {
      const members = after.filter((it) => it.classIds[0] === k);
      const val = members.filter((it) => b.get(it.key) === 'val').length;
      assert.ok(Math.abs(val - members.length * 0.1) < 1, `class ${k}: ${val} of ${members.length} in val`);
    }
  });

  it('puts images without classes in their own group and rejects duplicate keys', () => {
    const list = items(10, () => []);
    assert.deepEqual(counts(assignSplits(list, parseSplits('0.5,0.5'), 0)), { train: 5, val: 5 });
    assert.throws(() => assignSplits([...list, list[0]], parseSplits('0.5,0.5'), 0), /duplicate/);
  });
});
