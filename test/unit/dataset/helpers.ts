/** A synthetic workspace for the dataset tests (and the stats benchmark). */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { AnnotationObject, ReviewRecord } from '../../../src/shared/annotation';
import { encodePng8 } from '../../../src/shared/export/png';
import { writeCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import type { Label } from '../../../src/shared/labels';

export const LABELS: Label[] = [
  { id: 1, name: 'car', color: '#e6194b' },
  { id: 2, name: 'person', color: '#3cb44b' },
  { id: 3, name: 'tree', color: '#4363d8' },
];

/** A w x h grey PNG. */
export function png(w = 40, h = 30): Uint8Array {
  return encodePng8({ width: w, height: h, data: new Uint8Array(w * h).fill(128) }, (d) => zlib.deflateSync(d));
}

/** An axis-aligned box object. */
export function box(id: number, classId: number, x: number, y: number, w: number, h: number): AnnotationObject {
  return { id, classId, regions: [{ outer: [x, y, x + w, y, x + w, y + h, x, y + h], holes: [] }], hidden: false };
}

/** Writes `rel` (folders created). */
export async function put(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), data);
}

/** Writes an image and, unless `objects` is undefined, its sidecar. */
export async function image(root: string, rel: string, objects?: AnnotationObject[], review?: ReviewRecord): Promise<void> {
  await put(root, rel, png());
  if (objects === undefined) return;
  const nextId = objects.reduce((m, o) => Math.max(m, o.id), 0) + 1;
  const state = review ? { objects, nextId, review } : { objects, nextId };
  await put(root, rel + '.coco.json', writeCocoSidecar({ fileName: path.basename(rel), width: 40, height: 30 }, LABELS, state));
}

export async function labelsFile(root: string): Promise<void> {
  await put(root, '.edgeflow/labels.json', JSON.stringify({ version: 1, labels: LABELS }, null, 2) + '\n');
}

const made: string[] = [];

/** A fresh temp folder, removed by `removeTempDirs()` (each test file's `after`). */
export async function tempDir(prefix: string): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export async function removeTempDirs(): Promise<void> {
  for (const d of made.splice(0)) await fs.rm(d, { recursive: true, force: true });
}
