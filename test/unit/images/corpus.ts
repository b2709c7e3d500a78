/** Typed access to scripts/make-bad-images.mjs for the tests. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CorpusEntry {
  name: string;
  expect: 'ok' | 'error';
  code?: string;
  width?: number;
  height?: number;
  what: string;
  /** Displayed corner colours (CORNERS unless a colour conversion changes them; null: damaged, not checked). */
  corners: null | { tl: [number, number, number]; tr: [number, number, number]; bl: [number, number, number]; br: [number, number, number] };
}

/** Writes the corpus into `dir` and returns its manifest. */
export async function makeCorpus(dir: string): Promise<CorpusEntry[]> {
  // The bundle lives in out/test/unit/images: the repository root is four levels up.
  const script = path.resolve(__dirname, '../../../../scripts/make-bad-images.mjs');
  // A real dynamic import (esbuild would otherwise turn it into require, which cannot load ESM).
  const mod = await (new Function('u', 'return import(u)') as (u: string) => Promise<{ makeBadImages(d: string): Promise<CorpusEntry[]>; CORNERS: CorpusEntry['corners'] }>)(pathToFileURL(script).href);
  return (await mod.makeBadImages(dir)).map((e) => ({ ...e, corners: e.corners === undefined ? mod.CORNERS : e.corners }));
}
