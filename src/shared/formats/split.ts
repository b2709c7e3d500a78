/**
 * Deterministic, class-stratified dataset splits.
 *
 * Every image carries the set of class ids it contains. Images are grouped by their rarest class
 * (the class with the fewest images in the whole set), so rare classes are spread over the splits
 * first; images without objects form a group of their own. Inside a group the order is a seeded
 * hash of the image key, so the result depends only on (keys, classes, fractions, seed) and never
 * on the order in which files were listed. Each image goes to the split that lags furthest behind
 * its target fraction, counting both inside its group and overall; ties go to the earlier split.
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
 */
export function assignSplits(items: readonly SplitItem[], splits: readonly SplitSpec[], seed: number): Map<string, string> {
  const result = new Map<string, string>();
  if (splits.length === 0) throw new Error('no splits given');
  if (splits.length === 1) {
    for (const item of items) {
      if (result.has(item.key)) throw new Error(`duplicate split key "${item.key}"`);
      result.set(item.key, splits[0].name);
    }
    return result;
  }
  // How many images contain each class: the rarest class of an image decides its group.
  const imagesPerClass = new Map<number, number>();
  for (const item of items) {
    for (const c of new Set(item.classIds)) imagesPerClass.set(c, (imagesPerClass.get(c) ?? 0) + 1);
  }
  const groups = new Map<string, { key: string; order: number }[]>();
  for (const item of items) {
    let rarest: number | undefined;
    for (const c of item.classIds) {
      if (
        rarest === undefined ||
        imagesPerClass.get(c)! < imagesPerClass.get(rarest)! ||
        (imagesPerClass.get(c) === imagesPerClass.get(rarest) && c < rarest)
      ) {
        rarest = c;
      }
    }
    const groupKey = rarest === undefined ? 'none' : `c${rarest}`;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = []));
    group.push({ key: item.key, order: seededHash32(item.key, seed) });
  }
  // Rare groups first: they have the fewest images to spread, so they get the first choice.
  const groupOrder = [...groups.entries()].sort((a, b) => a[1].length - b[1].length || compareCodeUnits(a[0], b[0]));
  const totalAssigned = splits.map(() => 0);
  let totalCount = 0;
  for (const [, members] of groupOrder) {
    members.sort((a, b) => a.order - b.order || compareCodeUnits(a.key, b.key));
    const groupAssigned = splits.map(() => 0);
    for (let n = 0; n < members.length; n++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let s = 0; s < splits.length; s++) {
        // Lag behind the target inside the group plus lag overall: the group keeps each class
        // stratified, the overall term stops many one-image groups from all landing in split 0.
        const lag = splits[s].fraction * (n + 1) - groupAssigned[s];
        const globalLag = splits[s].fraction * (totalCount + 1) - totalAssigned[s];
        const score = lag + globalLag;
        if (score > bestScore + 1e-9) {
          best = s;
          bestScore = score;
        }
      }
      const key = members[n].key;
      if (result.has(key)) throw new Error(`duplicate split key "${key}"`);
      result.set(key, splits[best].name);
      groupAssigned[best]++;
      totalAssigned[best]++;
      totalCount++;
    }
  }
  return result;
}
