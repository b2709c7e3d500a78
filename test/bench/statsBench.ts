/**
 * `npm run bench:stats`: a synthetic workspace of 10,000 annotated 640x480 images in a temp
 * folder (every 10th image approved, every 25th needing a fix, every 50th without a sidecar),
 * then `edgeflow stats --json` and `edgeflow stats --checks --json` run by the built CLI in fresh
 * processes (wall time, peak RSS), and the dataset index in this process: a first pass (every
 * sidecar read) and a second one (all from the mtime cache). Options: --images N, --keep.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetIndex } from '../../src/extension/dataset/datasetIndex';
import { setReviewInText } from '../../src/shared/dataset/reviewText';
import { makeWorkspace } from './exportWorkspace';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function cli(args: string[]): { seconds: number; maxRssMb: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  // /usr/bin/time is not everywhere: the child reports its own peak RSS on exit.
  const r = spawnSync(process.execPath, ['-e', `process.on('exit', () => process.stderr.write('RSS ' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, 'edgeflow'); require(${JSON.stringify(path.resolve('dist/cli/edgeflow.js'))})`, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = /RSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 && r.status !== 1) throw new Error(`edgeflow ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: r.stdout };
}

async function main(): Promise<void> {
  const n = Number(arg('--images') ?? 10000);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-stats-bench-'));
  try {
    let t = Date.now();
    const paths = await makeWorkspace(dir, { images: n });
    for (let i = 0; i < paths.length; i++) {
      const sidecar = path.join(dir, paths[i] + '.coco.json');
      if (i % 50 === 7) await fs.rm(sidecar);
      else if (i % 10 === 0) await fs.writeFile(sidecar, setReviewInText(await fs.readFile(sidecar, 'utf8'), { status: 'approved' }));
      else if (i % 25 === 1) await fs.writeFile(sidecar, setReviewInText(await fs.readFile(sidecar, 'utf8'), { status: 'needs-fix', note: 'check the outline' }));
    }
    console.log(`workspace: ${n} images in ${((Date.now() - t) / 1000).toFixed(1)} s (${dir})`);

    const stats = cli(['stats', '--workspace', dir, '--json']);
    const s = JSON.parse(stats.stdout) as { images: number; objects: number };
    console.log(`edgeflow stats --json:          ${stats.seconds.toFixed(2)} s, peak RSS ${stats.maxRssMb.toFixed(0)} MB (${s.images} images, ${s.objects} objects)`);
    const checks = cli(['stats', '--workspace', dir, '--checks', '--json']);
    const c = JSON.parse(checks.stdout) as { checks: unknown[] };
    console.log(`edgeflow stats --checks --json: ${checks.seconds.toFixed(2)} s, peak RSS ${checks.maxRssMb.toFixed(0)} MB (${c.checks.length} findings)`);

    const index = await DatasetIndex.open(dir);
    t = Date.now();
    const listing = await index.list();
    const tList = Date.now() - t;
    await index.summaries(listing.images);
    const tFirst = Date.now() - t;
    t = Date.now();
    await index.summaries((await index.list()).images);
    const tSecond = Date.now() - t;
    console.log(`index in process: list ${tList} ms; first pass ${tFirst} ms (${index.parses} sidecars parsed); second pass ${tSecond} ms (list + stat, nothing parsed)`);
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
