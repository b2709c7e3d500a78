/**
 * `edgeflow diff`: the label changes between two git revisions of a workspace (or a revision and
 * the files on disk), per image. Runs `git` (no shell) for the list of changed sidecars and
 * their old contents; the comparison itself is shared/dataset/labelDiff.ts. vscode-free.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ImageDiff, diffImage, isEmptyDiff } from '../../shared/dataset/labelDiff';
import { COCO_SIDECAR_SUFFIX, SidecarContent, readCocoSidecar } from '../../shared/formats/cocoSidecar';
import { maskToPolygons } from '../../shared/geometry/contours';

/** One image whose labels differ. */
export interface ImageDiffEntry extends ImageDiff {
  /** Workspace-relative image path. */
  image: string;
  /** 'added': no sidecar at `from`; 'removed': none at `to`. */
  sidecar: 'added' | 'removed' | 'modified';
}

/** The whole difference. */
export interface LabelDiff {
  from: string;
  /** undefined: the files on disk. */
  to?: string;
  images: ImageDiffEntry[];
  totals: { images: number; added: number; removed: number; changed: number; reviews: number };
}

function git(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 1 << 30 }, (e, stdout, stderr) => {
      if (e) {
        const why = stderr.toString().trim().split('\n')[0] || (e as Error).message;
        reject(new Error(`git ${args[0]}: ${why}`));
      } else resolve(stdout);
    });
  });
}

/** A revision as the user gave it; refused when git could read it as an option. */
function checkRef(ref: string): string {
  if (ref === '' || ref.startsWith('-') || /[\0\s]/.test(ref)) throw new Error(`not a git revision: "${ref}"`);
  return ref;
}

function parse(text: string, what: string): SidecarContent {
  const r = readCocoSidecar(text, { lenient: true, maskToRegions: maskToPolygons });
  if (!r.ok) throw new Error(`${what} cannot be read: ${r.error.message}`);
  return r.value;
}

/** Compares the sidecars of `workspaceDir` at `from` with `to` (undefined: the files on disk). */
export async function diffRevisions(workspaceDir: string, from: string, to?: string): Promise<LabelDiff> {
  const dir = path.resolve(workspaceDir);
  checkRef(from);
  if (to !== undefined) checkRef(to);
  await git(dir, ['rev-parse', '--show-toplevel']).catch(() => Promise.reject(new Error(`${dir} is not in a git repository`)));
  // Both revisions must exist: a typo is an error, not "nothing changed".
  for (const ref of to === undefined ? [from] : [from, to]) await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => Promise.reject(new Error(`unknown git revision "${ref}"`)));
  const range = to === undefined ? [from] : [from, to];
  const names = (await git(dir, ['diff', '--name-only', '-z', '--no-renames', '--relative', ...range, '--', '.'])).toString('utf8').split('\0').filter(Boolean);
  if (to === undefined) names.push(...(await git(dir, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.'])).toString('utf8').split('\0').filter(Boolean));
  const sidecars = [...new Set(names.filter((n) => n.endsWith(COCO_SIDECAR_SUFFIX)))].sort();
  const show = async (ref: string, rel: string): Promise<string | undefined> => {
    try {
      return (await git(dir, ['show', `${ref}:./${rel}`])).toString('utf8');
    } catch {
      return undefined; // not in that revision
    }
  };
  const images: ImageDiffEntry[] = [];
  for (const rel of sidecars) {
    const oldText = await show(from, rel);
    const newText = to === undefined ? await fs.readFile(path.join(dir, rel), 'utf8').catch(() => undefined) : await show(to, rel);
    if (oldText === undefined && newText === undefined) continue;
    const before = oldText === undefined ? undefined : parse(oldText, `${rel} at ${from}`);
    const after = newText === undefined ? undefined : parse(newText, `${rel} ${to === undefined ? 'on disk' : `at ${to}`}`);
    const size = (after ?? before) as SidecarContent;
    const d = diffImage(before?.state ?? { objects: [] }, after?.state ?? { objects: [] }, size.image.width, size.image.height);
    if (isEmptyDiff(d)) continue;
    images.push({ image: rel.slice(0, -COCO_SIDECAR_SUFFIX.length), sidecar: !before ? 'added' : !after ? 'removed' : 'modified', ...d });
  }
  const sum = (f: (e: ImageDiffEntry) => number) => images.reduce((n, e) => n + f(e), 0);
  return {
    from,
    ...(to === undefined ? {} : { to }),
    images,
    totals: { images: images.length, added: sum((e) => e.added.length), removed: sum((e) => e.removed.length), changed: sum((e) => e.changed.length), reviews: sum((e) => (e.review ? 1 : 0)) },
  };
}
