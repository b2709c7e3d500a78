/**
 * What the export engine (../exporter.ts) and one dataset format agree on. The engine reads,
 * cleans and rasterises each image's objects once, then hands the result to the writer of every
 * chosen format in turn: `begin()` once, `image()` per image, `end()` once unless the run was
 * cancelled. A format is one file exporting a `FormatSpec`, plus its entry in ./registry.ts.
 */
import type { AttributeMap } from '../../annotation/attributes';
import type { AnnotationObject, MultiPolygonXY } from '../../annotation/types';
import type { CocoCategory } from '../../formats/cocoDataset';
import type { ObjectRaster } from '../clean';
import type { ExportOptions } from '../config';
import type { Codecs, OutStream, OutputWriter, Warnings } from '../types';

/** One object of an image, cleaned and rasterised once for every format. */
export interface PreparedObject {
  readonly object: AnnotationObject;
  /** The cleaned regions (no degenerate rings, no self-intersections). */
  readonly regions: MultiPolygonXY;
  readonly hasHoles: boolean;
  /** The object's pixels, cropped to its box. */
  readonly raster: ObjectRaster;
}

/** One image as the writers see it. */
export interface ExportImage {
  /** Workspace-relative path of the image. */
  readonly path: string;
  readonly split: string;
  /** Its COCO image id (stable across exports). */
  readonly id: number;
  /** The path without its extension, made unique among the exported images. */
  readonly stem: string;
  /** The extension, lower case, without the dot ('' when none). */
  readonly ext: string;
  readonly width: number;
  readonly height: number;
  /** Objects covering at least one pixel, in drawing order. */
  readonly objects: readonly PreparedObject[];
  /**
   * One class id per pixel (0 = background, later objects on top), painted on the first call and
   * shared by the mask formats; objects with class ids above 255 are left out, with a warning.
   */
  classMap(): Uint8Array;
}

/** What every writer of one run shares. */
export interface ExportContext {
  readonly output: OutputWriter;
  readonly options: ExportOptions;
  readonly codecs: Codecs;
  readonly warnings: Warnings;
  /** Every category in id order: the labels file's, then class ids only the sidecars know. */
  readonly categories: readonly CocoCategory[];
  readonly categoryById: ReadonlyMap<number, CocoCategory>;
  /**
   * The attributes to export for an object: its class's declared attributes (the stored value or
   * the default) then every other stored value; empty when it has none (see labelAttributes.ts).
   */
  attributesOf(object: AnnotationObject): AttributeMap;
  /** Split names in the order of the options. */
  readonly splitNames: readonly string[];
  /** Open an output stream; the engine closes it if the run fails or is cancelled. */
  open(rel: string): Promise<OutStream>;
  /** Like `open`, for a file that must not outlive the run: removed at the end unless renamed. */
  openTemporary(rel: string): Promise<OutStream>;
  /**
   * Queue a whole-file write (a PNG, an XML, an image copy): it runs while the next images are
   * prepared, a few at a time; a failure rejects a later `queue` or the end of the run.
   */
  queue(write: Promise<void>): Promise<void>;
  /** Path from an output-relative folder to a workspace file, for images only referenced. */
  refFrom(outDir: string, workspacePath: string): string;
}

/** Output-relative files a writer finished, for the run's summary. */
export interface WrittenFiles {
  /** Datasets and image lists. */
  readonly main: readonly string[];
  /** Legends, class lists and the like (listed after every format's main files). */
  readonly side?: readonly string[];
}

/** One format's writer for one run. */
export interface FormatWriter {
  /** Open the format's streams and say what the options mean for it (warnings). */
  begin(): Promise<void>;
  /** Write one image (whole files through `ExportContext.queue`). */
  image(image: ExportImage): Promise<void>;
  /** Finish the format's files; not called when the run is cancelled. */
  end(): Promise<WrittenFiles>;
}

/** A dataset format an export can write. */
export interface FormatSpec<F extends string = string> {
  /** The name in `--format`, the export config and the summary. */
  readonly format: F;
  /** Other accepted names (lower case). */
  readonly aliases?: readonly string[];
  /** The top-level folder of the output that this format writes under (and nowhere else). */
  readonly folder: string;
  /** Short name and one-line description (the palette's format picker). */
  readonly label: string;
  readonly description: string;
  /** A writer for one run. */
  create(context: ExportContext): FormatWriter;
}

/** Declare a format, keeping its name's literal type (the registry derives `ExportFormat` from it). */
export function defineFormat<F extends string>(spec: FormatSpec<F>): FormatSpec<F> {
  return spec;
}
