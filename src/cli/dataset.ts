/** `edgeflow stats`, `review` and `diff`: the workspace as a dataset (see `--help`). */
import * as path from 'node:path';
import { makeReview } from '../shared/annotation/review';
import type { CheckFinding } from '../shared/dataset/qualityChecks';
import { datasetStats } from '../shared/dataset/stats';
import { COCO_SIDECAR_SUFFIX } from '../shared/formats/cocoSidecar';
import { DatasetIndex } from '../extension/dataset/datasetIndex';
import { runDatasetChecks } from '../extension/dataset/datasetChecks';
import { reviewImage } from '../extension/dataset/reviewImage';
import { readLabelsFile } from '../extension/export/run';
import type { DiffCommand, ReviewCommand, StatsCommand } from './args';
import { diffRevisions } from '../extension/dataset/gitDiff';
import { NodeWorkspace } from '../extension/export/nodeIo';
import type { CliIo } from './main';

const pct = (n: number, total: number) => (total ? `${Math.round((100 * n) / total)}%` : '0%');

/** Prints the statistics (and the checks); exit code 1 when a check found an error. */
export async function statsCommand(cmd: StatsCommand, io: CliIo): Promise<number> {
  const index = await DatasetIndex.open(cmd.workspace, cmd.include);
  const labels = await readLabelsFile(index.workspace, cmd.labels === undefined ? undefined : path.resolve(cmd.labels), cmd.labels !== undefined);
  const listing = await index.list();
  // The checks first: they read every sidecar and leave the summaries in the index's cache.
  const findings: CheckFinding[] | undefined = cmd.checks ? await runDatasetChecks(index, listing, labels, cmd.minPixels === undefined ? {} : { minPixels: cmd.minPixels }) : undefined;
  const stats = datasetStats(await index.summaries(listing.images), labels);
  const errors = findings?.filter((f) => f.severity === 'error').length ?? 0;
  if (cmd.json) {
    io.out(JSON.stringify(findings ? { ...stats, checks: findings } : stats, null, 2) + '\n');
  } else {
    const done = stats.labelled + stats.approved + stats.needsFix;
    io.out(
      `${stats.images} images: ${stats.unlabelled} unlabelled, ${stats.labelled} labelled, ${stats.approved} approved, ${stats.needsFix} need a fix` +
        `${stats.unreadable ? `, ${stats.unreadable} with an unreadable sidecar` : ''}` +
        ` (${pct(done, stats.images)} labelled or reviewed, ${pct(stats.approved, stats.images)} approved)\n`,
    );
    const classes = Object.entries(stats.objectsPerClass).map(([k, v]) => `${k} ${v}`).join(', ');
    io.out(`${stats.objects} objects${classes ? `: ${classes}` : ''}\n`);
    if (findings) {
      for (const f of findings) io.out(`${f.file}: ${f.severity}: ${f.message} [${f.code}]\n`);
      io.out(`checks: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}\n`);
    }
  }
  return errors ? 1 : 0;
}

/** The image's workspace-relative path: PATH from the current folder, else from the workspace. */
async function imagePath(workspace: NodeWorkspace, given: string): Promise<string> {
  const p = given.endsWith(COCO_SIDECAR_SUFFIX) ? given.slice(0, -COCO_SIDECAR_SUFFIX.length) : given;
  let fromCwd: string | undefined;
  try {
    fromCwd = workspace.relative(p);
  } catch {
    fromCwd = undefined;
  }
  if (fromCwd !== undefined && (await workspace.isFile(fromCwd))) return fromCwd;
  if (!path.isAbsolute(p)) {
    const rel = p.replace(/\\/g, '/').replace(/^\.\//, '');
    if (await workspace.isFile(rel).catch(() => false)) return rel;
  }
  throw new Error(`no image ${given} in the workspace ${workspace.folder}`);
}

const STATUS_WORDS = { unlabelled: 'unlabelled', labelled: 'labelled', approved: 'approved', needsFix: 'needs a fix' } as const;

/** Sets or clears one image's review. */
export async function reviewCommand(cmd: ReviewCommand, io: CliIo, generator: string): Promise<number> {
  const index = await DatasetIndex.open(cmd.workspace);
  const image = await imagePath(index.workspace, cmd.image);
  const review = cmd.status ? makeReview(cmd.status, cmd.note, cmd.reviewer) : undefined;
  const r = await reviewImage(index.workspace, image, review, {
    generator,
    labelsFile: cmd.labels === undefined ? undefined : path.resolve(cmd.labels),
  });
  if (cmd.json) io.out(JSON.stringify(r, null, 2) + '\n');
  else if (!r.changed) io.out(`${r.image}: already ${STATUS_WORDS[r.after]}, nothing changed\n`);
  else io.out(`${r.image}: ${STATUS_WORDS[r.after]} (was ${STATUS_WORDS[r.before]})${r.created ? `; created ${r.sidecar}` : ''}\n`);
  return 0;
}

/** Prints the label changes between two revisions. */
export async function diffCommand(cmd: DiffCommand, io: CliIo): Promise<number> {
  const d = await diffRevisions(cmd.workspace, cmd.from, cmd.to);
  if (cmd.json) {
    io.out(JSON.stringify(d, null, 2) + '\n');
    return 0;
  }
  const workspace = await NodeWorkspace.open(cmd.workspace);
  const labels = await readLabelsFile(workspace, cmd.labels === undefined ? undefined : path.resolve(cmd.labels), cmd.labels !== undefined);
  const name = (id: number) => labels.find((l) => l.id === id)?.name ?? `class_${id}`;
  const review = (r: { status: string } | null) => (r ? r.status : 'none');
  for (const e of d.images) {
    const parts: string[] = [];
    if (e.added.length) parts.push(`added ${e.added.map((id) => `#${id}`).join(' ')}`);
    if (e.removed.length) parts.push(`removed ${e.removed.map((id) => `#${id}`).join(' ')}`);
    for (const c of e.changed) {
      const what = [c.geometry ? `geometry (IoU ${c.iou.toFixed(2)})` : '', c.classId ? `class ${name(c.classId.from)} -> ${name(c.classId.to)}` : '', c.attributes ? 'attributes' : ''].filter(Boolean);
      parts.push(`changed #${c.id}${c.was !== undefined ? ` (was #${c.was})` : ''}: ${what.join(', ') || 'id'}`);
    }
    if (e.review) parts.push(`review ${review(e.review.from)} -> ${review(e.review.to)}`);
    io.out(`${e.image}${e.sidecar === 'modified' ? '' : ` (sidecar ${e.sidecar})`}: ${parts.join('; ')}\n`);
  }
  const t = d.totals;
  io.out(`${t.images} image${t.images === 1 ? '' : 's'} changed between ${d.from} and ${d.to ?? 'the files on disk'}: ${t.added} objects added, ${t.removed} removed, ${t.changed} changed, ${t.reviews} review${t.reviews === 1 ? '' : 's'}\n`);
  return 0;
}
