/**
 * Diff-friendly JSON: 2-space indentation like `JSON.stringify(v, null, 2)`, except that arrays
 * holding only numbers stay on one line (`[10, 20.5, 30, 40]`), so a polygon is one line in a
 * diff instead of hundreds. Keys keep insertion order (writers build objects in a fixed order).
 */
export function stringifyCompactNumbers(value: unknown, indent = 2): string {
  return write(value, 0, indent);
}

function write(v: unknown, depth: number, indent: number): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number') return numberText(v);
    const s = JSON.stringify(v);
    return s === undefined ? 'null' : s;
  }
  const pad = ' '.repeat((depth + 1) * indent);
  const end = ' '.repeat(depth * indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => typeof x === 'number')) return '[' + v.map(numberText).join(', ') + ']';
    return '[\n' + v.map((x) => pad + write(x, depth + 1, indent)).join(',\n') + '\n' + end + ']';
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return (
    '{\n' + entries.map(([k, x]) => pad + JSON.stringify(k) + ': ' + write(x, depth + 1, indent)).join(',\n') + '\n' + end + '}'
  );
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Cannot write non-finite number ${n} as JSON`);
  if (Object.is(n, -0)) return '0';
  return String(n);
}
