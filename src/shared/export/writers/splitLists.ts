/** `<folder>/<split>.txt`: the files of each split, one per line, when there are several splits. */
import type { OutStream } from '../types';
import type { ExportContext } from './types';

/** The per-split lists of one format folder (none with a single split). */
export class SplitLists {
  private constructor(
    private readonly folder: string,
    private readonly streams: ReadonlyMap<string, OutStream>,
  ) {}

  /** Open `<folder>/<split>.txt` for every split, if there are several. */
  static async open(context: ExportContext, folder: string): Promise<SplitLists> {
    const streams = new Map<string, OutStream>();
    if (context.splitNames.length > 1) {
      for (const split of context.splitNames) streams.set(split, await context.open(`${folder}/${split}.txt`));
    }
    return new SplitLists(folder, streams);
  }

  /** List `file` (relative to the folder) under its split. */
  async add(split: string, file: string): Promise<void> {
    await this.streams.get(split)?.write(`${file}\n`);
  }

  /** Close the lists; their output-relative paths. */
  async close(): Promise<string[]> {
    const files: string[] = [];
    for (const [split, s] of this.streams) {
      await s.close();
      files.push(`${this.folder}/${split}.txt`);
    }
    return files;
  }
}
