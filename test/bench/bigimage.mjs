#!/usr/bin/env node
// `npm run bench:bigimage`: how very large images fare (issue 4). Generates the images (cached in
// $TMPDIR/edgeflow-bigimage), then
//  1. host side, one process per image: probe, preview, tile pyramid, a 1200x1200 crop (what the
//     model would read around a click), a cached reopen; times and the process's peak RSS;
//  2. UI (skip with --no-ui): the packaged VSIX (with the test hooks: `EDGEFLOW_TEST_HOOKS=1 npm run
//     package`, or the one `npm run test:e2e` packaged) in code-server + headless Chromium opens the
//     20000x20000 JPEG (--ui-image NAME for another), zooms to 1:1 in three places until their
//     tiles are drawn, then clicks once with the click-segmentation tool; time to first display,
//     to the tiles and to the first mask, and the peak RSS of the extension host (the inference
//     worker is a thread of it) and of Chromium's renderer processes (the workbench and the
//     webview), sampled every 200 ms.
// Prints a table and writes test-results/bench/bigimage.json.
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const CACHE = join(tmpdir(), 'edgeflow-bigimage');
mkdirSync(CACHE, { recursive: true });

/** Smooth random content (a photo-like spectrum), upscaled from a small random image. */
async function makeImage(file, width, height, format) {
  if (existsSync(file)) return;
  const w = Math.ceil(width / 16);
  const h = Math.ceil(height / 16);
  const raw = Buffer.alloc(w * h * 3);
  let s = 12345;
  for (let i = 0; i < raw.length; i++) raw[i] = (s = (s * 1103515245 + 12345) & 0x7fffffff) >>> 23;
  const t0 = Date.now();
  const img = sharp(raw, { raw: { width: w, height: h, channels: 3 } }).resize(width, height, { kernel: 'cubic' });
  await (format === 'png' ? img.png({ compressionLevel: 3 }) : img.jpeg({ quality: 90 })).toFile(`${file}.tmp`);
  spawnSync('mv', [`${file}.tmp`, file]);
  console.log(`generated ${file} in ${Date.now() - t0} ms`);
}

const CASES = [
  { name: 'big-20000x20000.png', width: 20000, height: 20000, format: 'png' },
  { name: 'big-20000x20000.jpg', width: 20000, height: 20000, format: 'jpeg' },
  { name: 'big-30000x8000.jpg', width: 30000, height: 8000, format: 'jpeg' },
];

const results = { machine: `${process.platform} ${process.arch}, node ${process.version}`, host: [], ui: null };

buildSync({
  entryPoints: [join(ROOT, 'test/bench/bigimage-host.ts')],
  outfile: join(ROOT, 'out/bench/bigimage-host.js'),
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning',
});
for (const c of CASES) {
  const file = join(CACHE, c.name);
  await makeImage(file, c.width, c.height, c.format);
  const cacheDir = join(CACHE, `cache-${c.name}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [join(ROOT, 'out/bench/bigimage-host.js'), file, cacheDir], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`host bench failed for ${c.name}: ${r.stderr}`);
  const row = { image: c.name, fileMB: +(readFileSync(file).length / 1e6).toFixed(1), ...JSON.parse(r.stdout.trim().split('\n').pop()) };
  row.tilesMB = +(dirSize(join(cacheDir, 'tiles_files')) / 1e6).toFixed(1);
  results.host.push(row);
  console.log(row);
  rmSync(cacheDir, { recursive: true, force: true });
}

function dirSize(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(join(dir, e.name)) : readFileSync(join(dir, e.name)).length;
  return n;
}

/** RSS in MB of the processes whose command line matches `test`, keyed by pid. */
function rssOf(test) {
  const out = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!test(cmd)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out[pid] = Math.round(Number(m[1]) / 1024);
    } catch {
      // gone
    }
  }
  return out;
}

let uiSkipped = args.includes('--no-ui') ? '--no-ui' : null;
if (!uiSkipped) {
  const { vsixPath } = await import('../e2e/lib/session.mjs');
  try {
    vsixPath();
  } catch (e) {
    uiSkipped = e.message;
  }
}
if (uiSkipped) console.log(`UI part skipped: ${uiSkipped}`);
else {
  const { startSession } = await import('../e2e/lib/session.mjs');
  const { editorFrame, quickOpen, waitFor, screenshot } = await import('../e2e/lib/workbench.mjs');
  const uiImage = args.includes('--ui-image') ? args[args.indexOf('--ui-image') + 1] : 'big-20000x20000.jpg';
  const c = CASES.find((x) => x.name === uiImage) ?? CASES[1];
  const workspace = join(CACHE, 'workspace');
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(workspace);
  spawnSync('cp', [join(CACHE, c.name), join(workspace, c.name)]);
  const isHost = (cmd) => /extensionHost/.test(cmd);
  const isRenderer = (cmd) => /chrom/.test(cmd) && /--type=renderer/.test(cmd);
  const session = await startSession(workspace, { settings: { 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator', '*.jpg': 'edgeflow.annotator' } } });
  const peak = { host: 0, rendererMax: 0, renderersSum: 0 };
  let base;
  const sample = () => {
    const h = Object.values(rssOf(isHost));
    const r = Object.values(rssOf(isRenderer));
    peak.host = Math.max(peak.host, ...h, 0);
    peak.rendererMax = Math.max(peak.rendererMax, ...r, 0);
    peak.renderersSum = Math.max(peak.renderersSum, r.reduce((a, b) => a + b, 0));
    return { host: h.reduce((a, b) => a + b, 0), renderers: r.reduce((a, b) => a + b, 0) };
  };
  try {
    base = sample();
    peak.host = peak.rendererMax = peak.renderersSum = 0;
    const timer = setInterval(sample, 200);
    const t0 = Date.now();
    await quickOpen(session.page, c.name);
    const frame = await editorFrame(session.page, { width: c.width, height: c.height, timeout: 120000 });
    const firstDisplayMs = Date.now() - t0;
    await screenshot(session.page, 'bench-bigimage-fit');
    let tilesMs = 0;
    for (const [x, y] of [[10000, 10000], [2000, 18000], [17000, 3000]]) {
      await frame.evaluate(([ix, iy]) => window.__edgeflowDebug.zoomTo(ix, iy, 1), [x, y]);
      const before = (await frame.evaluate(() => window.__edgeflowDebug.tiles))?.loaded ?? 0;
      const t1 = Date.now();
      await waitFor('tiles at 1:1', async () => ((await frame.evaluate(() => window.__edgeflowDebug.tiles))?.loaded ?? 0) >= before + 4, { timeout: 120000, interval: 100 });
      tilesMs = Math.max(tilesMs, Date.now() - t1);
    }
    await new Promise((r) => setTimeout(r, 1000));
    await screenshot(session.page, 'bench-bigimage-1to1');
    const tiles = await frame.evaluate(() => window.__edgeflowDebug.tiles);
    // One click of click segmentation on the whole (fitted) image.
    await frame.evaluate(([w, h]) => window.__edgeflowDebug.zoomTo(w / 2, h / 2, 0.04), [c.width, c.height]);
    await frame.click('[data-testid="tool-segment"]');
    const t2 = Date.now();
    const { clickImage } = await import('../e2e/lib/workbench.mjs');
    await clickImage(session.page, frame, c.width / 2, c.height / 2);
    const panel = frame.locator('[data-testid="segment-panel"]');
    await waitFor('the first mask', async () => Number(await panel.getAttribute('data-area')) > 0 && (await panel.getAttribute('data-state')) === 'ready', { timeout: 180000, interval: 200 });
    const firstMaskMs = Date.now() - t2;
    await screenshot(session.page, 'bench-bigimage-click');
    clearInterval(timer);
    sample();
    results.ui = {
      image: c.name,
      firstDisplayMs,
      slowestTilesAt1to1Ms: tilesMs,
      firstMaskMs,
      tilesInMemory: tiles.cached,
      extensionHostPeakRssMB: peak.host,
      extensionHostBaselineRssMB: base.host,
      rendererPeakRssMB: peak.rendererMax,
      renderersPeakSumMB: peak.renderersSum,
      renderersBaselineSumMB: base.renderers,
    };
    console.log(results.ui);
  } finally {
    await session.stop();
  }
}

mkdirSync(join(ROOT, 'test-results/bench'), { recursive: true });
writeFileSync(join(ROOT, 'test-results/bench/bigimage.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nimage                 file MB  probe  preview  tiles   crop  reopen  tiles MB  host peak RSS');
for (const r of results.host) {
  console.log(
    `${r.image.padEnd(22)}${String(r.fileMB).padStart(7)}${`${r.probeMs}`.padStart(7)}${`${r.previewMs}`.padStart(9)}${`${r.tilesMs}`.padStart(7)}${`${r.regionMs}`.padStart(7)}${`${r.reopenMs}`.padStart(8)}${String(r.tilesMB).padStart(10)}${`${r.maxRssMB} MB`.padStart(15)}`,
  );
}
if (results.ui) {
  const u = results.ui;
  console.log(`\nUI (${u.image}): first display ${u.firstDisplayMs} ms, 1:1 tiles within ${u.slowestTilesAt1to1Ms} ms, first click mask ${u.firstMaskMs} ms; peak RSS: extension host ${u.extensionHostPeakRssMB} MB (idle ${u.extensionHostBaselineRssMB}), largest renderer ${u.rendererPeakRssMB} MB, all renderers ${u.renderersPeakSumMB} MB (idle ${u.renderersBaselineSumMB})`);
}
