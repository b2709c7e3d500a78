/**
 * Deterministic, class-stratified dataset splits that stay put when images are added.
 *
 * Every image carries the set of class ids it contains. Images are grouped by their rarest class
 * (the class with the fewest images in the whole set); images without objects form a group of
 * their own. The result depends only on (keys, classes, fractions, seed), never on the order in
 * which files were listed. See `assignSplits` for how images are placed.
 */
import { compareCodeUnits, seededHash32 } from '../export/hash';

/** One split: a name (used in file names: `instances_<name>.json`) and a fraction in (0, 1]. */
export interface SplitSpec {
  readonly name: string;
  readonly fraction: number;
}

/** An image to be assigned: a unique key (its workspace-relative path) and its class ids. */
export interface SplitItem {
  readonly key: string;
  readonly classIds: readonly number[];
}

/** Default split names for 1, 2 and 3 fractions. */
const DEFAULT_NAMES: readonly (readonly string[])[] = [
  ['all'],
  ['train', 'val'],
  ['train', 'val', 'test'],
];

const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Parse a split description: `0.8,0.2`, `train=0.8,val=0.1,test=0.1`, or the same as an array or
 * an object (from `.edgeflow/export.json`). Fractions are normalised to sum to 1. Throws with a
 * message suitable for the user on anything malformed.
 */
export function parseSplits(value: unknown): SplitSpec[] {
  let pairs: [string | undefined, number][];
  if (typeof value === 'string') {
    const parts = value.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    pairs = parts.map((part) => {
      const eq = part.indexOf('=');
      const name = eq >= 0 ? part.slice(0, eq).trim() : undefined;
      const num = eq >= 0 ? part.slice(eq + 1).trim() : part;
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(num)) {
        throw new Error(`split fraction "${num}" is not a number`);
      }
      return [name, Number(num)];
    });
  } else if (Array.isArray(value)) {
    pairs = value.map((v) => {
      if (typeof v !== 'number') throw new Error('split fractions must be numbers');
      return [undefined, v];
    });
  } else if (value !== null && typeof value === 'object') {
    pairs = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (typeof v !== 'number') throw new Error(`split "${k}" must be a number`);
      return [k, v];
    });
  } else {
    throw new Error('split must be a list of fractions such as 0.8,0.2');
  }
  if (pairs.length === 0) throw new Error('split needs at least one fraction');
  if (pairs.length > 16) throw new Error('at most 16 splits are supported');
  const named = pairs.filter(([n]) => n !== undefined).length;
  if (named !== 0 && named !== pairs.length) {
    throw new Error('name either all splits or none (train=0.8,val=0.2)');
  }
  if (named === 0 && pairs.length > DEFAULT_NAMES.length) {
    throw new Error(`name the splits when there are more than ${DEFAULT_NAMES.length} (a=0.5,b=0.3,...)`);
  }
  let total = 0;
  for (const [, f] of pairs) {
    if (!Number.isFinite(f) || f <= 0) throw new Error('split fractions must be greater than 0');
    total += f;
  }
  if (pairs.length > 1 && Math.abs(total - 1) > 1e-6 && Math.abs(total - 100) > 1e-6) {
    throw new Error(`split fractions must add up to 1 (or 100), not ${+total.toFixed(6)}`);
  }
  const names = named ? pairs.map(([n]) => n as string) : DEFAULT_NAMES[pairs.length - 1];
  const seen = new Set<string>();
  return pairs.map(([, f], i) => {
    const name = names[i];
    if (!SPLIT_NAME.test(name)) throw new Error(`split name "${name}" must be letters, digits, _ . -`);
    if (seen.has(name)) throw new Error(`split name "${name}" is used twice`);
    seen.add(name);
    return { name, fraction: f / total };
  });
}

/**
 * Assign every item to a split. Returns a map from item key to split name. Duplicate keys throw.
 *
 * Each image first goes where a seeded hash of its key falls on [0, 1) (split s owns
 * [f0+..+f(s-1), f0+..+fs)), which alone never changes when other images come or go. Then, inside
 * each class group, the fewest images are moved, those whose hash lies closest to the border of
 * the split they move to, until every split holds floor or ceil of its share of the group. So
 * rare classes reach every split, and re-exporting after labelling more images keeps almost every
 * image in the split it had (no silent leaks from train into test between dataset versions).
 */
export function assignSplits(items: readonly SplitItem[], splits: readonly SplitSpec[], seed: number): Map<string, string> {
  const result = new Map<string, string>();
  if (splits.length === 0) throw new Error('no splits given');
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.key)) throw new Error(`duplicate split key "${item.key}"`);
    seen.add(item.key);
  }
  if (splits.length === 1) {
    for (const item of items) result.set(item.key, splits[0].name);
    return result;
  }
  const bounds: number[] = [];
  let acc = 0;
  for (const s of splits) bounds.push((acc += s.fraction));
  bounds[bounds.length - 1] = 1;
  const lower = (s: number) => (s === 0 ? 0 : bounds[s - 1]);
  // How many images contain each class: the rarest class of an image decides its group.
  const imagesPerClass = new Map<number, number>();
  for (const item of items) {
    for (const c of new Set(item.classIds)) imagesPerClass.set(c, (imagesPerClass.get(c) ?? 0) + 1);
  }
  const groups = new Map<string, { key: string; t: number; split: number }[]>();
  for (const item of items) {
    let rarest: number | undefined;
    for (const c of item.classIds) {
      const n = imagesPerClass.get(c)!;
      if (rarest === undefined || n < imagesPerClass.get(rarest)! || (n === imagesPerClass.get(rarest) && c < rarest)) rarest = c;
    }
    const groupKey = rarest === undefined ? 'none' : `c${rarest}`;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = []));
    const t = seededHash32(item.key, seed) / 4294967296;
    let split = 0;
    while (split < splits.length - 1 && t >= bounds[split]) split++;
    group.push({ key: item.key, t, split });
  }
  for (const [, members] of [...groups.entries()].sort((a, b) => compareCodeUnits(a[0], b[0]))) {
    const n = members.length;
    const lo = splits.map((s) => Math.floor(n * s.fraction + 1e-9));
    const hi = splits.map((s, i) => Math.max(lo[i], Math.ceil(n * s.fraction - 1e-9)));
    const count = splits.map(() => 0);
    for (const m of members) count[m.split]++;
    // Distance of a member's hash from split s's interval (0 inside it).
    const distance = (t: number, s: number) => (t < lower(s) ? lower(s) - t : t >= bounds[s] ? t - bounds[s] : 0);
    for (let guard = 0; guard <= n; guard++) {
      const under = count.findIndex((c, s) => c < lo[s]);
      const over = count.findIndex((c, s) => c > hi[s]);
      let to = under;
      let from = -1;
      if (under >= 0) {
        // Take from a split above its ceiling, else from any split above its floor.
        from = over >= 0 ? over : count.findIndex((c, s) => c > lo[s] && s !== under);
      } else if (over >= 0) {
        from = over;
        to = count.findIndex((c, s) => c < hi[s] && s !== over);
      }
      if (from < 0 || to < 0) break;
      let best: (typeof members)[number] | undefined;
      for (const m of members) {
        if (m.split !== from) continue;
        if (!best || distance(m.t, to) < distance(best.t, to) || (distance(m.t, to) === distance(best.t, to) && compareCodeUnits(m.key, best.key) < 0)) best = m;
      }
      if (!best) break;
      best.split = to;
      count[from]--;
      count[to]++;
    }
    for (const m of members) result.set(m.key, splits[m.split].name);
  }
  return result;
}
