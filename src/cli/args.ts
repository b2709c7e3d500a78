/**
 * Command-line parsing for `edgeflow`. Pure: argv in, a command or a usage error out, so the
 * tests can check every case without spawning a process. Node's `parseArgs` splits the
 * arguments into tokens; the checks and messages here are ours.
 */
import { parseArgs as tokenize } from 'node:util';
import { parseBoundary, parseFormats, parseImageMode, parseJpegQuality, parseSeed, normaliseInclude, ExportSettings } from '../shared/export/config';
import { parseSplits } from '../shared/formats/split';
import { EXPORT_FORMATS } from '../shared/export/writers/registry';

/** Bad arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `edgeflow export ...` */
export interface ExportCommand {
  readonly kind: 'export';
  readonly workspace: string;
  readonly config?: string;
  readonly noConfig: boolean;
  /** Labels file (`--labels`), relative to the current folder; undefined: the workspace's. */
  readonly labels?: string;
  readonly settings: ExportSettings;
  readonly quiet: boolean;
  readonly json: boolean;
}

/** `edgeflow import ...` */
export interface ImportCommand {
  readonly kind: 'import';
  readonly workspace: string;
  readonly from: string;
  readonly overwrite: boolean;
  readonly imagesDir?: string;
  readonly quiet: boolean;
  readonly json: boolean;
}

/** `--help`, `help`, `--version`. */
export interface InfoCommand {
  readonly kind: 'help' | 'version';
  readonly topic?: 'export' | 'import';
}

export type Command = ExportCommand | ImportCommand | InfoCommand;

export const USAGE = `edgeflow - export EdgeFlow Annotator labels as datasets, import existing labels

Usage:
  edgeflow export --workspace DIR --format LIST --out DIR [options]
  edgeflow import --workspace DIR --from FILE_OR_DIR [--overwrite]
  edgeflow --help | help [export|import] | --version

Exit codes: 0 success, 1 failure (one line on stderr says why), 2 bad arguments.
`;

export const EXPORT_HELP = `edgeflow export: write the workspace's sidecars (*.coco.json) as datasets

  --workspace DIR     the annotated folder (default: the current folder)
  --format LIST       comma-separated: ${EXPORT_FORMATS.join(', ')}
  --out DIR           output folder (created; files already there are overwritten,
                      others kept). Relative to the current folder.
  --split LIST        fractions, e.g. 0.8,0.2 or 0.8,0.1,0.1 (train,val[,test]),
                      or named: train=0.7,val=0.2,test=0.1. Default: one split "all".
  --seed N            seed of the stratified split (default 0)
  --images MODE       copy (default), link (symbolic links) or reference (no copies;
                      COCO file_name and labelme imagePath point at the workspace)
  --include PATH      only images under this workspace folder (repeatable)
  --no-empty          leave out images whose sidecar has no objects
  --voc-boundary PX   VOC: 255 "void" band of this width along object outlines (0 = off)
  --object-masks      masks: also one binary PNG per object
  --jpeg-quality Q    VOC JPEGImages quality for converted images (default 95)
  --labels FILE       labels file, as the setting edgeflow.labelsFile (default:
                      <workspace>/.edgeflow/labels.json). Relative to the current folder.
  --config FILE       export config (default: <workspace>/.edgeflow/export.json if present)
  --no-config         ignore the workspace export config
  --json              print the summary as JSON on stdout
  --quiet             no progress on stderr

Arguments override the config file. Output layout: coco/annotations/instances_<split>.json,
voc/{JPEGImages,SegmentationClass,SegmentationObject,Annotations,ImageSets}, masks/, pseudo/,
yolo/{images,labels}/<split>, yolo/data.yaml, labelme/, and edgeflow-export.json.
`;

export const IMPORT_HELP = `edgeflow import: turn existing labels into per-image sidecars

  --workspace DIR     the folder holding the images (default: the current folder)
  --from PATH         a COCO dataset JSON, a folder of labelme JSONs, or a VOC folder
                      (with SegmentationObject/, or a folder of SegmentationObject PNGs)
  --images DIR        workspace folder where the images are (default: found by path, then
                      by file name anywhere in the workspace)
  --overwrite         replace existing sidecars (without it they are kept and reported)
  --json              print the summary as JSON on stdout
  --quiet             no progress on stderr

Classes are matched to the workspace labels file (.edgeflow/labels.json) by name; new ones are
added to it.
`;

interface Spec {
  readonly takesValue: boolean;
  readonly repeatable?: boolean;
}

const EXPORT_FLAGS: Record<string, Spec> = {
  workspace: { takesValue: true },
  format: { takesValue: true, repeatable: true },
  formats: { takesValue: true, repeatable: true },
  out: { takesValue: true },
  split: { takesValue: true },
  seed: { takesValue: true },
  images: { takesValue: true },
  include: { takesValue: true, repeatable: true },
  'no-empty': { takesValue: false },
  'voc-boundary': { takesValue: true },
  'object-masks': { takesValue: false },
  'jpeg-quality': { takesValue: true },
  labels: { takesValue: true },
  config: { takesValue: true },
  'no-config': { takesValue: false },
  json: { takesValue: false },
  quiet: { takesValue: false },
  help: { takesValue: false },
};

const IMPORT_FLAGS: Record<string, Spec> = {
  workspace: { takesValue: true },
  from: { takesValue: true },
  images: { takesValue: true },
  overwrite: { takesValue: false },
  json: { takesValue: false },
  quiet: { takesValue: false },
  help: { takesValue: false },
};

function parseFlags(args: readonly string[], specs: Record<string, Spec>, command: string): Map<string, string[]> {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, name === 'help' ? { type: 'boolean' as const, short: 'h' } : { type: spec.takesValue ? ('string' as const) : ('boolean' as const) }]),
  );
  // Not strict: unknown options, stray values and values that look like options come back as
  // tokens, so that the messages below name them the way this CLI always has.
  const { tokens } = tokenize({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const out = new Map<string, string[]>();
  for (const t of tokens) {
    const raw = args[t.index];
    if (t.kind === 'option' && raw === '-h') {
      out.set('help', ['']);
      continue;
    }
    if (t.kind !== 'option' || !t.rawName.startsWith('--')) throw new UsageError(`unexpected argument "${raw}" (see edgeflow ${command} --help)`);
    // The name as written: Node reads "--=x" as an option named "=x".
    const eq = raw.indexOf('=');
    const name = eq >= 0 ? raw.slice(2, eq) : raw.slice(2);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(`unknown option --${name} for ${command} (see edgeflow ${command} --help)`);
    let value = '';
    if (spec.takesValue) {
      // A following "--x" is the next option, not this one's value.
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      value = t.value;
    } else if (t.value !== undefined) {
      throw new UsageError(`--${name} takes no value`);
    }
    const prev = out.get(name);
    if (prev && !spec.repeatable) throw new UsageError(`--${name} given twice`);
    out.set(name, [...(prev ?? []), value]);
  }
  return out;
}

function one(flags: Map<string, string[]>, name: string): string | undefined {
  return flags.get(name)?.[0];
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** Parse `process.argv.slice(2)`. Throws `UsageError` on anything malformed. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) return { kind: 'help' };
  const [cmd, ...rest] = argv;
  if (cmd === '--help' || cmd === '-h') return { kind: 'help' };
  if (cmd === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    if (topic === 'export' || topic === 'import') return { kind: 'help', topic };
    throw new UsageError(`no help for "${topic}" (export or import)`);
  }
  if (cmd === '--version' || cmd === '-V') return { kind: 'version' };
  if (cmd === 'export') {
    const f = parseFlags(rest, EXPORT_FLAGS, 'export');
    if (f.has('help')) return { kind: 'help', topic: 'export' };
    const settings: ExportSettings = {};
    const formatValues = [...(f.get('format') ?? []), ...(f.get('formats') ?? [])];
    if (formatValues.length) settings.formats = wrap('--format', () => parseFormats(formatValues.join(',')));
    const out = one(f, 'out');
    if (out !== undefined) {
      if (out.trim() === '') throw new UsageError('--out needs a folder');
      settings.out = out;
    }
    const split = one(f, 'split');
    if (split !== undefined) settings.splits = wrap('--split', () => parseSplits(split));
    const seed = one(f, 'seed');
    if (seed !== undefined) settings.seed = wrap('--seed', () => parseSeed(seed));
    const images = one(f, 'images');
    if (images !== undefined) settings.images = wrap('--images', () => parseImageMode(images));
    const include = f.get('include');
    if (include) settings.include = wrap('--include', () => include.map(normaliseInclude));
    if (f.has('no-empty')) settings.includeEmpty = false;
    const vb = one(f, 'voc-boundary');
    if (vb !== undefined) settings.vocBoundary = wrap('--voc-boundary', () => parseBoundary(vb));
    if (f.has('object-masks')) settings.objectMasks = true;
    const q = one(f, 'jpeg-quality');
    if (q !== undefined) settings.jpegQuality = wrap('--jpeg-quality', () => parseJpegQuality(q));
    if (f.has('config') && f.has('no-config')) throw new UsageError('--config and --no-config exclude each other');
    const labels = one(f, 'labels');
    if (labels !== undefined && labels.trim() === '') throw new UsageError('--labels needs a file');
    return {
      kind: 'export',
      workspace: one(f, 'workspace') ?? '.',
      config: one(f, 'config'),
      noConfig: f.has('no-config'),
      labels,
      settings,
      quiet: f.has('quiet'),
      json: f.has('json'),
    };
  }
  if (cmd === 'import') {
    const f = parseFlags(rest, IMPORT_FLAGS, 'import');
    if (f.has('help')) return { kind: 'help', topic: 'import' };
    const from = one(f, 'from');
    if (from === undefined || from.trim() === '') throw new UsageError('import needs --from FILE_OR_DIR');
    const imagesDir = one(f, 'images');
    return {
      kind: 'import',
      workspace: one(f, 'workspace') ?? '.',
      from,
      overwrite: f.has('overwrite'),
      imagesDir: imagesDir === undefined ? undefined : wrap('--images', () => normaliseInclude(imagesDir)),
      quiet: f.has('quiet'),
      json: f.has('json'),
    };
  }
  throw new UsageError(`unknown command "${cmd}" (export, import or --help)`);
}
