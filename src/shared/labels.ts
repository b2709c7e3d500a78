/**
 * The workspace labels file (setting `edgeflow.labelsFile`, default `.edgeflow/labels.json`):
 * the classes shared by every image of the workspace.
 *
 * ```json
 * { "version": 1, "labels": [ { "id": 1, "name": "car", "color": "#e6194b" } ] }
 * ```
 * Ids are integers 1..255 (0 is the background in class-id masks, and masks are 8-bit), unique;
 * names are non-empty and unique (case-sensitive); colours are `#rrggbb`. Ids are stable: renaming
 * a class never changes its id, so sidecars and exports keep pointing at the same class.
 * Classes may declare per-object attributes (`attributes`, top level and per class): see
 * labelAttributes.ts.
 */
import { Result, err, ok } from './annotation/result';
import { mergeAttributeSpecs, parseAttributeSpecs, type AttributeSpec, type AttributeWarning } from './labelAttributes';
import { jsonErrorOffset } from './formats/jsonErrors';

/** One class. */
export interface Label {
  id: number;
  name: string;
  /** `#rrggbb`, lower case. */
  color: string;
  /**
   * The attributes of this class's objects, workspace-wide ones included (absent: none). Read
   * from the file, never written back from here: the file keeps its declarations as written.
   */
  attributes?: AttributeSpec[];
}

/** The parsed labels file. */
export interface LabelsFile {
  version: 1;
  labels: Label[];
  /**
   * Keys this editor does not use (top level, and per label by id), kept so that rewriting the
   * file after a class edit never drops what a person or another tool put there.
   */
  extras?: LabelsExtras;
  /** Attribute declarations that were skipped or corrected (the rest of the file still loads). */
  warnings?: AttributeWarning[];
}

/** Unknown keys of a labels file. */
export interface LabelsExtras {
  top: Record<string, unknown>;
  perLabel: Record<number, Record<string, unknown>>;
}

/** Highest class id (8-bit class-id masks). */
export const MAX_LABEL_ID = 255;

/** Why a labels file could not be read. */
export interface LabelsError {
  code: 'invalid-json' | 'invalid-schema' | 'too-large';
  /** Human-readable, names the offending entry. */
  message: string;
  /** Where in the JSON (e.g. `labels[3].color`), for diagnostics. */
  path?: string;
  /** Character offset where JSON.parse stopped (invalid-json, when it says). */
  offset?: number;
}

/** Largest labels file read (255 classes fit in a few kB; the rest would be someone's mistake). */
export const MAX_LABELS_FILE_CHARS = 4 * 1024 * 1024;

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

const PALETTE = [
  '#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6',
  '#bcf60c', '#fabebe', '#008080', '#e6beff', '#9a6324', '#fffac8', '#800000', '#aaffc3',
  '#808000', '#ffd8b1', '#000075', '#808080',
];

/** A distinct default colour for the n-th class (0-based), cycling through a fixed palette. */
export function defaultLabelColor(n: number): string {
  return PALETTE[((n % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/**
 * The colour for a class added to `existing`: the first palette colour no class has yet (a
 * labels file with colours of its own made the n-th one a duplicate), else the n-th.
 */
export function newLabelColor(existing: readonly { color: string }[]): string {
  const used = new Set(existing.map((l) => l.color.toLowerCase()));
  return PALETTE.find((c) => !used.has(c)) ?? defaultLabelColor(existing.length);
}

/** Parses and validates labels file text. An empty/whitespace file is an empty label list. */
export function parseLabels(text: string): Result<LabelsFile, LabelsError> {
  if (text.length > MAX_LABELS_FILE_CHARS) {
    return err({ code: 'too-large', message: `Labels file is too large (${text.length} characters; the limit is ${MAX_LABELS_FILE_CHARS})` });
  }
  // A UTF-8 byte-order mark (some Windows editors write one) is not JSON; skip it.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  if (body.trim() === '') return ok({ version: 1, labels: [] });
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const message = (e as Error).message;
    const at = jsonErrorOffset(message, body);
    const offset = at === undefined ? undefined : at + bom;
    return err({ code: 'invalid-json', message: `Labels file is not valid JSON: ${message}`, ...(offset === undefined ? {} : { offset }) });
  }
  return validateLabels(raw);
}

/** Validates an already-parsed labels value. */
export function validateLabels(raw: unknown): Result<LabelsFile, LabelsError> {
  const bad = (message: string, path?: string) => err<LabelsError>({ code: 'invalid-schema', message, ...(path ? { path } : {}) });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return bad('Labels file must be an object {"version": 1, "labels": [...]}');
  }
  const r = raw as Record<string, unknown>;
  if (r.version !== undefined && r.version !== 1) return bad(`Unsupported labels file version ${JSON.stringify(r.version)}`.slice(0, 200), 'version');
  if (!Array.isArray(r.labels)) return bad('"labels" must be an array', 'labels');
  const labels: Label[] = [];
  const ids = new Set<number>();
  const names = new Set<string>();
  const extras: LabelsExtras = { top: {}, perLabel: {} };
  for (const [k, v] of Object.entries(r)) if (k !== 'version' && k !== 'labels') extras.top[k] = v;
  const warnings: AttributeWarning[] = [];
  const common = parseAttributeSpecs(r.attributes, 'attributes', warnings);
  for (let i = 0; i < r.labels.length; i++) {
    const l = r.labels[i] as Record<string, unknown>;
    const where = `labels[${i}]`;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) return bad(`${where} must be an object`, where);
    if (typeof l.id !== 'number' || !Number.isInteger(l.id) || l.id < 1 || l.id > MAX_LABEL_ID) {
      return bad(`${where}.id must be an integer 1..${MAX_LABEL_ID}`, `${where}.id`);
    }
    if (ids.has(l.id)) return bad(`${where}.id ${l.id} is used twice`, `${where}.id`);
    if (typeof l.name !== 'string' || l.name.trim() === '') return bad(`${where}.name must be a non-empty string`, `${where}.name`);
    const name = l.name.trim();
    if (names.has(name)) return bad(`${where}.name "${name.slice(0, 100)}" is used twice`, `${where}.name`);
    let color: string;
    if (l.color === undefined) color = defaultLabelColor(i);
    else if (typeof l.color === 'string' && COLOR_RE.test(l.color)) color = l.color.toLowerCase();
    else return bad(`${where}.color must be "#rrggbb"`, `${where}.color`);
    ids.add(l.id);
    names.add(name);
    const owner = `class ${JSON.stringify(name.slice(0, 100))}`;
    const attributes = mergeAttributeSpecs(common, parseAttributeSpecs(l.attributes, `${where}.attributes`, warnings, owner), `${where}.attributes`, warnings, owner);
    labels.push(attributes.length ? { id: l.id, name, color, attributes } : { id: l.id, name, color });
    const more = Object.entries(l).filter(([k]) => k !== 'id' && k !== 'name' && k !== 'color');
    if (more.length) extras.perLabel[l.id] = Object.fromEntries(more);
  }
  const hasExtras = Object.keys(extras.top).length > 0 || Object.keys(extras.perLabel).length > 0;
  return ok({ version: 1, labels, ...(hasExtras ? { extras } : {}), ...(warnings.length ? { warnings } : {}) });
}

/**
 * Serialises labels deterministically (sorted by id, 2-space indent, trailing newline); keys from
 * `file.extras` follow the known ones (labels that were removed lose theirs).
 */
export function serializeLabels(file: LabelsFile): string {
  const per = file.extras?.perLabel ?? {};
  const labels = file.labels
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((l) => ({ ...(per[l.id] ?? {}), id: l.id, name: l.name, color: l.color.toLowerCase() }))
    .map(({ id, name, color, ...rest }) => ({ id, name, color, ...rest }));
  return JSON.stringify({ version: 1, labels, ...(file.extras?.top ?? {}) }, null, 2) + '\n';
}

/** The smallest unused id, or undefined when all 1..255 are taken. */
export function nextLabelId(labels: readonly Label[]): number | undefined {
  const used = new Set(labels.map((l) => l.id));
  for (let id = 1; id <= MAX_LABEL_ID; id++) if (!used.has(id)) return id;
  return undefined;
}

/** Checks a proposed new/renamed label against the others; returns an error message or undefined. */
export function checkLabelEdit(labels: readonly Label[], candidate: Label, replacingId?: number): string | undefined {
  const name = candidate.name.trim();
  if (name === '') return 'Class name must not be empty';
  if (!COLOR_RE.test(candidate.color)) return 'Colour must be #rrggbb';
  if (!Number.isInteger(candidate.id) || candidate.id < 1 || candidate.id > MAX_LABEL_ID) {
    return `Class id must be 1..${MAX_LABEL_ID}`;
  }
  for (const l of labels) {
    if (l.id === replacingId) continue;
    if (l.id === candidate.id) return `Class id ${candidate.id} already exists`;
    if (l.name === name) return `Class "${name}" already exists`;
  }
  return undefined;
}

/** Parses `#rrggbb` into [r,g,b]; black for anything else. */
export function hexToRgb(color: string): [number, number, number] {
  if (!COLOR_RE.test(color)) return [0, 0, 0];
  const n = parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
