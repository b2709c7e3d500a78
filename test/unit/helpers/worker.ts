/** Builds the inference worker bundle for tests and benchmarks (the extension build does it for the VSIX). */
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
