/**
 * Node implementations of the export engine's I/O (shared/export/types.ts), used by the palette
 * commands and the CLI. No `vscode` import here, so the CLI can bundle it.
 *
 * Path safety: every path is first normalised by `safeRelativePath` (no absolute paths, no '..'
 * above the root), then resolved with symbolic links followed and checked to still lie inside
 * the root; files are opened with O_NOFOLLOW and a symbolic link already sitting where an output
 * goes is replaced, never written through.
 */
import { constants as fsc, Dirent, promises as fs, createReadStream } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { COCO_SIDECAR_SUFFIX } from '../../shared/formats/cocoSidecar';
import { compareCodeUnits } from '../../shared/export/hash';
import { UnsafePathError, isInsideRelative, safeRelativePath } from '../../shared/export/paths';
import type { Codecs, OutStream, OutputWriter, WorkspaceWriter } from '../../shared/export/types';
import { loadSharp } from '../sharp';

/** node:zlib and Buffer for the PNG and labelme code. */
export const nodeCodecs: Codecs = {
  // Z_RLE suits masks (long runs of one value): several times faster than the default strategy
  // at a size within a few percent.
  deflate: (data) => zlib.deflateSync(data, { level: 6, strategy: zlib.constants.Z_RLE }),
  inflate: (data) => zlib.inflateSync(data),
  base64: (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  fromBase64: (text) => new Uint8Array(Buffer.from(text, 'base64')),
};

const O_NOFOLLOW = fsc.O_NOFOLLOW ?? 0;
const WRITE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | O_NOFOLLOW;

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** True when `child` is `parent` or inside it (absolute, resolved paths). */
function within(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A root folder whose real path is known; resolves relative paths inside it safely. */
class Root {
  private readonly checkedDirs = new Set<string>();

  private constructor(readonly abs: string, readonly real: string, private readonly readLinksOut: boolean) {}

  /**
   * `readLinksOut`: reading a file through a link that leads out of the folder is allowed (an
   * export reading the user's own images, which are often links into a data disk); writing never is.
   */
  static async open(abs: string, create: boolean, readLinksOut = false): Promise<Root> {
    const resolved = path.resolve(abs);
    if (create) await fs.mkdir(resolved, { recursive: true });
    const st = await fs.stat(resolved).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`${resolved} is not a folder`);
    return new Root(resolved, await fs.realpath(resolved), readLinksOut);
  }

  /** Absolute path of `rel` (lexically safe; links not yet checked). */
  abs_(rel: string): string {
    return path.join(this.abs, ...safeRelativePath(rel).split('/'));
  }

  /** Absolute path of an existing file, checked to resolve inside the root. */
  async existing(rel: string): Promise<string> {
    const p = this.abs_(rel);
    const real = await fs.realpath(p);
    if (!this.readLinksOut && !within(this.real, real)) throw new UnsafePathError(rel, 'a symbolic link points outside its folder');
    return p;
  }

  /**
   * Absolute path for writing `rel`: parent folders created and checked, never through a link.
   * Folders are created one level at a time, each existing level resolved first: a recursive
   * mkdir would follow a link that leaves the root and create folders outside before any check.
   */
  async forWrite(rel: string): Promise<string> {
    const p = this.abs_(rel);
    const dir = path.dirname(p);
    if (!this.checkedDirs.has(dir)) {
      let at = this.abs;
      for (const seg of path.relative(this.abs, dir).split(path.sep).filter((x) => x !== '')) {
        at = path.join(at, seg);
        const st = await fs.lstat(at).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return undefined;
          throw e;
        });
        if (!st) {
          await fs.mkdir(at).catch((e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
          });
        }
        // Links are fine while they stay inside the root; re-resolve every level (a level may be
        // a link created by someone else between two checks: realpath sees it).
        if (!within(this.real, await fs.realpath(at))) throw new UnsafePathError(rel, 'a symbolic link points outside the output folder');
      }
      const real = await fs.realpath(dir);
      if (!within(this.real, real)) throw new UnsafePathError(rel, 'a symbolic link points outside the output folder');
      this.checkedDirs.add(dir);
    }
    return p;
  }

  /** Absolute path of `rel` for removing it: its folder must resolve inside the root. */
  async forRemove(rel: string): Promise<string> {
    const p = this.abs_(rel);
    const real = await fs.realpath(path.dirname(p)).catch(() => undefined);
    if (real !== undefined && !within(this.real, real)) throw new UnsafePathError(rel, 'a symbolic link points outside the output folder');
    return p;
  }
}

/** Open for writing without following a link at the target; a link there is removed first. */
async function openNoFollow(p: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(p, WRITE_FLAGS, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      await fs.unlink(p);
      return fs.open(p, WRITE_FLAGS, 0o644);
    }
    throw e;
  }
}

async function writeAll(p: string, data: string | Uint8Array): Promise<number> {
  const fh = await openNoFollow(p);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await fh.writeFile(buf);
    return buf.byteLength;
  } finally {
    await fh.close();
  }
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** The workspace: read sidecars and images, write sidecars (import). */
export class NodeWorkspace implements WorkspaceWriter {
  private constructor(private readonly root: Root) {}

  /** Open a folder; with `readLinksOut`, files may be read through links that leave it (see Root). */
  static async open(folder: string, readLinksOut = false): Promise<NodeWorkspace> {
    return new NodeWorkspace(await Root.open(folder, false, readLinksOut));
  }

  get folder(): string {
    return this.root.abs;
  }

  /** Workspace-relative form of an absolute or cwd-relative path; throws when it is outside. */
  relative(p: string): string {
    const abs = path.resolve(p);
    if (!within(this.root.abs, abs)) throw new UnsafePathError(p, 'is outside the workspace');
    return toPosix(path.relative(this.root.abs, abs));
  }

  async listSidecars(include: readonly string[], skip: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    const roots = include.length ? include : [''];
    for (const inc of roots) {
      const st = inc === '' ? await fs.stat(this.root.abs) : await fs.lstat(this.root.abs_(inc)).catch(() => undefined);
      if (!st) throw new Error(`${inc} does not exist in the workspace`);
      if (st.isDirectory()) {
        await this.walk(inc, skip, (rel) => {
          if (rel.endsWith(COCO_SIDECAR_SUFFIX)) found.add(rel);
        });
      } else if (st.isFile()) {
        const sidecar = inc.endsWith(COCO_SIDECAR_SUFFIX) ? inc : inc + COCO_SIDECAR_SUFFIX;
        if (await this.isFile(sidecar)) found.add(sidecar);
      }
    }
    return [...found].filter((f) => !skip.some((s) => isInsideRelative(f, s))).sort(compareCodeUnits);
  }

  /**
   * Files under the `include` folders (or files; none: the whole workspace) whose names end with
   * one of `suffixes` (case-insensitive), outside `skip`, sorted. Like `listSidecars`, links are
   * not followed and hidden folders, node_modules and .git are left out.
   */
  async listUnder(include: readonly string[], skip: readonly string[], suffixes: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    const lower = suffixes.map((e) => e.toLowerCase());
    const wanted = (rel: string) => lower.some((e) => rel.toLowerCase().endsWith(e));
    for (const inc of include.length ? include : ['']) {
      const st = inc === '' ? await fs.stat(this.root.abs) : await fs.lstat(this.root.abs_(inc)).catch(() => undefined);
      if (!st) throw new Error(`${inc} does not exist in the workspace`);
      if (st.isDirectory()) {
        await this.walk(inc, skip, (rel) => {
          if (wanted(rel)) found.add(rel);
        });
      } else if (wanted(inc)) {
        found.add(inc);
      }
    }
    return [...found].filter((f) => !skip.some((s) => isInsideRelative(f, s))).sort(compareCodeUnits);
  }

  /** Modification time and size of a workspace file; undefined when it is not a file. */
  async stat(rel: string): Promise<{ mtimeMs: number; size: number } | undefined> {
    try {
      const st = await fs.stat(await this.root.existing(rel));
      return st.isFile() ? { mtimeMs: st.mtimeMs, size: st.size } : undefined;
    } catch (e) {
      if (e instanceof UnsafePathError) throw e;
      return undefined;
    }
  }

  async listFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    const exts = extensions.map((e) => e.toLowerCase());
    await this.walk(dir, [], (rel) => {
      const lower = rel.toLowerCase();
      if (exts.length === 0 || exts.some((e) => lower.endsWith(e))) out.push(rel);
    });
    return out.sort(compareCodeUnits);
  }

  private async walk(dir: string, skip: readonly string[], visit: (rel: string) => void): Promise<void> {
    const stack = [dir];
    while (stack.length) {
      const d = stack.pop() as string;
      let items: Dirent[];
      try {
        items = await fs.readdir(d === '' ? this.root.abs : this.root.abs_(d), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const it of items) {
        const rel = d === '' ? it.name : `${d}/${it.name}`;
        // Links are never followed: a link could lead out of the workspace or into a cycle.
        if (it.isSymbolicLink()) continue;
        if (it.isDirectory()) {
          if (it.name.startsWith('.') || SKIP_DIRS.has(it.name) || skip.some((s) => isInsideRelative(rel, s))) continue;
          stack.push(rel);
        } else if (it.isFile()) {
          visit(rel);
        }
      }
    }
  }

  async readText(rel: string): Promise<string> {
    return fs.readFile(await this.root.existing(rel), 'utf8');
  }

  async readBytes(rel: string): Promise<Uint8Array> {
    return new Uint8Array(await fs.readFile(await this.root.existing(rel)));
  }

  async isFile(rel: string): Promise<boolean> {
    try {
      const p = await this.root.existing(rel);
      return (await fs.stat(p)).isFile();
    } catch (e) {
      if (e instanceof UnsafePathError) throw e;
      return false;
    }
  }

  /** Absolute path of a workspace file, checked. */
  async absolute(rel: string): Promise<string> {
    return this.root.existing(rel);
  }

  async writeFileAtomic(rel: string, data: string | Uint8Array): Promise<void> {
    const p = await this.root.forWrite(rel);
    const tmp = `${p}.${process.pid}.${Date.now().toString(36)}.tmp`;
    await writeAll(tmp, data);
    try {
      await fs.rename(tmp, p);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }
}

/** Buffered append-only file. */
class NodeOutStream implements OutStream {
  private parts: (string | Uint8Array)[] = [];
  private pending = 0;
  private closed = false;

  constructor(private readonly fh: fs.FileHandle, private readonly count: (n: number) => void) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.closed) throw new Error('write after close');
    this.parts.push(chunk);
    this.pending += chunk.length;
    if (this.pending >= 1 << 18) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const bufs = this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
    this.parts = [];
    this.pending = 0;
    const buf = Buffer.concat(bufs);
    await this.fh.write(buf);
    this.count(buf.byteLength);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }
}

/** The output folder of an export. */
export class NodeOutput implements OutputWriter {
  private bytes = 0;

  private constructor(private readonly root: Root, private readonly workspace: NodeWorkspace) {}

  /** Open (creating it) the output folder. */
  static async open(folder: string, workspace: NodeWorkspace): Promise<NodeOutput> {
    return new NodeOutput(await Root.open(folder, true), workspace);
  }

  get folder(): string {
    return this.root.abs;
  }

  get bytesWritten(): number {
    return this.bytes;
  }

  get workspaceFromOutput(): string {
    const rel = path.relative(this.root.abs, this.workspace.folder);
    return path.isAbsolute(rel) ? toPosix(this.workspace.folder) : toPosix(rel) || '.';
  }

  async writeFile(rel: string, data: string | Uint8Array): Promise<void> {
    // Read-modify-write only after the await: writes run concurrently.
    const n = await writeAll(await this.root.forWrite(rel), data);
    this.bytes += n;
  }

  async openStream(rel: string): Promise<OutStream> {
    const fh = await openNoFollow(await this.root.forWrite(rel));
    return new NodeOutStream(fh, (n) => (this.bytes += n));
  }

  async appendTo(stream: OutStream, rel: string): Promise<void> {
    const p = await this.root.existing(rel);
    for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) {
      await stream.write(chunk as Buffer);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const a = await this.root.existing(from);
    const b = await this.root.forWrite(to);
    await fs.rename(a, b);
  }

  async remove(rel: string): Promise<void> {
    // rm removes a link itself, never its target; the folder holding it is checked.
    await fs.rm(await this.root.forRemove(rel), { force: true });
  }

  async placeImage(src: string, dst: string, mode: 'copy' | 'link'): Promise<void> {
    const from = await this.workspace.absolute(src);
    const to = await this.root.forWrite(dst);
    await fs.rm(to, { force: true });
    if (mode === 'copy') {
      await fs.copyFile(from, to);
      const { size } = await fs.stat(to);
      this.bytes += size;
    } else {
      // Relative links keep working when the workspace and the dataset move together.
      await fs.symlink(path.relative(path.dirname(to), await fs.realpath(from)), to);
    }
  }

  async writeJpeg(src: string, dst: string, quality: number): Promise<void> {
    const from = await this.workspace.absolute(src);
    const to = await this.root.forWrite(dst);
    await fs.rm(to, { force: true });
    // Transparent pixels become white, as a JPEG has no alpha.
    const info = await loadSharp()(from, { animated: false }).flatten({ background: '#ffffff' }).jpeg({ quality }).toFile(to);
    this.bytes += info.size;
  }
}
