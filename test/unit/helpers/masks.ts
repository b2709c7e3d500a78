/** Small mask helpers shared by the geometry and inference tests. */
import { readInput } from './golden';

/** A binary mask parsed from ASCII art: '#' = object, anything else = background. */
export interface AsciiMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Parses ASCII art text ('#' set). */
export function parseAsciiMask(text: string): AsciiMask {
  const rows = text.split('\n').filter((l) => l.length > 0);
  const width = Math.max(...rows.map((r) => r.length));
  const data = new Uint8Array(width * rows.length);
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) if (row[c] === '#') data[r * width + c] = 1;
  });
  return { width, height: rows.length, data };
}

/** Reads test/fixtures/in/<name> as an ASCII mask. */
export function readAsciiMask(name: string): AsciiMask {
  return parseAsciiMask(readInput(name));
}

/** Deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random blobby mask: thresholded sum of a few random discs plus salt noise. */
export function randomMask(width: number, height: number, seed: number, noise = 0.02): Uint8Array {
  const rand = rng(seed);
  const m = new Uint8Array(width * height);
  const discs = 1 + Math.floor(rand() * 5);
  for (let k = 0; k < discs; k++) {
    const cx = rand() * width, cy = rand() * height, rad = 1 + rand() * Math.min(width, height) / 3;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) if ((c + 0.5 - cx) ** 2 + (r + 0.5 - cy) ** 2 <= rad * rad) m[r * width + c] ^= 1;
    }
  }
  for (let i = 0; i < m.length; i++) if (rand() < noise) m[i] ^= 1;
  return m;
}
