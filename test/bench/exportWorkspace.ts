/**
 * A synthetic annotated workspace for the export tests and `npm run bench:export`: images (one
 * real PNG, hard-linked so 10,000 of them cost one file's space) with COCO sidecars written by
 * the editor's own sidecar writer, deterministic from a seed. Objects are star-shaped polygons,
 * every fifth one with a hole, every seventh image with a two-part object, some images empty.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { AnnotationObject, RegionXY } from '../../src/shared/annotation/types';
import { encodePng8 } from '../../src/shared/export/png';
import { writeCocoSidecar } from '../../src/shared/formats/cocoSidecar';
import { Label, serializeLabels } from '../../src/shared/labels';
import { rng } from '../unit/helpers/masks';

/** Classes of the synthetic workspace. */
export const SYNTHETIC_LABELS: Label[] = [
  { id: 1, name: 'car', color: '#e6194b' },
  { id: 2, name: 'person', color: '#3cb44b' },
  { id: 3, name: 'tree', color: '#4363d8' },
  { id: 7, name: 'unused class', color: '#f58231' },
];

/** Options of `makeWorkspace`. */
export interface WorkspaceSpec {
  readonly images: number;
  readonly width?: number;
  readonly height?: number;
  readonly seed?: number;
  /** Images per sub-folder. */
  readonly perFolder?: number;
}

function star(rand: () => number, cx: number, cy: number, radius: number, points: number): number[] {
  const ring: number[] = [];
  for (let k = 0; k < points; k++) {
    const a = (2 * Math.PI * k) / points;
    const r = radius * (0.6 + 0.4 * rand());
    ring.push(Math.round((cx + r * Math.cos(a)) * 100) / 100, Math.round((cy + r * Math.sin(a)) * 100) / 100);
  }
  return ring;
}

/** The objects of synthetic image `i`. */
export function syntheticObjects(i: number, width: number, height: number, seed = 1): AnnotationObject[] {
  const rand = rng(seed * 1_000_003 + i);
  if (i % 23 === 5) return [];
  const count = 1 + (i % 4);
  const objects: AnnotationObject[] = [];
  for (let k = 0; k < count; k++) {
    const radius = 20 + rand() * Math.min(width, height) * 0.2;
    const cx = radius + rand() * (width - 2 * radius);
    const cy = radius + rand() * (height - 2 * radius);
    const region: RegionXY = { outer: star(rand, cx, cy, radius, 12 + Math.floor(rand() * 20)), holes: [] };
    if ((i + k) % 5 === 0) region.holes.push(star(rand, cx, cy, radius * 0.3, 8));
    const regions = [region];
    if (i % 7 === 3 && k === 0) {
      const r2 = 10 + rand() * 20;
      regions.push({ outer: star(rand, Math.min(width - r2, cx + radius + r2 + 2), cy, r2, 8), holes: [] });
    }
    const classId = [1, 1, 2, 3][Math.floor(rand() * 4)];
    objects.push({ id: k + 1 + (i % 3), classId, regions, hidden: k === 2 });
  }
  return objects;
}

/** Write a synthetic workspace into `dir` (which must exist). Returns the image paths (relative). */
export async function makeWorkspace(dir: string, spec: WorkspaceSpec): Promise<string[]> {
  const width = spec.width ?? 640;
  const height = spec.height ?? 480;
  const per = spec.perFolder ?? 500;
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = (x ^ y) & 0xff;
  const png = encodePng8({ width, height, data: gray }, (d) => zlib.deflateSync(d));
  const master = path.join(dir, '.master.png');
  await fs.writeFile(master, png);
  await fs.mkdir(path.join(dir, '.edgeflow'), { recursive: true });
  await fs.writeFile(path.join(dir, '.edgeflow', 'labels.json'), serializeLabels({ version: 1, labels: SYNTHETIC_LABELS }));
  const paths: string[] = [];
  for (let i = 0; i < spec.images; i++) {
    const folder = `images/batch${String(Math.floor(i / per)).padStart(3, '0')}`;
    const name = `img_${String(i).padStart(6, '0')}.png`;
    const rel = `${folder}/${name}`;
    await fs.mkdir(path.join(dir, folder), { recursive: true });
    await fs.link(master, path.join(dir, rel)).catch(() => fs.copyFile(master, path.join(dir, rel)));
    const objects = syntheticObjects(i, width, height, spec.seed ?? 1);
    const nextId = objects.reduce((m, o) => Math.max(m, o.id), 0) + 1;
    const text = writeCocoSidecar({ fileName: name, width, height }, SYNTHETIC_LABELS, { objects, nextId });
    await fs.writeFile(path.join(dir, rel + '.coco.json'), text);
    paths.push(rel);
  }
  return paths;
}
