/**
 * Per-object attributes (issue 30): a flat map of name -> value, as CVAT writes them in COCO's
 * `annotations[].attributes`. Values are booleans (a checkbox) or strings (a choice or free text).
 *
 * What an object stores is what the user set, nothing more: the declarations in the labels file
 * (see ../labelAttributes.ts) give the controls and the defaults, and `effectiveAttributes` fills
 * the defaults in where a value is missing (the editor's controls and the exports use it). A value
 * whose name the object's class does not declare (another tool's, or one set under the object's
 * previous class) stays stored, is shown apart in the objects panel, and is saved and exported.
 */

/** One attribute value. */
export type AttributeValue = boolean | string;

/** An object's attributes by name. */
export type AttributeMap = Record<string, AttributeValue>;

/** Longest attribute name accepted (labels file, sidecars, webview messages). */
export const MAX_ATTRIBUTE_NAME = 100;
/** Longest text value accepted. */
export const MAX_ATTRIBUTE_TEXT = 4_000;
/** Most attributes one object may carry. */
export const MAX_ATTRIBUTES = 200;

/** Why an attribute name is not acceptable, or undefined. */
export function attributeNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'must be a non-empty string';
  if (name.length > MAX_ATTRIBUTE_NAME) return `must be at most ${MAX_ATTRIBUTE_NAME} characters`;
  if (name !== name.trim()) return 'must not start or end with blanks';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  return undefined;
}

/** Why an attribute value is not acceptable, or undefined. */
export function attributeValueProblem(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  if (typeof value !== 'string') return 'must be a boolean or a string';
  if (value.length > MAX_ATTRIBUTE_TEXT) return `must be at most ${MAX_ATTRIBUTE_TEXT} characters`;
  return undefined;
}

/**
 * Sets `map[name] = value` as an own property: a name such as `__proto__` (JSON.parse makes it an
 * ordinary key) must stay a key and never become the map's prototype.
 */
export function putAttribute(map: AttributeMap, name: string, value: AttributeValue): void {
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of `map` (own enumerable entries only). */
export function cloneAttributes(map: Readonly<AttributeMap>): AttributeMap {
  const out: AttributeMap = {};
  for (const [k, v] of Object.entries(map)) putAttribute(out, k, v);
  return out;
}

/** Whether two maps hold the same names and values (order does not matter). */
export function attributesEqual(a: Readonly<AttributeMap> | undefined, b: Readonly<AttributeMap> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  const eb = b ?? {};
  if (ea.length !== Object.keys(eb).length) return false;
  return ea.every(([k, v]) => Object.prototype.hasOwnProperty.call(eb, k) && eb[k] === v);
}

/** The stored value of `name`, or undefined (own properties only). */
export function getAttribute(map: Readonly<AttributeMap> | undefined, name: string): AttributeValue | undefined {
  return map && Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

/**
 * Splits an untrusted `attributes` value (a sidecar's or an import's) into the values an object
 * can hold and the entries it cannot (numbers, nulls, nested objects, over-long names or text),
 * which the caller keeps as they were. Not an object at all: everything is `rest`.
 */
export function splitAttributes(raw: unknown): { values: AttributeMap; rest: Record<string, unknown> | undefined; whole?: unknown } {
  const values: AttributeMap = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { values, rest: undefined, whole: raw };
  const rest: Record<string, unknown> = {};
  let n = 0;
  let kept = 0;
  for (const [k, v] of Object.entries(raw)) {
    if (kept < MAX_ATTRIBUTES && attributeNameProblem(k) === undefined && attributeValueProblem(v) === undefined) {
      putAttribute(values, k, v as AttributeValue);
      kept++;
    } else {
      Object.defineProperty(rest, k, { value: v, enumerable: true, writable: true, configurable: true });
      n++;
    }
  }
  return { values, rest: n ? rest : undefined };
}
