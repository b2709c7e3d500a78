/**
 * What the import engine (../importer.ts) and one source format agree on. The engine picks the
 * reader (./registry.ts), indexes the workspace's images and matches class names to the labels
 * file; the reader walks its source and hands each image's objects to `ImportContext.emit`,
 * which writes the sidecar. A format is one file exporting a `SourceReader`, plus its registry
 * entry.
 */
import type { AnnotationObject } from '../../annotation/types';
import type { Codecs, Warnings, WorkspaceReader } from '../types';
import type { ImageIndex, ImageMatch } from './imageIndex';
import type { LabelMatcher } from './labelMatcher';

/** Where labels come from: a reader rooted at the source folder, and the entry inside it. */
export interface ImportSource {
  readonly reader: WorkspaceReader & { listFiles(dir: string, extensions: readonly string[]): Promise<string[]> };
  /** Source-relative path of the COCO file, or '' for the source folder itself. */
  readonly entry: string;
  /** The source folder's path inside the workspace, when it is inside (labelme image paths then resolve directly). */
  readonly workspacePath?: string;
}

/** What a reader gets for one run. */
export interface ImportContext {
  readonly source: ImportSource;
  /** The workspace's images, to find the one a label file means. */
  readonly index: ImageIndex;
  /** Class name -> label id, adding labels for new names. */
  readonly labels: LabelMatcher;
  readonly warnings: Warnings;
  readonly codecs: Codecs;
  /** Workspace folder holding the images ('' = the whole workspace). */
  readonly imagesDir: string;
  /** The workspace's absolute path, to place absolute image paths from label files. */
  readonly workspaceAbsolute?: string;
  /** Image size for label files that do not state it. */
  readonly imageSize?: (workspacePath: string) => Promise<{ width: number; height: number }>;
  /** Polled between images: true stops the run (and marks it cancelled). */
  stopped(): boolean;
  /** Progress after each image imported. */
  report(done: number, total: number, current: string): void;
  /** Write one image's sidecar, unless the image was imported already or has one (overwrite off). */
  emit(imagePath: string, width: number, height: number, objects: AnnotationObject[]): Promise<void>;
  /** Warn that `mentioned` matched no workspace image, or several. */
  notFound(match: ImageMatch, mentioned: string): void;
  /** Warn that an image path pointed outside the workspace (it was matched by name). */
  outside(where: string): void;
}

/** How surely a folder holds a reader's format; the highest wins, ties go to the earlier reader. */
export const Detected = {
  no: 0,
  /** Files of the format's type, nothing more telling. */
  loosely: 1,
  /** Files that parse as the format. */
  likely: 2,
  /** The format's own folder layout. */
  layout: 3,
} as const;
export type Detected = (typeof Detected)[keyof typeof Detected];

/** One source format an import reads. */
export interface SourceReader<K extends string = string> {
  /** The name in the import summary. */
  readonly kind: K;
  /** For error messages: the file it reads ("COCO .json"), if it reads single files. */
  readonly fileNoun?: string;
  /** For error messages: what a folder of this format holds ("labelme JSON files"). */
  readonly folderNoun?: string;
  /** True when this reader reads the single file `entry` (source-relative). */
  readsFile?(entry: string): boolean;
  /** How surely the source folder holds this format. */
  detectFolder?(source: ImportSource): Promise<Detected>;
  /** Import every image of the source. */
  read(context: ImportContext): Promise<void>;
}

/** Declare a reader, keeping its kind's literal type (the registry derives `ImportKind` from it). */
export function defineReader<K extends string>(reader: SourceReader<K>): SourceReader<K> {
  return reader;
}
