/**
 * The workspace as a dataset: which images it holds (the export's folders: `include` of
 * `.edgeflow/export.json`, its output folder left out, hidden files and folders too), and for each one a summary of its
 * sidecar (status, object count per class), read on demand and cached by the sidecar's mtime and
 * size, so a second pass over an unchanged workspace reads no file. vscode-free: the CLI uses it
 * (`edgeflow stats`), and so can a view on the host.
 */
import * as path from 'node:path';
import { imageStatus } from '../../shared/annotation/review';
import type { ImageSummary } from '../../shared/dataset/stats';
import { normaliseInclude } from '../../shared/export/config';
import { IMAGE_EXTENSIONS } from '../../shared/export/importer';
import { COCO_SIDECAR_SUFFIX, SidecarContent, SidecarError, readCocoSidecar } from '../../shared/formats/cocoSidecar';
import type { Result } from '../../shared/annotation/result';
import { maskToPolygons } from '../../shared/geometry/contours';
import { NodeWorkspace } from '../export/nodeIo';
import { readExportConfig } from '../export/run';

/** The files of the dataset. */
export interface DatasetListing {
  /** Workspace-relative image paths, sorted. */
  readonly images: string[];
  /** Sidecars whose image is gone. */
  readonly orphanSidecars: string[];
}

/** Where the dataset is. */
export interface DatasetScope {
  /** Folders (or files) of the workspace; empty: all of it. */
  readonly include: readonly string[];
  /** Folders left out (the export's output folder). */
  readonly skip: readonly string[];
}

interface CacheEntry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly summary: ImageSummary;
}

const NO_COUNTS: ReadonlyMap<number, number> = new Map();
const NO_NAMES: ReadonlyMap<number, string> = new Map();

/**
 * The scope `edgeflow export` would use: `include` of the export config (or the given folders),
 * and its output folder skipped when it lies inside the workspace.
 */
export async function datasetScope(workspace: NodeWorkspace, include?: readonly string[]): Promise<DatasetScope> {
  const config = await readExportConfig(workspace);
  const skip: string[] = [];
  if (config?.out !== undefined) {
    const rel = path.relative(workspace.folder, path.resolve(workspace.folder, config.out));
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) skip.push(rel.split(path.sep).join('/'));
  }
  return { include: include ? include.map(normaliseInclude) : (config?.include ?? []), skip };
}

export class DatasetIndex {
  private readonly cache = new Map<string, CacheEntry>();
  /** Sidecars parsed so far (the cache's misses): for tests and the benchmark. */
  parses = 0;

  constructor(readonly workspace: NodeWorkspace, readonly scope: DatasetScope) {}

  /** Opens a workspace folder with the export's scope (or `include`). */
  static async open(folder: string, include?: readonly string[]): Promise<DatasetIndex> {
    // Images linked in from elsewhere are the user's data, as for the export.
    const workspace = await NodeWorkspace.open(folder, true);
    return new DatasetIndex(workspace, await datasetScope(workspace, include));
  }

  /** Lists images and sidecars (one walk); sidecars of images that are links count as theirs. */
  async list(): Promise<DatasetListing> {
    const imageSuffixes = IMAGE_EXTENSIONS;
    const files = await this.workspace.listUnder(this.scope.include, this.scope.skip, [...imageSuffixes, COCO_SIDECAR_SUFFIX]);
    const images = new Set<string>();
    const sidecars: string[] = [];
    for (const f of files) {
      // Hidden files are not data: macOS "._x.png" resource forks, a tool's ".thumb.png".
      if (f.slice(f.lastIndexOf('/') + 1).startsWith('.')) continue;
      if (f.toLowerCase().endsWith(COCO_SIDECAR_SUFFIX)) sidecars.push(f);
      else images.add(f);
    }
    const orphanSidecars: string[] = [];
    for (const s of sidecars) {
      const image = s.slice(0, -COCO_SIDECAR_SUFFIX.length);
      if (images.has(image)) continue;
      // The walk does not follow links; an image that is a link is still an image.
      if (imageSuffixes.some((e) => image.toLowerCase().endsWith(e)) && (await this.workspace.isFile(image))) images.add(image);
      else orphanSidecars.push(s);
    }
    const sorted = [...images].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Forget images that left the dataset, so the cache stays the size of the dataset.
    for (const k of this.cache.keys()) if (!images.has(k)) this.cache.delete(k);
    return { images: sorted, orphanSidecars };
  }

  /** The image's summary: from the cache while its sidecar's mtime and size are unchanged. */
  async summary(image: string): Promise<ImageSummary> {
    const sidecar = image + COCO_SIDECAR_SUFFIX;
    const st = await this.workspace.stat(sidecar);
    if (!st) {
      this.cache.delete(image);
      return { image, status: 'unlabelled', objects: 0, classCounts: NO_COUNTS, categoryNames: NO_NAMES };
    }
    const hit = this.cache.get(image);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.summary;
    const summary = summarise(image, sidecar, await this.readSidecar(image));
    this.cache.set(image, { ...st, summary });
    return summary;
  }

  /**
   * Reads the image's sidecar (undefined: it has none) and refreshes its cached summary with it,
   * for callers that need the objects themselves (the quality checks): one read serves both.
   */
  async inspect(image: string): Promise<{ summary: ImageSummary; read?: Result<SidecarContent, SidecarError> }> {
    const sidecar = image + COCO_SIDECAR_SUFFIX;
    const st = await this.workspace.stat(sidecar);
    if (!st) return { summary: await this.summary(image) };
    const read = await this.readSidecar(image);
    const summary = summarise(image, sidecar, read);
    this.cache.set(image, { ...st, summary });
    return { summary, read };
  }

  /** Summaries of `images`, read `concurrency` at a time, in the order given. */
  async summaries(images: readonly string[], concurrency = 16): Promise<ImageSummary[]> {
    const out: ImageSummary[] = new Array<ImageSummary>(images.length);
    let next = 0;
    const worker = async () => {
      while (next < images.length) {
        const i = next++;
        out[i] = await this.summary(images[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, worker));
    return out;
  }

  /** Reads and parses the image's sidecar (leniently: what can be read is), not cached. */
  async readSidecar(image: string): Promise<Result<SidecarContent, SidecarError>> {
    this.parses++;
    let text: string;
    try {
      text = await this.workspace.readText(image + COCO_SIDECAR_SUFFIX);
    } catch (e) {
      return { ok: false, error: { code: 'invalid-json', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` } };
    }
    return readCocoSidecar(text, { lenient: true, maskToRegions: maskToPolygons });
  }
}

function summarise(image: string, sidecar: string, read: Result<SidecarContent, SidecarError>): ImageSummary {
  if (!read.ok) return { image, sidecar, status: 'unreadable', objects: 0, classCounts: NO_COUNTS, categoryNames: NO_NAMES, error: read.error.message };
  const c = read.value;
  const classCounts = new Map<number, number>();
  for (const o of c.state.objects) classCounts.set(o.classId, (classCounts.get(o.classId) ?? 0) + 1);
  const categoryNames = new Map(c.categories.map((k) => [k.id, k.name] as const));
  const s: ImageSummary = { image, sidecar, status: imageStatus(c.state.objects.length, c.state.review), objects: c.state.objects.length, classCounts, categoryNames };
  return c.state.review ? { ...s, review: c.state.review } : s;
}
