/**
 * `edgeflow review`: set or clear one image's review in its sidecar. The file is written
 * atomically and only when it could be read completely; a sidecar is created (no objects, the
 * labels file's categories) for an image reviewed before anyone labelled it, e.g. an approved
 * negative. vscode-free.
 */
import { ImageStatus, ReviewRecord, imageStatus, reviewsEqual } from '../../shared/annotation/review';
import { setReviewInText } from '../../shared/dataset/reviewText';
import { COCO_SIDECAR_SUFFIX, readCocoSidecar, writeCocoSidecar } from '../../shared/formats/cocoSidecar';
import { maskToPolygons } from '../../shared/geometry/contours';
import { IMAGE_EXTENSIONS } from '../../shared/export/importer';
import type { NodeWorkspace } from '../export/nodeIo';
import { readLabelsFile } from '../export/run';
import { probeImage } from '../image/probe';

/** What `reviewImage` did. */
export interface ReviewResult {
  image: string;
  sidecar: string;
  before: ImageStatus;
  after: ImageStatus;
  /** False when the sidecar already said so (nothing written). */
  changed: boolean;
  /** True when the sidecar did not exist and was created. */
  created: boolean;
}

/** Options of `reviewImage`. */
export interface ReviewOptions {
  /** Labels file for a sidecar created here (as the export's `labelsFile`). */
  labelsFile?: string;
  generator: string;
}

/**
 * Sets (`review`) or clears (undefined) the review of `image` (workspace-relative). Throws with a
 * message for the user when the image is missing or its sidecar cannot be read.
 */
export async function reviewImage(workspace: NodeWorkspace, image: string, review: ReviewRecord | undefined, options: ReviewOptions): Promise<ReviewResult> {
  if (!IMAGE_EXTENSIONS.some((e) => image.toLowerCase().endsWith(e))) throw new Error(`${image} is not an image (${IMAGE_EXTENSIONS.join(', ')})`);
  if (!(await workspace.isFile(image))) throw new Error(`no image ${image} in the workspace`);
  const sidecar = image + COCO_SIDECAR_SUFFIX;
  const base = { image, sidecar };
  if (!(await workspace.stat(sidecar))) {
    if (!review) return { ...base, before: 'unlabelled', after: 'unlabelled', changed: false, created: false };
    const probe = await probeImage(await workspace.absolute(image), { validate: false });
    const labels = await readLabelsFile(workspace, options.labelsFile);
    const name = image.slice(image.lastIndexOf('/') + 1);
    const text = writeCocoSidecar({ fileName: name, width: probe.width, height: probe.height }, labels, { objects: [], nextId: 1, review }, { generator: options.generator });
    await workspace.writeFileAtomic(sidecar, text);
    return { ...base, before: 'unlabelled', after: imageStatus(0, review), changed: true, created: true };
  }
  const text = await workspace.readText(sidecar);
  const read = readCocoSidecar(text, { maskToRegions: maskToPolygons });
  if (!read.ok) {
    throw new Error(`${sidecar} cannot be read (${read.error.path ? `${read.error.path}: ` : ''}${read.error.message}); it was left as it is: fix it, or open the image in the editor to repair it`);
  }
  const n = read.value.state.objects.length;
  const before = imageStatus(n, read.value.state.review);
  const after = imageStatus(n, review);
  // An unreadable review (a warning on read) counts as none, but is still replaced or removed.
  const invalidKept = read.value.issues.some((i) => i.code === 'invalid-review');
  if (reviewsEqual(read.value.state.review, review) && !invalidKept) return { ...base, before, after, changed: false, created: false };
  const next = setReviewInText(text, review);
  // Someone (the editor, another run) wrote the file since we read it: do not replace their work.
  if ((await workspace.readText(sidecar)) !== text) throw new Error(`${sidecar} changed while it was being reviewed; nothing was written, run the command again`);
  await workspace.writeFileAtomic(sidecar, next);
  return { ...base, before, after, changed: true, created: false };
}
