// Builds a benchmark (and the inference worker it uses) with esbuild, then runs it:
//   node test/bench/run.mjs noc -- --dataset ../shared/datasets/eval/GrabCut
//   node test/bench/run.mjs latency
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [name, ...rest] = process.argv.slice(2);
if (!['noc', 'latency'].includes(name)) {
  console.error('usage: node test/bench/run.mjs noc|latency [options]');
  process.exit(2);
}
const outdir = join(root, 'out', 'bench');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning' };
buildSync({ ...common, entryPoints: [join(root, 'test', 'bench', `${name}.ts`)], outfile: join(outdir, `${name}.js`), packages: 'external' });
buildSync({ ...common, entryPoints: [join(root, 'src', 'extension', 'inference', 'worker.ts')], outfile: join(outdir, 'inferenceWorker.js'), external: ['onnxruntime-node'] });
const args = rest[0] === '--' ? rest.slice(1) : rest;
const r = spawnSync(process.execPath, ['--enable-source-maps', join(outdir, `${name}.js`), ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
