#!/usr/bin/env node
// `npm run package`: a production build, then a VSIX for linux-x64 that carries its native modules
// (sharp + libvips, onnxruntime-node CPU), trimmed by .vscodeignore. Then checks the VSIX itself
// (scripts/check-vsix.mjs): unpacks it, checks its files, and loads sharp and onnxruntime-node
// from the unpacked copy, the way the extension host will, so a missing file fails here and not
// on a user's machine. Every platform's VSIX: `npm run package:all` (scripts/package-all.mjs).
//
// Usage: node scripts/package.mjs [--out FILE] [--skip-build] [--skip-check]
// Prints the VSIX path and size; the path is also written to .artifacts/vsix-path.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkVsix, reportCheck } from './lib/vsix-check.mjs';
import { VSCE_PACKAGE_FLAGS } from './lib/vsix-rules.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 'linux-x64';
const args = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, `${manifest.name}-${TARGET}-${manifest.version}.vsix`));

function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`[package] ${cmd} ${cmdArgs.join(' ')} failed (exit ${result.status})`);
    process.exit(result.status || 1);
  }
  return result;
}

if (!args.includes('--skip-build')) run(process.execPath, [join(ROOT, 'esbuild.mjs'), '--production']);

// A production build leaves the development source maps of an earlier build behind; .vscodeignore
// keeps them out of the VSIX. The VSIX would silently lack the model if none was exported yet.
const onnx = existsSync(join(ROOT, 'models')) ? readdirSync(join(ROOT, 'models')).filter((f) => f.endsWith('.onnx')) : [];
if (onnx.length === 0) console.warn('[package] warning: no models/*.onnx: the VSIX will have no segmentation model');
if (!existsSync(join(ROOT, 'README.md'))) console.warn('[package] warning: no README.md');

rmSync(out, { force: true });
run(process.execPath, [
  join(ROOT, 'node_modules/@vscode/vsce/vsce'),
  'package',
  '--target', TARGET,
  '--out', out,
  ...VSCE_PACKAGE_FLAGS,
]);

const size = statSync(out).size;
console.log(`[package] ${relative(ROOT, out)}: ${(size / 1024 / 1024).toFixed(1)} MiB`);
mkdirSync(join(ROOT, '.artifacts'), { recursive: true });
writeFileSync(join(ROOT, '.artifacts/vsix-path'), `${out}\n`);

if (!args.includes('--skip-check')) {
  // The same check as each of `npm run package:all`'s VSIX files get: native files' headers,
  // required assets, nothing else; then sharp and onnxruntime-node load from the unpacked copy.
  if (!reportCheck(out, checkVsix(out, { target: TARGET }), { quiet: true })) process.exit(1);
}
