/**
 * The export/import engine's view of the outside world. The engine (exporter.ts, importer.ts) is
 * runtime-neutral; the extension and the CLI give it node implementations of these interfaces
 * (src/extension/export/nodeIo.ts), the unit tests in-memory ones.
 */
import type { DeflateFn, InflateFn } from './png';

// The formats are those of the writer registry (one file per format under ./writers/).
export { EXPORT_FORMATS } from './writers/registry';
export type { ExportFormat } from './writers/registry';

/** How images reach the dataset. */
export type ImageMode = 'copy' | 'link' | 'reference';

/** Read access to the workspace being exported or imported into. Paths are workspace-relative. */
export interface WorkspaceReader {
  /**
   * Workspace-relative paths of every COCO sidecar (`*.coco.json`) under the given folders or
   * files ('' = the whole workspace), sorted by code units, never following symbolic links,
   * skipping hidden folders, `node_modules` and the folders in `skip`.
   */
  listSidecars(include: readonly string[], skip: readonly string[]): Promise<string[]>;
  /** Text of a workspace file; rejects when it is missing. */
  readText(rel: string): Promise<string>;
  /** Bytes of a workspace file; rejects when it is missing. */
  readBytes(rel: string): Promise<Uint8Array>;
  /** True when the path is a regular file inside the workspace (after resolving links). */
  isFile(rel: string): Promise<boolean>;
}

/** Write access to the workspace (import). */
export interface WorkspaceWriter extends WorkspaceReader {
  /** Write a file atomically (temp file + rename), creating folders; never outside the workspace. */
  writeFileAtomic(rel: string, data: string | Uint8Array): Promise<void>;
  /** Every file under a workspace folder (recursive, sorted), for resolving images by name. */
  listFiles(dir: string, extensions: readonly string[]): Promise<string[]>;
}

/** An append-only output file. */
export interface OutStream {
  write(chunk: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Write access to the output folder. Paths are relative to it and checked by the implementation. */
export interface OutputWriter {
  writeFile(rel: string, data: string | Uint8Array): Promise<void>;
  openStream(rel: string): Promise<OutStream>;
  /** Append the contents of output file `rel` to `stream`. */
  appendTo(stream: OutStream, rel: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(rel: string): Promise<void>;
  /** Copy or symlink workspace file `src` to output path `dst`. */
  placeImage(src: string, dst: string, mode: 'copy' | 'link'): Promise<void>;
  /** Write workspace image `src` as a JPEG at output path `dst` (decoding and re-encoding). */
  writeJpeg(src: string, dst: string, quality: number): Promise<void>;
  /** The workspace root as seen from the output root ('/'-separated, relative when possible). */
  readonly workspaceFromOutput: string;
  /** Bytes written so far (files and streams). */
  readonly bytesWritten: number;
}

/** Compression the PNG writer and reader need. */
export interface Codecs {
  readonly deflate: DeflateFn;
  readonly inflate: InflateFn;
  /** base64 of bytes (labelme mask shapes). */
  readonly base64: (data: Uint8Array) => string;
  readonly fromBase64: (text: string) => Uint8Array;
}

/** Progress and cancellation. */
export interface ProgressSink {
  /** Called after each image with the number done and the total. */
  report(done: number, total: number, current: string): void;
  /** Polled between images; true stops the run. */
  isCancelled(): boolean;
}

/** One kind of warning, counted, with a few examples. */
export interface WarningSummary {
  readonly kind: string;
  readonly message: string;
  readonly count: number;
  readonly examples: readonly string[];
}

/** Collects warnings by kind. */
export class Warnings {
  private readonly byKind = new Map<string, { message: string; count: number; examples: string[] }>();

  /** Count one occurrence of `kind`; `message` describes the kind, `example` names where. */
  add(kind: string, message: string, example?: string, count = 1): void {
    let w = this.byKind.get(kind);
    if (!w) this.byKind.set(kind, (w = { message, count: 0, examples: [] }));
    w.count += count;
    if (example !== undefined && w.examples.length < 5 && !w.examples.includes(example)) w.examples.push(example);
  }

  /** All kinds in the order first seen. */
  list(): WarningSummary[] {
    return [...this.byKind.entries()].map(([kind, w]) => ({ kind, message: w.message, count: w.count, examples: w.examples }));
  }

  get size(): number {
    return this.byKind.size;
  }
}

/** One line per warning kind: `message (count): examples`. */
export function formatWarnings(warnings: readonly WarningSummary[]): string[] {
  return warnings.map((w) => `${w.message} (${w.count})${w.examples.length ? ': ' + w.examples.join(', ') + (w.count > w.examples.length ? ', ...' : '') : ''}`);
}
