/** Temp folders, the fixture workspace and mask helpers for the export/import tests. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { decodePng } from '../../../src/shared/export/png';
import { readCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { decodeRle } from '../../../src/shared/formats/rle';
import { maskToPolygons } from '../../../src/shared/geometry/contours';
import { rasterizeMultiPolygonInto } from '../../../src/shared/geometry/polygon';
import { inputPath } from '../helpers/golden';

/** A fresh temp folder, removed by `cleanup()`. */
export async function tempDir(prefix = 'edgeflow-export-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Copy test/fixtures/in/export/workspace to `dest` (created). */
export async function copyFixtureWorkspace(dest: string): Promise<string> {
  await fs.cp(inputPath('export/workspace'), dest, { recursive: true });
  return dest;
}

/** Copy only the image files of a workspace (no sidecars, no labels). */
export async function copyImagesOnly(src: string, dest: string): Promise<void> {
  for (const f of await listTree(src)) {
    if (f.endsWith('.coco.json') || f.startsWith('.edgeflow/')) continue;
    await fs.mkdir(path.dirname(path.join(dest, f)), { recursive: true });
    await fs.copyFile(path.join(src, f), path.join(dest, f));
  }
}

/** Every file under `dir` (relative, sorted), links included, not followed. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, d), { withFileTypes: true })) {
      const rel = d ? `${d}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(rel);
      else out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}

/** sha256 of every file in a tree (links: their target text). */
export async function hashTree(dir: string): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const f of await listTree(dir)) {
    const p = path.join(dir, f);
    const st = await fs.lstat(p);
    const data = st.isSymbolicLink() ? Buffer.from('link:' + (await fs.readlink(p))) : await fs.readFile(p);
    m.set(f, createHash('sha256').update(data).digest('hex'));
  }
  return m;
}

/** Decode a PNG file into its samples (palette indices for palette PNGs). */
export async function readPng(p: string) {
  return decodePng(new Uint8Array(await fs.readFile(p)), (d) => zlib.inflateSync(d));
}

/** The class map of a sidecar: its objects rasterised in drawing order (later on top). */
export async function sidecarClassMap(sidecarPath: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const r = readCocoSidecar(await fs.readFile(sidecarPath, 'utf8'), { maskToRegions: maskToPolygons });
  if (!r.ok) throw new Error(r.error.message);
  const { width, height } = r.value.image;
  const data = new Uint8Array(width * height);
  for (const o of r.value.state.objects) rasterizeMultiPolygonInto(data, width, height, o.regions, o.classId);
  return { width, height, data };
}

/** The class map of one image of a COCO dataset: annotations in file order, polygons or RLE. */
export function cocoClassMap(
  dataset: { annotations: { image_id: number; category_id: number; segmentation: unknown }[] },
  image: { id: number; width: number; height: number },
): Uint8Array {
  const { width, height } = image;
  const data = new Uint8Array(width * height);
  for (const a of dataset.annotations) {
    if (a.image_id !== image.id) continue;
    if (Array.isArray(a.segmentation)) {
      // COCO unions the polygons of one annotation.
      const regions = (a.segmentation as number[][]).map((ring) => ({ outer: ring, holes: [] }));
      rasterizeMultiPolygonInto(data, width, height, regions, a.category_id);
    } else {
      const d = decodeRle(a.segmentation as { size: [number, number]; counts: string });
      if (!d.ok) throw new Error(d.error.message);
      for (let i = 0; i < data.length; i++) if (d.value.mask[i]) data[i] = a.category_id;
    }
  }
  return data;
}

/** Count of differing samples. */
export function diffCount(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** A progress sink that records reports and can cancel after `cancelAfter` images. */
export function recorder(cancelAfter = Infinity) {
  const reports: number[] = [];
  return {
    reports,
    report(done: number) {
      reports.push(done);
    },
    isCancelled() {
      return reports.length >= cancelAfter;
    },
  };
}
