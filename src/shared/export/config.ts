/**
 * Export options and the workspace export config (`.edgeflow/export.json`), which the palette
 * command and the CLI both read so that a person and a CI job produce the same dataset.
 *
 * ```json
 * {
 *   "formats": ["coco", "voc"],
 *   "out": "dataset",
 *   "split": {"train": 0.8, "val": 0.1, "test": 0.1},
 *   "seed": 42,
 *   "images": "copy",
 *   "include": ["images/batch1"],
 *   "includeEmpty": true,
 *   "voc": {"boundary": 5},
 *   "mask": {"objectMasks": true},
 *   "jpegQuality": 95
 * }
 * ```
 * Every key is optional; command-line arguments and palette choices override the file.
 */
import { SplitSpec, parseSplits } from '../formats/split';
import { safeRelativePath } from './paths';
import type { ImageMode } from './types';
import { EXPORT_FORMATS, ExportFormat, findFormat } from './writers/registry';

/** Workspace-relative path of the export config. */
export const EXPORT_CONFIG_PATH = '.edgeflow/export.json';

/** Everything that decides what an export writes. */
export interface ExportOptions {
  readonly formats: readonly ExportFormat[];
  readonly splits: readonly SplitSpec[];
  readonly seed: number;
  readonly images: ImageMode;
  /** Workspace-relative folders or image files to export; empty = every annotated image. */
  readonly include: readonly string[];
  /** Export images whose sidecar has no objects (as negatives); they are counted in the warnings. */
  readonly includeEmpty: boolean;
  /** Width in pixels of the VOC 255 boundary band; 0 = none. */
  readonly vocBoundary: number;
  /** Also write one binary mask per object (mask format). */
  readonly objectMasks: boolean;
  /** Quality of JPEGs converted for VOC `JPEGImages`. */
  readonly jpegQuality: number;
}

/** Options as read from a config file or arguments: everything optional, plus the output folder. */
export interface ExportSettings {
  formats?: ExportFormat[];
  out?: string;
  splits?: SplitSpec[];
  seed?: number;
  images?: ImageMode;
  include?: string[];
  includeEmpty?: boolean;
  vocBoundary?: number;
  objectMasks?: boolean;
  jpegQuality?: number;
}

/** Defaults for anything neither the config nor the caller sets. */
export const DEFAULT_EXPORT_OPTIONS: ExportOptions = {
  formats: ['coco'],
  splits: [{ name: 'all', fraction: 1 }],
  seed: 0,
  images: 'copy',
  include: [],
  includeEmpty: true,
  vocBoundary: 0,
  objectMasks: false,
  jpegQuality: 95,
};

/** Parse `coco,voc` (or an array) into formats; throws on unknown names. */
export function parseFormats(value: unknown): ExportFormat[] {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!list) throw new Error('formats must be a list such as coco,voc');
  const out: ExportFormat[] = [];
  for (const raw of list) {
    if (typeof raw !== 'string') throw new Error('formats must be strings');
    const f = raw.trim().toLowerCase();
    if (f === '') continue;
    const name = findFormat(f)?.format;
    if (name === undefined) throw new Error(`unknown format "${raw.trim()}" (use ${EXPORT_FORMATS.join(', ')})`);
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) throw new Error('no format given');
  return out;
}

/** Parse an image mode. */
export function parseImageMode(value: unknown): ImageMode {
  if (value === 'copy' || value === 'link' || value === 'reference') return value;
  throw new Error(`images must be copy, link or reference, not ${JSON.stringify(value)}`);
}

/** Parse an integer seed (decimal, may be negative). */
export function parseSeed(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Error(`seed must be an integer, not ${JSON.stringify(value)}`);
  return n;
}

function parseNonNegativeInt(value: unknown, what: string, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) throw new Error(`${what} must be an integer 0..${max}`);
  return n;
}

/** Parse the JPEG quality (1..100). */
export function parseJpegQuality(value: unknown): number {
  const q = parseNonNegativeInt(value, 'jpegQuality', 100);
  if (q < 1) throw new Error('jpegQuality must be an integer 1..100');
  return q;
}

/** Parse the VOC boundary width (0 = off). */
export function parseBoundary(value: unknown): number {
  return parseNonNegativeInt(value, 'voc boundary', 64);
}

/** Parse the export config file text; throws with `.edgeflow/export.json: <reason>`. */
export function parseExportConfig(text: string): ExportSettings {
  const fail = (m: string): never => {
    throw new Error(`${EXPORT_CONFIG_PATH}: ${m}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('must be a JSON object');
  const r = raw as Record<string, unknown>;
  const known = new Set(['formats', 'out', 'split', 'seed', 'images', 'include', 'includeEmpty', 'voc', 'mask', 'jpegQuality', '$schema']);
  for (const k of Object.keys(r)) if (!known.has(k)) fail(`unknown key "${k}"`);
  const s: ExportSettings = {};
  try {
    if (r.formats !== undefined) s.formats = parseFormats(r.formats);
    if (r.out !== undefined) {
      if (typeof r.out !== 'string' || r.out.trim() === '') fail('"out" must be a folder path');
      s.out = r.out as string;
    }
    if (r.split !== undefined) s.splits = parseSplits(r.split);
    if (r.seed !== undefined) s.seed = parseSeed(r.seed);
    if (r.images !== undefined) s.images = parseImageMode(r.images);
    if (r.include !== undefined) {
      if (!Array.isArray(r.include) || r.include.some((x) => typeof x !== 'string')) fail('"include" must be a list of folders');
      s.include = (r.include as string[]).map(normaliseInclude);
    }
    if (r.includeEmpty !== undefined) {
      if (typeof r.includeEmpty !== 'boolean') fail('"includeEmpty" must be true or false');
      s.includeEmpty = r.includeEmpty as boolean;
    }
    if (r.voc !== undefined) {
      const v = r.voc as Record<string, unknown>;
      if (typeof v !== 'object' || v === null) fail('"voc" must be an object');
      if (v.boundary !== undefined) s.vocBoundary = v.boundary === true ? 5 : v.boundary === false ? 0 : parseBoundary(v.boundary);
    }
    if (r.mask !== undefined) {
      const m = r.mask as Record<string, unknown>;
      if (typeof m !== 'object' || m === null) fail('"mask" must be an object');
      if (m.objectMasks !== undefined) {
        if (typeof m.objectMasks !== 'boolean') fail('"mask.objectMasks" must be true or false');
        s.objectMasks = m.objectMasks as boolean;
      }
    }
    if (r.jpegQuality !== undefined) s.jpegQuality = parseJpegQuality(r.jpegQuality);
  } catch (e) {
    const m = (e as Error).message;
    if (m.startsWith(EXPORT_CONFIG_PATH)) throw e;
    fail(m);
  }
  return s;
}

/**
 * The text of an export config holding `options` (what the palette writes when asked to save its
 * choices as the workspace defaults). `out` is relative to the workspace when inside it.
 */
export function serializeExportConfig(options: ExportOptions, out: string | undefined): string {
  const o: Record<string, unknown> = { formats: [...options.formats] };
  if (out !== undefined) o.out = out;
  if (options.splits.length > 1) o.split = Object.fromEntries(options.splits.map((s) => [s.name, +s.fraction.toFixed(6)]));
  o.seed = options.seed;
  o.images = options.images;
  if (options.include.length) o.include = [...options.include];
  o.includeEmpty = options.includeEmpty;
  if (options.vocBoundary) o.voc = { boundary: options.vocBoundary };
  if (options.objectMasks) o.mask = { objectMasks: true };
  o.jpegQuality = options.jpegQuality;
  return JSON.stringify(o, null, 2) + '\n';
}

/** A folder or file to include, normalised; '' or '.' means the whole workspace. */
export function normaliseInclude(path: string): string {
  const p = path.trim().replace(/\\/g, '/');
  if (p === '' || p === '.' || p === './') return '';
  return safeRelativePath(p);
}

/** Merge settings (later ones win) over the defaults. */
export function resolveExportOptions(...layers: (ExportSettings | undefined)[]): ExportOptions & { out?: string } {
  let o: ExportOptions & { out?: string } = { ...DEFAULT_EXPORT_OPTIONS };
  for (const l of layers) {
    if (!l) continue;
    o = {
      formats: l.formats ?? o.formats,
      splits: l.splits ?? o.splits,
      seed: l.seed ?? o.seed,
      images: l.images ?? o.images,
      include: l.include ?? o.include,
      includeEmpty: l.includeEmpty ?? o.includeEmpty,
      vocBoundary: l.vocBoundary ?? o.vocBoundary,
      objectMasks: l.objectMasks ?? o.objectMasks,
      jpegQuality: l.jpegQuality ?? o.jpegQuality,
      out: l.out ?? o.out,
    };
  }
  return o;
}
