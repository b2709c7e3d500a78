/**
 * Small deterministic string hashes. Used where an order or an id must not depend on the
 * order in which files were listed (splits, stable ids). Not cryptographic.
 */

/** 32-bit FNV-1a over the UTF-16 code units of `text`, as an unsigned integer. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Final avalanche step of MurmurHash3: spreads the bits of a 32-bit value. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed unsigned 32-bit hash of `text` under `seed` (any integer). */
export function seededHash32(text: string, seed: number): number {
  return mix32(fnv1a32(text, mix32((seed | 0) ^ 0x9e3779b9)));
}

/** Compare two strings by UTF-16 code units: locale-independent, the same on every machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
