/**
 * The export's first pass: which images, which classes each holds, and the category list. Only
 * the class ids of each sidecar are kept, so the pass costs little memory for any number of
 * images.
 */
import { COCO_SIDECAR_SUFFIX } from '../formats/cocoSidecar';
import type { CocoCategory } from '../formats/cocoDataset';
import { toHexColour, vocPalette } from '../formats/vocPalette';
import type { Label } from '../labels';
import type { ExportOptions } from './config';
import type { ProgressSink, Warnings, WorkspaceReader } from './types';

/** An image selected for export. */
export interface ImageEntry {
  /** Workspace-relative path of the image. */
  readonly path: string;
  readonly sidecar: string;
  /** The class ids of its objects, sorted, without repeats. */
  readonly classIds: number[];
}

/** What the first pass found. */
export interface ScanResult {
  readonly entries: ImageEntry[];
  /** Class names the sidecars' `categories` give (the first name seen for each id). */
  readonly sidecarNames: ReadonlyMap<number, string>;
}

/**
 * Read the class ids of every sidecar `options.include` selects; undefined when cancelled.
 * Throws when there is nothing to export.
 */
export async function scanSidecars(
  workspace: WorkspaceReader,
  options: ExportOptions,
  skip: readonly string[],
  warnings: Warnings,
  progress?: ProgressSink,
): Promise<ScanResult | undefined> {
  const sidecars = await workspace.listSidecars(options.include, skip);
  if (sidecars.length === 0) {
    throw new Error(
      options.include.length
        ? `no annotated images (*${COCO_SIDECAR_SUFFIX} sidecars) under ${options.include.join(', ')}`
        : `no annotated images (*${COCO_SIDECAR_SUFFIX} sidecars) in the workspace`,
    );
  }
  const entries: ImageEntry[] = [];
  const sidecarNames = new Map<number, string>();
  for (const sidecar of sidecars) {
    if (progress?.isCancelled()) return undefined;
    const path = sidecar.slice(0, -COCO_SIDECAR_SUFFIX.length);
    let classIds: number[];
    try {
      const raw = JSON.parse(await workspace.readText(sidecar)) as { annotations?: unknown; categories?: unknown };
      if (!Array.isArray(raw.annotations)) throw new Error('no annotations array');
      classIds = raw.annotations.map((a) => (a as { category_id?: unknown }).category_id).filter((c): c is number => typeof c === 'number');
      if (Array.isArray(raw.categories)) {
        for (const c of raw.categories as { id?: unknown; name?: unknown }[]) {
          if (typeof c.id === 'number' && typeof c.name === 'string' && !sidecarNames.has(c.id)) sidecarNames.set(c.id, c.name);
        }
      }
    } catch (e) {
      warnings.add('unreadable-sidecar', 'Sidecars that could not be read were skipped', `${sidecar} (${(e as Error).message})`);
      continue;
    }
    if (classIds.length === 0) {
      if (!options.includeEmpty) {
        warnings.add('empty-image-skipped', 'Images without objects were left out', path);
        continue;
      }
    }
    entries.push({ path, sidecar, classIds: [...new Set(classIds)].sort((a, b) => a - b) });
  }
  if (entries.length === 0) throw new Error('none of the selected sidecars could be exported (see the warnings)');
  return { entries, sidecarNames };
}

/**
 * The categories, in id order: the labels file's, then any class id only the sidecars know
 * (under the sidecar's name, or `class_<id>`, with a warning). Classes without objects are
 * counted in the warnings too.
 */
export function exportCategories(labels: readonly Label[], scan: ScanResult, warnings: Warnings): CocoCategory[] {
  const labelById = new Map(labels.map((l) => [l.id, l]));
  const categories: CocoCategory[] = [...labels]
    .sort((a, b) => a.id - b.id)
    .map((l) => ({ id: l.id, name: l.name, supercategory: '', color: l.color }));
  const usedClasses = new Set<number>();
  for (const e of scan.entries) for (const c of e.classIds) usedClasses.add(c);
  for (const c of [...usedClasses].sort((a, b) => a - b)) {
    if (labelById.has(c)) continue;
    const name = uniqueName(scan.sidecarNames.get(c) ?? `class_${c}`, categories);
    // Its VOC colour, so that every category has a colour and an import gives it the same one.
    const voc = vocPalette();
    const color = c >= 0 && c < 256 ? toHexColour([voc[3 * c], voc[3 * c + 1], voc[3 * c + 2]]) : '#808080';
    categories.push({ id: c, name, supercategory: '', color });
    warnings.add('unknown-class', 'Class ids missing from the labels file (exported under the sidecar\'s name)', `${c} "${name}"`);
  }
  categories.sort((a, b) => a.id - b.id);
  for (const l of labels) if (!usedClasses.has(l.id)) warnings.add('class-without-objects', 'Classes without objects', l.name);
  return categories;
}

function uniqueName(name: string, taken: readonly CocoCategory[]): string {
  let candidate = name;
  let n = 2;
  while (taken.some((c) => c.name === candidate)) candidate = `${name}_${n++}`;
  return candidate;
}
