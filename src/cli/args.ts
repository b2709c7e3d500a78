/**
 * Command-line parsing for `edgeflow`. Pure: argv in, a command or a usage error out, so the
 * tests can check every case without spawning a process. Node's `parseArgs` splits the
 * arguments into tokens; the checks and messages here are ours.
 */
import { parseArgs as tokenize } from 'node:util';
import { parseBoundary, parseFormats, parseImageMode, parseJpegQuality, parseSeed, normaliseInclude, ExportSettings } from '../shared/export/config';
import { parseSplits } from '../shared/formats/split';
import { EXPORT_FORMATS } from '../shared/export/writers/registry';
import { MAX_REVIEW_TEXT, REVIEW_DECISIONS, type ReviewDecision } from '../shared/annotation/review';

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

/** `edgeflow stats ...` */
export interface StatsCommand {
  readonly kind: 'stats';
  readonly workspace: string;
  /** Folders instead of the export config's `include`. */
  readonly include?: string[];
  readonly labels?: string;
  readonly checks: boolean;
  readonly minPixels?: number;
  readonly json: boolean;
}

/** `edgeflow review ...` */
export interface ReviewCommand {
  readonly kind: 'review';
  readonly workspace: string;
  readonly image: string;
  /** undefined: clear the review (`--status none`). */
  readonly status?: ReviewDecision;
  readonly note?: string;
  readonly reviewer?: string;
  readonly labels?: string;
  readonly json: boolean;
}

/** `edgeflow diff ...` */
export interface DiffCommand {
  readonly kind: 'diff';
  readonly workspace: string;
  readonly from: string;
  /** undefined: the files on disk. */
  readonly to?: string;
  readonly labels?: string;
  readonly json: boolean;
}

/** Commands with a help page of their own. */
export type HelpTopic = 'export' | 'import' | 'stats' | 'review' | 'diff';
const TOPICS: readonly HelpTopic[] = ['export', 'import', 'stats', 'review', 'diff'];

/** `--help`, `help`, `--version`. */
export interface InfoCommand {
  readonly kind: 'help' | 'version';
  readonly topic?: HelpTopic;
}

export type Command = ExportCommand | ImportCommand | StatsCommand | ReviewCommand | DiffCommand | InfoCommand;

export const USAGE = `edgeflow - export EdgeFlow Annotator labels as datasets, import existing labels

Usage:
  edgeflow export --workspace DIR --format LIST --out DIR [options]
  edgeflow import --workspace DIR --from FILE_OR_DIR [--overwrite]
  edgeflow stats --workspace DIR [--json] [--checks]
  edgeflow review --workspace DIR --image PATH --status approved|needs-fix|none [--note TEXT]
  edgeflow diff --workspace DIR --from REF [--to REF] [--json]
  edgeflow --help | help [export|import|stats|review|diff] | --version

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

export const STATS_HELP = `edgeflow stats: progress and review counts of the workspace's images

  --workspace DIR     the annotated folder (default: the current folder)
  --include PATH      only images under this workspace folder (repeatable; default: "include"
                      of .edgeflow/export.json, else the whole workspace)
  --labels FILE       labels file (default: <workspace>/.edgeflow/labels.json), for class names
                      and the unknown-class check. Relative to the current folder.
  --checks            also run the quality checks: objects that cover no pixel, tiny objects,
                      near-duplicates (same class, IoU >= 0.9), classes missing from the labels
                      file, unreadable sidecars, sidecars whose image is gone. Exit code 1 when
                      one is an error (tiny objects, near-duplicates: warnings).
  --min-pixels N      with --checks: objects covering fewer pixels are tiny (default 16)
  --json              print JSON: {"images", "unlabelled", "labelled", "approved", "needsFix",
                      "objects", "objectsPerClass": {name: count}} ("unreadable" only when some
                      sidecars cannot be read; "checks": [...] with --checks)

An image is unlabelled without objects or review, labelled with at least one object and no
review, approved or needs-fix as reviewed (edgeflow review). The export's output folder is left out.
`;

export const REVIEW_HELP = `edgeflow review: approve an image, mark it as needing a fix, or clear its review

  --workspace DIR     the annotated folder (default: the current folder)
  --image PATH        the image (relative to the current folder, or to the workspace)
  --status S          approved, needs-fix, or none (clears the review)
  --note TEXT         why it needs a fix (stored in the sidecar)
  --reviewer NAME     store the reviewer's name too (nothing is stored otherwise)
  --labels FILE       labels file for a sidecar created here (an image without one)
  --json              print the result as JSON on stdout

The review is the sidecar's "edgeflow_review" key; the rest of the file is kept as it is. A
sidecar that cannot be read is never rewritten (exit code 1). Editing an approved image in the
editor clears its approval.
`;

export const DIFF_HELP = `edgeflow diff: the label changes between two git revisions, per image

  --workspace DIR     the annotated folder, inside a git repository (default: the current folder)
  --from REF          the older revision: a commit, branch or tag (HEAD, main, HEAD~3, ...)
  --to REF            the newer revision (default: the files on disk, untracked sidecars included)
  --labels FILE       labels file for class names (default: <workspace>/.edgeflow/labels.json)
  --json              print {from, to, images: [{image, sidecar, added, removed, changed,
                      review}], totals} as JSON

Objects are matched by id, then by overlap (IoU >= 0.5); a change is geometry, class or
attributes. Hiding an object is not a change. Reviews that differ are listed too.
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

const STATS_FLAGS: Record<string, Spec> = {
  workspace: { takesValue: true },
  include: { takesValue: true, repeatable: true },
  labels: { takesValue: true },
  checks: { takesValue: false },
  'min-pixels': { takesValue: true },
  json: { takesValue: false },
  help: { takesValue: false },
};

const REVIEW_FLAGS: Record<string, Spec> = {
  workspace: { takesValue: true },
  image: { takesValue: true },
  status: { takesValue: true },
  note: { takesValue: true },
  reviewer: { takesValue: true },
  labels: { takesValue: true },
  json: { takesValue: false },
  help: { takesValue: false },
};

const DIFF_FLAGS: Record<string, Spec> = {
  workspace: { takesValue: true },
  from: { takesValue: true },
  to: { takesValue: true },
  labels: { takesValue: true },
  json: { takesValue: false },
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

function parseCount(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 1e9) throw new UsageError(`${name} must be a whole number, not "${v}"`);
  return Number(v);
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
    if ((TOPICS as readonly string[]).includes(topic)) return { kind: 'help', topic: topic as HelpTopic };
    throw new UsageError(`no help for "${topic}" (${TOPICS.join(', ')})`);
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
  if (cmd === 'stats') {
    const f = parseFlags(rest, STATS_FLAGS, 'stats');
    if (f.has('help')) return { kind: 'help', topic: 'stats' };
    const include = f.get('include');
    const minPixels = one(f, 'min-pixels');
    if (minPixels !== undefined && !f.has('checks')) throw new UsageError('--min-pixels goes with --checks');
    const labels = one(f, 'labels');
    if (labels !== undefined && labels.trim() === '') throw new UsageError('--labels needs a file');
    return {
      kind: 'stats',
      workspace: one(f, 'workspace') ?? '.',
      include: include ? wrap('--include', () => include.map(normaliseInclude)) : undefined,
      labels,
      checks: f.has('checks'),
      minPixels: minPixels === undefined ? undefined : parseCount('--min-pixels', minPixels),
      json: f.has('json'),
    };
  }
  if (cmd === 'review') {
    const f = parseFlags(rest, REVIEW_FLAGS, 'review');
    if (f.has('help')) return { kind: 'help', topic: 'review' };
    const image = one(f, 'image');
    if (image === undefined || image.trim() === '') throw new UsageError('review needs --image PATH');
    const status = one(f, 'status');
    if (status === undefined) throw new UsageError('review needs --status approved|needs-fix|none');
    if (status !== 'none' && !(REVIEW_DECISIONS as readonly string[]).includes(status)) throw new UsageError(`--status must be approved, needs-fix or none, not "${status}"`);
    const note = one(f, 'note');
    const reviewer = one(f, 'reviewer');
    if (status === 'none' && (note !== undefined || reviewer !== undefined)) throw new UsageError('--status none clears the review: it takes no --note or --reviewer');
    for (const [name, v] of [['--note', note], ['--reviewer', reviewer]] as const) {
      if (v !== undefined && v.length > MAX_REVIEW_TEXT) throw new UsageError(`${name} is longer than ${MAX_REVIEW_TEXT} characters`);
    }
    const labels = one(f, 'labels');
    if (labels !== undefined && labels.trim() === '') throw new UsageError('--labels needs a file');
    return {
      kind: 'review',
      workspace: one(f, 'workspace') ?? '.',
      image,
      status: status === 'none' ? undefined : (status as ReviewDecision),
      note,
      reviewer,
      labels,
      json: f.has('json'),
    };
  }
  if (cmd === 'diff') {
    const f = parseFlags(rest, DIFF_FLAGS, 'diff');
    if (f.has('help')) return { kind: 'help', topic: 'diff' };
    const from = one(f, 'from');
    if (from === undefined || from.trim() === '') throw new UsageError('diff needs --from REF');
    const to = one(f, 'to');
    if (to !== undefined && to.trim() === '') throw new UsageError('--to needs a revision');
    const labels = one(f, 'labels');
    if (labels !== undefined && labels.trim() === '') throw new UsageError('--labels needs a file');
    return { kind: 'diff', workspace: one(f, 'workspace') ?? '.', from, to, labels, json: f.has('json') };
  }
  throw new UsageError(`unknown command "${cmd}" (export, import, stats, review, diff or --help)`);
}
