/**
 * Workspace statistics from per-image summaries: the numbers `edgeflow stats` prints and the
 * dataset view will show. Pure: the scanner (extension/dataset/datasetIndex.ts) reads the files.
 */
import { IMAGE_STATUSES, type ImageStatus, type ReviewRecord } from '../annotation/review';
import type { Label } from '../labels';

/** What the dataset needs to know about one image (its sidecar read once, then cached). */
export interface ImageSummary {
  /** Workspace-relative image path. */
  readonly image: string;
  /** Workspace-relative sidecar path; undefined when the image has none. */
  readonly sidecar?: string;
  /** 'unreadable': the sidecar exists but could not be read as a whole. */
  readonly status: ImageStatus | 'unreadable';
  readonly objects: number;
  /** Object count per class id. */
  readonly classCounts: ReadonlyMap<number, number>;
  /** Class names the sidecar's `categories` give. */
  readonly categoryNames: ReadonlyMap<number, string>;
  readonly review?: ReviewRecord;
  /** Why the sidecar could not be read (status 'unreadable'). */
  readonly error?: string;
}

/**
 * The statistics, in the shape the issue asks for; `unreadable` appears only when some sidecars
 * could not be read (the four statuses and it then add up to `images`).
 */
export interface DatasetStats {
  images: number;
  unlabelled: number;
  labelled: number;
  approved: number;
  needsFix: number;
  unreadable?: number;
  objects: number;
  objectsPerClass: Record<string, number>;
}

/**
 * Counts the summaries. Classes are named by the labels file, else by a sidecar's category, else
 * `class_<id>`; every class of the labels file is listed (0 when unused), in labels-file order,
 * then the others by id. Two ids with one name are kept apart as `name (id N)`.
 */
export function datasetStats(images: Iterable<ImageSummary>, labels: readonly Label[]): DatasetStats {
  const byStatus: Record<ImageStatus | 'unreadable', number> = { unlabelled: 0, labelled: 0, approved: 0, needsFix: 0, unreadable: 0 };
  const perClass = new Map<number, number>();
  const sidecarNames = new Map<number, string>();
  let count = 0;
  let objects = 0;
  for (const s of images) {
    count++;
    byStatus[s.status]++;
    objects += s.objects;
    for (const [id, n] of s.classCounts) perClass.set(id, (perClass.get(id) ?? 0) + n);
    for (const [id, name] of s.categoryNames) if (!sidecarNames.has(id)) sidecarNames.set(id, name);
  }
  const order: [number, string][] = labels.map((l) => [l.id, l.name]);
  const listed = new Set(labels.map((l) => l.id));
  for (const id of [...perClass.keys()].filter((id) => !listed.has(id)).sort((a, b) => a - b)) order.push([id, sidecarNames.get(id) ?? `class_${id}`]);
  const objectsPerClass: Record<string, number> = {};
  for (const [id, name] of order) {
    const key = Object.prototype.hasOwnProperty.call(objectsPerClass, name) ? `${name} (id ${id})` : name;
    Object.defineProperty(objectsPerClass, key, { value: perClass.get(id) ?? 0, enumerable: true, writable: true, configurable: true });
  }
  const stats: DatasetStats = { images: count, unlabelled: 0, labelled: 0, approved: 0, needsFix: 0, objects, objectsPerClass };
  for (const st of IMAGE_STATUSES) stats[st] = byStatus[st];
  if (byStatus.unreadable) {
    // After the statuses, before the objects, as documented.
    const { objects: o, objectsPerClass: c, ...head } = stats;
    return { ...head, unreadable: byStatus.unreadable, objects: o, objectsPerClass: c };
  }
  return stats;
}
