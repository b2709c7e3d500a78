/**
 * Finding the workspace image a label file means. A path named in a label file is only a key
 * into the list of the workspace's own images: nothing is read from or written beside it, so
 * '..' or an absolute path cannot lead outside.
 */
import { basenameRelative, extensionOf, flattenStem, stripExtension } from '../paths';

/** The image a mention resolved to; neither field when none matched. */
export interface ImageMatch {
  readonly path?: string;
  /** Several images matched (none was chosen). */
  readonly ambiguous?: boolean;
}

/** Finds workspace images for paths and names mentioned in label files. */
export class ImageIndex {
  private readonly all = new Set<string>();
  private readonly byName = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();
  /** `dir/name_ext` -> `dir/name.ext`: the names an export gives two images that differ only by extension. */
  private readonly byStemExt = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    for (const p of paths) {
      this.all.add(p);
      push(this.byName, basenameRelative(p).toLowerCase(), p);
      push(this.byStem, stripExtension(basenameRelative(p)).toLowerCase(), p);
      push(this.byStemExt, `${stripExtension(p)}_${extensionOf(p)}`.toLowerCase(), p);
    }
  }

  /** The image an export renamed to `stem` (`dir/name_ext`, with or without a numeric suffix). */
  private byDisambiguated(stem: string): string | undefined {
    const key = stem.toLowerCase();
    const hit = this.byStemExt.get(key) ?? this.byStemExt.get(key.replace(/_\d+$/, ''));
    return hit?.length === 1 ? hit[0] : undefined;
  }

  has(p: string): boolean {
    return this.all.has(p);
  }

  /**
   * The workspace image a label file means by `mentioned` (relative, already normalised): the
   * path itself under one of the `bases`, then the unique image whose path ends with it, then the
   * unique image with its file name. Undefined when none or several match.
   */
  resolve(mentioned: string, bases: readonly string[]): ImageMatch {
    for (const b of bases) {
      const p = b === '' ? mentioned : `${b}/${mentioned}`;
      if (this.all.has(p)) return { path: p };
    }
    for (const b of bases) {
      const renamed = this.byDisambiguated(stripExtension(b === '' ? mentioned : `${b}/${mentioned}`));
      if (renamed) return { path: renamed };
    }
    const candidates = this.byName.get(basenameRelative(mentioned).toLowerCase()) ?? [];
    if (candidates.length === 1) return { path: candidates[0] };
    if (candidates.length > 1) {
      // Prefer the longest matching tail (dir/name over name).
      const segs = mentioned.split('/');
      for (let k = segs.length; k >= 2; k--) {
        const tail = '/' + segs.slice(segs.length - k).join('/');
        const m = candidates.filter((c) => ('/' + c).endsWith(tail));
        if (m.length === 1) return { path: m[0] };
      }
      return { ambiguous: true };
    }
    return {};
  }

  /** The unique image with this stem (file name without extension), or one that unflattens to it. */
  resolveStem(stem: string): ImageMatch {
    const unflat = stem.split('__').join('/');
    const direct = [...this.all].filter((p) => stripExtension(p) === unflat || flattenStem(stripExtension(p)) === stem);
    if (direct.length === 1) return { path: direct[0] };
    const renamed = this.byDisambiguated(unflat);
    if (renamed) return { path: renamed };
    const c = this.byStem.get(stem.toLowerCase()) ?? [];
    if (c.length === 1) return { path: c[0] };
    return c.length > 1 || direct.length > 1 ? { ambiguous: true } : {};
  }
}

/** Append `v` to the list under `k`. */
export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/**
 * Where a path from a label file points. `base` is the folder it is relative to; when
 * `baseInWorkspace`, `base` is workspace-relative and a path that stays inside the workspace comes
 * back as `path`. `tail` is always the normalised path below any '..' that climbs out (or below
 * the root of an absolute path), for matching by name; `outside` when the path leaves the
 * workspace (climbs above it, or is absolute elsewhere).
 */
export function locateMention(raw: string, base: string, baseInWorkspace: boolean, workspaceAbsolute?: string): { path?: string; tail: string; outside: boolean } {
  if (raw.includes('\0')) return { tail: '', outside: true };
  let p = raw.replace(/\\/g, '/').replace(/^file:\/\//, '');
  let absolute = p.startsWith('/') || /^[A-Za-z]:\//.test(p);
  if (absolute && workspaceAbsolute) {
    const root = workspaceAbsolute.replace(/\\/g, '/').replace(/\/+$/, '');
    if (p.startsWith(root + '/')) {
      p = p.slice(root.length + 1);
      absolute = false;
      base = '';
      baseInWorkspace = true;
    }
  }
  const joined = absolute ? p.replace(/^[A-Za-z]:/, '') : base ? `${base}/${p}` : p;
  const stack: string[] = [];
  let climbed = false;
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length === 0) climbed = true;
      else stack.pop();
      continue;
    }
    stack.push(seg);
  }
  const tail = stack.join('/');
  // Climbing above a folder outside the workspace says nothing about the workspace.
  const outside = absolute || (climbed && baseInWorkspace);
  return { path: !absolute && !climbed && baseInWorkspace && tail ? tail : undefined, tail, outside };
}

/** The bases without repeats, first occurrence first. */
export function uniqueBases(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/**
 * Resolve a mentioned path: as is under each base, then with leading folders removed one by one
 * (a COCO file_name `images/a/b.png` for the workspace image `a/b.png`), then by name.
 */
export function resolveWithPrefixes(index: ImageIndex, mentioned: string, bases: readonly string[]): ImageMatch {
  const segs = mentioned.split('/');
  for (let k = 0; k < segs.length; k++) {
    const tail = segs.slice(k).join('/');
    for (const b of bases) {
      const p = b === '' ? tail : `${b}/${tail}`;
      if (index.has(p)) return { path: p };
    }
  }
  return index.resolve(mentioned, bases);
}
