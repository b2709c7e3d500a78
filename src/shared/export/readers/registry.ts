/**
 * Every source format an import reads. Adding one: a file in this folder exporting a
 * `SourceReader` (see ./types.ts), and its entry below.
 */
import { cocoReader } from './coco';
import { labelmeReader } from './labelme';
import { Detected, ImportSource, SourceReader } from './types';
import { vocReader } from './voc';

/** The readers, in the order they are documented (and win ties when detecting). */
export const READERS = [cocoReader, labelmeReader, vocReader] as const;

/** What an import reads from. */
export type ImportKind = (typeof READERS)[number]['kind'];

/** The reader for `source`; throws saying what was expected when none takes it. */
export async function readerFor(source: ImportSource): Promise<SourceReader<ImportKind>> {
  if (source.entry !== '') {
    const reader = READERS.find((r) => r.readsFile?.(source.entry));
    if (reader) return reader;
    const nouns = READERS.flatMap((r) => (r.fileNoun ? [r.fileNoun] : []));
    throw new Error(`${source.entry}: expected a ${nouns.join(' or ')} file or a folder`);
  }
  let best: SourceReader<ImportKind> | undefined;
  let bestScore: Detected = Detected.no;
  for (const r of READERS) {
    const score = r.detectFolder ? await r.detectFolder(source) : Detected.no;
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  if (best) return best;
  const nouns = READERS.flatMap((r) => (r.folderNoun ? [r.folderNoun] : []));
  const expected = nouns.length > 1 ? `neither ${nouns.slice(0, -1).join(', ')} nor ${nouns[nouns.length - 1]}` : `no ${nouns[0]}`;
  throw new Error(`the folder holds ${expected}`);
}
