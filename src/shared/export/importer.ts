/**
 * The import engine: a COCO dataset JSON (polygons and RLE), a folder of labelme JSONs, or VOC
 * SegmentationObject PNGs become per-image sidecars, so existing labels can be reviewed in the
 * editor. Images are looked up among the workspace's own images (a path named in a label file is
 * only a key into that list: nothing is read from or written beside it, so '..' or an absolute
 * path cannot lead outside); an existing sidecar is replaced only with `overwrite`. Classes
 * are matched to the workspace labels file by name; new names are added to it. Each source
 * format is one reader in ./readers/ (listed in ./readers/registry.ts); this file holds what they
 * share: detection, the image index, the label matcher and writing the sidecars.
 */
import type { AnnotationObject, AnnotationState } from '../annotation/types';
import { COCO_SIDECAR_SUFFIX, MAX_SIDECAR_PIXELS, writeCocoSidecar } from '../formats/cocoSidecar';
import type { Label } from '../labels';
import { basenameRelative } from './paths';
import { ImageIndex } from './readers/imageIndex';
import { LabelMatcher } from './readers/labelMatcher';
import { ImportKind, readerFor } from './readers/registry';
import type { ImportContext, ImportSource } from './readers/types';
import type { Codecs, ProgressSink, WarningSummary, WorkspaceWriter } from './types';
import { Warnings } from './types';

export { cocoSegmentationToRegions } from './readers/coco';
export { locateMention } from './readers/imageIndex';
export type { ImportKind } from './readers/registry';
export type { ImportSource } from './readers/types';
export { VOC_CLASS_NAMES, fillVoid } from './readers/voc';

/** Image file extensions the editor opens (and an import looks for). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.gif', '.tif', '.tiff'];

/** Inputs of `importAnnotations`. */
export interface ImportRequest {
  readonly workspace: WorkspaceWriter;
  readonly source: ImportSource;
  readonly labels: readonly Label[];
  readonly overwrite: boolean;
  /** Workspace folder holding the images ('' or undefined = search the whole workspace). */
  readonly imagesDir?: string;
  readonly codecs: Codecs;
  readonly progress?: ProgressSink;
  /** Image size for labelme files that do not state it. */
  readonly imageSize?: (workspacePath: string) => Promise<{ width: number; height: number }>;
  /** Provenance written into the sidecars. */
  readonly generator?: string;
  /** The workspace's absolute path, to place absolute image paths from label files. */
  readonly workspaceAbsolute?: string;
  /** Skip these workspace folders when indexing images (e.g. an export folder). */
  readonly skip?: readonly string[];
}

/** What an import did. */
export interface ImportSummary {
  readonly kind: ImportKind;
  /** Sidecars written. */
  readonly written: number;
  /** Images left alone because they already had a sidecar. */
  readonly existing: number;
  readonly objects: number;
  /** Labels after the import (write them when `labelsChanged`: only when a sidecar was written). */
  readonly labels: Label[];
  readonly labelsChanged: boolean;
  readonly addedLabels: string[];
  readonly cancelled: boolean;
  readonly warnings: readonly WarningSummary[];
  /** Workspace paths of the sidecars written. */
  readonly sidecars: string[];
}

/** Detect what `source` holds. */
export async function detectImportKind(source: ImportSource): Promise<ImportKind> {
  return (await readerFor(source)).kind;
}

/** Run an import. */
export async function importAnnotations(req: ImportRequest): Promise<ImportSummary> {
  const { workspace } = req;
  const warnings = new Warnings();
  const matcher = new LabelMatcher(req.labels);
  const reader = await readerFor(req.source);
  const imagesDir = req.imagesDir ?? '';
  const imagePaths = (await workspace.listFiles(imagesDir, IMAGE_EXTENSIONS)).filter(
    (p) => !(req.skip ?? []).some((s) => p === s || p.startsWith(s + '/')),
  );
  if (imagePaths.length === 0) throw new Error(`no images found in the workspace${imagesDir ? ` under ${imagesDir}` : ''}`);
  const sidecars: string[] = [];
  let written = 0;
  let existing = 0;
  let objects = 0;
  let cancelled = false;
  const done = new Set<string>();

  const context: ImportContext = {
    source: req.source,
    index: new ImageIndex(imagePaths),
    labels: matcher,
    warnings,
    codecs: req.codecs,
    imagesDir,
    workspaceAbsolute: req.workspaceAbsolute,
    imageSize: req.imageSize,
    stopped: () => (cancelled ||= !!req.progress?.isCancelled()),
    report: (n, total, current) => req.progress?.report(n, total, current),
    emit,
    notFound: (match, mentioned) =>
      warnings.add(
        match.ambiguous ? 'ambiguous-image' : 'image-not-found',
        match.ambiguous ? 'Image names matching several workspace images (skipped)' : 'Images not found in the workspace (skipped)',
        mentioned,
      ),
    // A label file's image path only ever selects among the workspace's own images; one that
    // points outside the workspace is matched by its file name (never read, never written).
    outside: (where) => warnings.add('outside-path', 'Image paths pointing outside the workspace, matched to workspace images by file name', where),
  };
  await reader.read(context);

  return {
    kind: reader.kind,
    written,
    existing,
    objects,
    // An import that wrote no sidecar leaves the workspace as it was: its classes are not added
    // to the labels file either (they would name classes that no annotation uses).
    labels: written > 0 ? matcher.labels : req.labels.map((l) => ({ ...l })),
    labelsChanged: written > 0 && matcher.added.length > 0,
    addedLabels: written > 0 ? matcher.added : [],
    cancelled,
    warnings: warnings.list(),
    sidecars,
  };

  /** Write one image's sidecar unless it exists (and overwrite is off). */
  async function emit(imagePath: string, width: number, height: number, objs: AnnotationObject[]): Promise<void> {
    if (done.has(imagePath)) {
      warnings.add('duplicate-image', 'Images named twice in the source (the first one was kept)', imagePath);
      return;
    }
    done.add(imagePath);
    if (width * height > MAX_SIDECAR_PIXELS) {
      warnings.add('image-too-large', 'Images whose stated size is too large for a sidecar (skipped)', `${imagePath} (${width}x${height})`);
      return;
    }
    const sidecar = imagePath + COCO_SIDECAR_SUFFIX;
    if (!req.overwrite && (await workspace.isFile(sidecar))) {
      existing++;
      warnings.add('sidecar-exists', 'Images that already have a sidecar were left alone (use overwrite)', imagePath);
      return;
    }
    const state: AnnotationState = { objects: objs, nextId: objs.reduce((m, o) => Math.max(m, o.id), 0) + 1 };
    const text = writeCocoSidecar({ fileName: basenameRelative(imagePath), width, height }, matcher.labels, state, { generator: req.generator });
    await workspace.writeFileAtomic(sidecar, text);
    sidecars.push(sidecar);
    written++;
    objects += objs.length;
  }
}
