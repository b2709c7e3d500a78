/**
 * Attribute declarations in the labels file (issue 30): which attributes the objects of a class
 * have, and how the objects panel edits them.
 *
 * ```json
 * { "version": 1,
 *   "attributes": [ { "name": "occluded", "type": "boolean" } ],
 *   "labels": [ { "id": 1, "name": "car", "color": "#e6194b",
 *                 "attributes": [ { "name": "truncated", "type": "boolean", "default": false },
 *                                 { "name": "pose", "type": "choice", "options": ["front", "side", "rear"] },
 *                                 { "name": "note", "type": "text" } ] } ] }
 * ```
 * - The top-level `attributes` apply to every class; a class's own declaration of the same name
 *   replaces the workspace-wide one for that class. Workspace-wide ones come first.
 * - `type` is `boolean` (a checkbox), `choice` (one of `options`, a non-empty list of distinct
 *   strings) or `text` (free text).
 * - `default` is what an object shows and exports while the user has set nothing: for a boolean
 *   `false`, for a choice its first option, for text `""`, unless `default` says otherwise.
 * - A bad declaration is skipped with a warning (shown in the Problems panel) and never stops the
 *   rest of the file from loading; files without attributes read as before.
 *
 * The declarations are not rewritten: the labels file keeps them as written (labels.ts keeps
 * every key it does not edit), so renaming a class never touches them.
 */
import { attributeNameProblem, attributeValueProblem, getAttribute, putAttribute, type AttributeMap, type AttributeValue } from './annotation/attributes';

/** How an attribute is edited. */
export type AttributeType = 'boolean' | 'choice' | 'text';

/** One declared attribute. */
export interface AttributeSpec {
  name: string;
  type: AttributeType;
  /** The allowed values (choice only). */
  options?: string[];
  /** The value while none is set (always filled in by the parser). */
  default: AttributeValue;
}

/** A declaration the parser skipped or corrected. */
export interface AttributeWarning {
  message: string;
  /** Where in the JSON (e.g. `labels[2].attributes[0].type`). */
  path: string;
}

/** Most attributes declared for one class (workspace-wide ones included). */
export const MAX_DECLARED_ATTRIBUTES = 64;
/** Most options of one choice attribute. */
export const MAX_CHOICE_OPTIONS = 200;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses one `attributes` array (a class's or the top-level one). Bad entries are left out with a
 * warning; `undefined` is an empty list. `owner` names the list for people (`class "car"`), `where`
 * is its JSON path (for the Problems panel's position).
 */
export function parseAttributeSpecs(raw: unknown, where: string, warnings: AttributeWarning[], owner = 'the workspace-wide list'): AttributeSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    warnings.push({ message: `Attributes of ${owner} must be an array of declarations; ignored`, path: where });
    return [];
  }
  const out: AttributeSpec[] = [];
  const names = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const at = `${where}[${i}]`;
    const d = raw[i];
    const who = `Attribute ${isObj(d) && typeof d.name === 'string' && d.name.trim() !== '' ? JSON.stringify(d.name.slice(0, 100)) : `#${i + 1}`} of ${owner}`;
    const skip = (why: string, path = at) => warnings.push({ message: `${who}: ${why}; it is ignored`, path });
    if (!isObj(d)) {
      skip('expected an object {"name", "type"}');
      continue;
    }
    const np = attributeNameProblem(d.name);
    if (np) {
      skip(`"name" ${np}`, `${at}.name`);
      continue;
    }
    const name = d.name as string;
    if (names.has(name)) {
      skip('the name is declared twice', `${at}.name`);
      continue;
    }
    if (d.type !== 'boolean' && d.type !== 'choice' && d.type !== 'text') {
      skip('"type" must be "boolean", "choice" or "text"', `${at}.type`);
      continue;
    }
    let options: string[] | undefined;
    if (d.type === 'choice') {
      const o = d.options;
      if (!Array.isArray(o) || o.length === 0 || o.length > MAX_CHOICE_OPTIONS) {
        skip(`a choice needs "options": a list of 1 to ${MAX_CHOICE_OPTIONS} strings`, `${at}.options`);
        continue;
      }
      const bad = o.findIndex((x, k) => typeof x !== 'string' || x === '' || attributeValueProblem(x) !== undefined || o.indexOf(x) !== k);
      if (bad >= 0) {
        skip(`options[${bad}] must be a non-empty string, different from the other options`, `${at}.options[${bad}]`);
        continue;
      }
      options = o.slice() as string[];
    } else if (d.options !== undefined) {
      warnings.push({ message: `${who}: "options" apply only to "choice" attributes; ignored`, path: `${at}.options` });
    }
    let def: AttributeValue = d.type === 'boolean' ? false : d.type === 'choice' ? options![0] : '';
    if (d.default !== undefined) {
      const fits = d.type === 'boolean' ? typeof d.default === 'boolean'
        : d.type === 'choice' ? typeof d.default === 'string' && options!.includes(d.default)
        : typeof d.default === 'string' && attributeValueProblem(d.default) === undefined;
      if (fits) def = d.default as AttributeValue;
      else {
        const want = d.type === 'boolean' ? 'true or false' : d.type === 'choice' ? 'one of "options"' : 'a string';
        warnings.push({ message: `${who}: "default" must be ${want}; the default is ${JSON.stringify(def)}`, path: `${at}.default` });
      }
    }
    names.add(name);
    out.push(options ? { name, type: d.type, options, default: def } : { name, type: d.type, default: def });
  }
  return out;
}

/**
 * A class's attributes: the workspace-wide ones (unless the class declares the same name, which
 * then takes the workspace-wide one's place) followed by the class's own, at most
 * MAX_DECLARED_ATTRIBUTES (the rest is left out with a warning).
 */
export function mergeAttributeSpecs(common: readonly AttributeSpec[], own: readonly AttributeSpec[], where: string, warnings: AttributeWarning[], owner = 'a class'): AttributeSpec[] {
  const ownByName = new Map(own.map((s) => [s.name, s]));
  const merged = common.map((s) => ownByName.get(s.name) ?? s);
  for (const s of own) if (!common.some((c) => c.name === s.name)) merged.push(s);
  if (merged.length > MAX_DECLARED_ATTRIBUTES) {
    warnings.push({ message: `More than ${MAX_DECLARED_ATTRIBUTES} attributes for ${owner}; the rest are ignored`, path: where });
    merged.length = MAX_DECLARED_ATTRIBUTES;
  }
  return merged;
}

/** Whether `value` is one `spec` accepts (a choice outside its options is not). */
export function valueFits(spec: AttributeSpec, value: AttributeValue): boolean {
  if (spec.type === 'boolean') return typeof value === 'boolean';
  if (spec.type === 'choice') return typeof value === 'string' && spec.options!.includes(value);
  return typeof value === 'string';
}

/**
 * The values an object shows and exports: for each declared attribute the stored value (even one
 * that no longer fits the declaration: it is the user's) or else the default, in declaration
 * order; then every stored value the class does not declare, in stored order.
 */
export function effectiveAttributes(stored: Readonly<AttributeMap> | undefined, specs: readonly AttributeSpec[]): AttributeMap {
  const out: AttributeMap = {};
  for (const s of specs) putAttribute(out, s.name, getAttribute(stored, s.name) ?? s.default);
  for (const [k, v] of Object.entries(stored ?? {})) if (!specs.some((s) => s.name === k)) putAttribute(out, k, v);
  return out;
}

/** The stored values whose names `specs` do not declare (shown apart in the objects panel). */
export function undeclaredAttributes(stored: Readonly<AttributeMap> | undefined, specs: readonly AttributeSpec[]): [string, AttributeValue][] {
  return Object.entries(stored ?? {}).filter(([k]) => !specs.some((s) => s.name === k));
}
