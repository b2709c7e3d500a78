/**
 * Workspace-relative paths as plain strings ('/'-separated, no leading '/', no '.' or '..'
 * segments). Everything an export writes and everything an import reads from a label file goes
 * through `safeRelativePath`, so a path from a file can never point outside its root. (The node
 * side additionally resolves symbolic links before it writes or reads.)
 */

/** Thrown when a path from a file or an argument would leave its root. */
export class UnsafePathError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`unsafe path "${path}": ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Normalise a relative path and check that it stays inside its root. Backslashes count as
 * separators (label files written on Windows). Rejects absolute paths, drive letters, URLs,
 * NUL characters, empty paths and any '..' that would climb above the root.
 */
export function safeRelativePath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new UnsafePathError(String(path), 'empty');
  if (path.includes('\0')) throw new UnsafePathError(path, 'contains a NUL character');
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/')) throw new UnsafePathError(path, 'absolute paths are not allowed');
  if (/^[A-Za-z]:/.test(p)) throw new UnsafePathError(path, 'drive letters are not allowed');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(p)) throw new UnsafePathError(path, 'URLs are not allowed');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new UnsafePathError(path, 'climbs out of its folder with ".."');
      out.pop();
      continue;
    }
    out.push(seg);
  }
  if (out.length === 0) throw new UnsafePathError(path, 'names no file');
  return out.join('/');
}

/** Join a relative folder ('' for the root) and a relative path, then check the result. */
export function joinRelative(dir: string, path: string): string {
  return safeRelativePath(dir === '' ? path : `${dir}/${path}`);
}

/** The folder part of a relative path ('' at the root). */
export function dirnameRelative(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last segment of a path. */
export function basenameRelative(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The path without its last extension (`a/b.c.png` -> `a/b.c`). */
export function stripExtension(path: string): string {
  const base = basenameRelative(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? path.slice(0, path.length - (base.length - dot)) : path;
}

/** The lower-case extension without the dot ('' if none). */
export function extensionOf(path: string): string {
  const base = basenameRelative(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The relative path from folder `fromDir` to `to` (both relative to the same root, '/'-separated). */
export function relativeFrom(fromDir: string, to: string): string {
  const a = fromDir === '' ? [] : fromDir.split('/');
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** True when `path` is `dir` itself or inside it (both relative, normalised; '' is the root). */
export function isInsideRelative(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

/**
 * Output names that stay unique. `stemFor` gives each image path a stem (its path without the
 * extension); when two images share a stem (`a.png` and `a.jpg`), both get the extension appended
 * (`a_png`, `a_jpg`), and any remaining clash a numeric suffix. Feed all paths first (sorted).
 */
export function uniqueStems(paths: readonly string[]): Map<string, string> {
  const byStem = new Map<string, string[]>();
  for (const p of paths) {
    const s = stripExtension(p);
    const list = byStem.get(s);
    if (list) list.push(p);
    else byStem.set(s, [p]);
  }
  const used = new Set<string>();
  const result = new Map<string, string>();
  for (const [stem, list] of byStem) if (list.length === 1) used.add(stem.toLowerCase());
  for (const [stem, list] of byStem) {
    if (list.length === 1) {
      result.set(list[0], stem);
      continue;
    }
    for (const p of list) {
      let candidate = `${stem}_${extensionOf(p) || 'noext'}`;
      let n = 2;
      while (used.has(candidate.toLowerCase())) candidate = `${stem}_${extensionOf(p) || 'noext'}_${n++}`;
      used.add(candidate.toLowerCase());
      result.set(p, candidate);
    }
  }
  return result;
}

/** A stem flattened into one file name (for formats with flat folders, e.g. VOC). */
export function flattenStem(stem: string): string {
  return stem.split('/').join('__');
}
