/**
 * The quality checks over a whole workspace (`edgeflow stats --checks`): every sidecar of the
 * dataset read once, its objects checked (shared/dataset/qualityChecks.ts), plus the sidecars
 * whose image is gone and those that cannot be read. vscode-free.
 */
import { CheckFinding, CheckOptions, checkObjects } from '../../shared/dataset/qualityChecks';
import { COCO_SIDECAR_SUFFIX } from '../../shared/formats/cocoSidecar';
import type { Label } from '../../shared/labels';
import type { DatasetIndex, DatasetListing } from './datasetIndex';

/** Runs every check; findings in path order, then as each check found them. */
export async function runDatasetChecks(index: DatasetIndex, listing: DatasetListing, labels: readonly Label[], options: Partial<CheckOptions> = {}): Promise<CheckFinding[]> {
  const out: CheckFinding[] = [];
  for (const file of listing.orphanSidecars) {
    out.push({ severity: 'error', code: 'orphan-sidecar', file, message: `its image ${file.slice(0, -COCO_SIDECAR_SUFFIX.length)} is gone` });
  }
  // Files are read 16 at a time: one at a time, the run mostly waits for the disk.
  const perImage: CheckFinding[][] = new Array<CheckFinding[]>(listing.images.length);
  let next = 0;
  const worker = async () => {
    while (next < listing.images.length) {
      const i = next++;
      perImage[i] = await checkImage(index, listing.images[i], labels, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, listing.images.length) }, worker));
  for (const f of perImage) out.push(...f);
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

async function checkImage(index: DatasetIndex, image: string, labels: readonly Label[], options: Partial<CheckOptions>): Promise<CheckFinding[]> {
  const file = image + COCO_SIDECAR_SUFFIX;
  const { read } = await index.inspect(image);
  if (!read) return [];
  if (!read.ok) return [{ severity: 'error', code: 'unreadable-sidecar', file, message: read.error.message }];
  const out: CheckFinding[] = [];
  for (const i of read.value.issues) {
    if (i.code === 'invalid-review') out.push({ severity: 'warning', code: 'invalid-review', file, message: i.message });
    else if (i.severity === 'error') out.push({ severity: 'error', code: 'unreadable-sidecar', file, message: `${i.path ? `${i.path}: ` : ''}${i.message}` });
  }
  const { width, height } = read.value.image;
  out.push(...checkObjects(file, read.value.state.objects, width, height, labels, options));
  return out;
}
