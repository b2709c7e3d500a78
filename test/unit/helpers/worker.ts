/** Builds the inference worker bundle for tests and benchmarks (the extension build does it for the VSIX). */
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { repoRoot } from './golden';

let built: string | undefined;

/** Path of a freshly built out/test/worker/inferenceWorker.js (built once per process). */
export function inferenceWorkerScript(): string {
  if (built && existsSync(built)) return built;
  const root = repoRoot();
  const outfile = join(root, 'out', 'test', 'worker', 'inferenceWorker.js');
  buildSync({
    entryPoints: [join(root, 'src', 'extension', 'inference', 'worker.ts')],
    outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['onnxruntime-node', 'sharp'], sourcemap: 'inline', logLevel: 'warning',
  });
  built = outfile;
  return outfile;
}

/**
 * For suites that run the shipped model on an evaluation set: skips the suite (from its `before`
 * hook, with a message) when the set or the model is absent, else a session pool to use.
 */
export function evalPoolOrSkip(ctx: Mocha.Context, dataset: string, model: string): SessionPool {
  for (const [path, why] of [[dataset, '; the eval sets live in ../shared/datasets/eval'], [model, '']]) {
    if (!existsSync(path)) {
      console.log(`    (skipped: ${path} not found${why})`);
      ctx.skip();
    }
  }
  return new SessionPool(inferenceWorkerScript(), 1000);
}
