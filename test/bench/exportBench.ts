/**
 * `npm run bench:export`: builds a synthetic workspace of 10,000 annotated 640x480 images in a
 * temp folder, then exports it in fresh child processes and reports images per second and peak
 * RSS for
 *   - COCO, images referenced (target >= 200 images/s on 2 cores, peak RSS < 300 MB),
 *   - VOC, writing SegmentationClass + SegmentationObject PNGs (images referenced),
 *   - masks + pseudo-colour PNGs,
 * plus the output sizes. Options: --images N (default 10000), --keep (leave the temp folder).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExport } from '../../src/extension/export/run';
import type { ExportFormat } from '../../src/shared/export/types';
import { makeWorkspace } from './exportWorkspace';

interface ChildResult {
  readonly images: number;
  readonly objects: number;
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly bytes: number;
  /** Heap in use after a full GC, sampled every 20 % of the images: flat when export streams. */
  readonly heapMb: number[];
}

async function child(formats: string, ws: string, out: string): Promise<void> {
  const heapMb: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const { summary } = await runExport({
    workspaceDir: ws,
    outDir: out,
    useConfig: false,
    settings: { formats: formats.split(',') as ExportFormat[], images: 'reference' },
    progress: {
      isCancelled: () => false,
      report(done, total) {
        if (gc && done % Math.max(1, Math.round(total / 5)) === 0) {
          gc();
          heapMb.push(process.memoryUsage().heapUsed / 1048576);
        }
      },
    },
  });
  const result: ChildResult = {
    images: summary.images,
    objects: summary.objects,
    seconds: summary.seconds,
    // resourceUsage().maxRSS is in kilobytes: the whole process's peak, Node itself included.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: summary.bytesWritten,
    heapMb,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function parent(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--images') + 1] || 10000) || 10000;
  const keep = args.includes('--keep');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-bench-export-'));
  try {
    const ws = path.join(tmp, 'ws');
    await fs.mkdir(ws);
    const t0 = Date.now();
    await makeWorkspace(ws, { images: n });
    console.log(`synthetic workspace: ${n} images 640x480 with sidecars in ${((Date.now() - t0) / 1000).toFixed(1)} s (${ws})`);
    const scenarios: [string, string, number][] = [
      ['COCO (images referenced)', 'coco', 200],
      ['VOC (class + object PNGs, images referenced)', 'voc', 0],
      ['masks + pseudo-colour PNGs', 'mask,pseudo', 0],
    ];
    const rows: string[] = [];
    let failed = false;
    for (const [name, formats, target] of scenarios) {
      const out = path.join(tmp, `out-${formats.replace(',', '-')}`);
      const r = spawnSync(process.execPath, ['--expose-gc', __filename, '--child', formats, ws, out], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
      const ips = res.images / res.seconds;
      const ok = (target === 0 || ips >= target) && res.maxRssMb < 300;
      if (!ok) failed = true;
      rows.push(
        `${name.padEnd(46)} ${String(res.images).padStart(6)} images ${String(res.objects).padStart(6)} objects ` +
          `${res.seconds.toFixed(1).padStart(6)} s ${ips.toFixed(0).padStart(6)} images/s  peak RSS ${res.maxRssMb.toFixed(0).padStart(4)} MB  ` +
          `output ${(res.bytes / 1e6).toFixed(1)} MB${target ? `  (target >= ${target} images/s, < 300 MB)` : '  (target < 300 MB)'} ${ok ? 'ok' : 'MISSED'}`,
      );
      console.log(rows[rows.length - 1]);
      console.log(`${''.padEnd(46)} heap after GC at each 20 % of the images: ${res.heapMb.map((h) => h.toFixed(1)).join(', ')} MB`);
      if (!keep) await fs.rm(out, { recursive: true, force: true });
    }
    if (failed) process.exitCode = 1;
  } finally {
    if (!keep) await fs.rm(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

const argv = process.argv.slice(2);
(argv[0] === '--child' ? child(argv[1], argv[2], argv[3]) : parent(argv)).catch((e) => {
  console.error(e);
  process.exit(1);
});
