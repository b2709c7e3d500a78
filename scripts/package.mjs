#!/usr/bin/env node
// `npm run package`: a production build, then a VSIX for linux-x64 that carries its native modules
// (sharp + libvips, onnxruntime-node CPU), trimmed by .vscodeignore. Then checks the VSIX itself:
// unpacks it and loads sharp and onnxruntime-node from the unpacked copy, the way the extension
// host will, so a missing file fails here and not on a user's machine.
//
// Usage: node scripts/package.mjs [--out FILE] [--skip-build] [--skip-check]
// Prints the VSIX path and size; the path is also written to .artifacts/vsix-path.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  '--allow-missing-repository',
  '--no-update-package-json',
  '--no-git-tag-version',
  // README.md's images are relative (docs/screenshot.png ships in the VSIX); with no public
  // repository URL there is nothing to rewrite them to.
  '--no-rewrite-relative-links',
]);

const size = statSync(out).size;
console.log(`[package] ${relative(ROOT, out)}: ${(size / 1024 / 1024).toFixed(1)} MiB`);
mkdirSync(join(ROOT, '.artifacts'), { recursive: true });
writeFileSync(join(ROOT, '.artifacts/vsix-path'), `${out}\n`);

if (!args.includes('--skip-check')) {
  const dir = mkdtempSync(join(tmpdir(), 'edgeflow-vsix-'));
  try {
    run('unzip', ['-q', out, '-d', dir]);
    const ext = join(dir, 'extension');
    const check = `
      const assert = require('node:assert');
      const path = require('node:path');
      const ext = ${JSON.stringify(ext)};
      const pkg = require(path.join(ext, 'package.json'));
      assert.ok(require('node:fs').existsSync(path.join(ext, pkg.main)), 'main bundle ' + pkg.main);
      const sharp = require(path.join(ext, 'node_modules/sharp'));
      const ort = require(path.join(ext, 'node_modules/onnxruntime-node'));
      (async () => {
        const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } }).png().toBuffer();
        const meta = await sharp(png).metadata();
        assert.equal(meta.width, 4);
        const t = new ort.Tensor('float32', new Float32Array(6), [1, 2, 3]);
        assert.deepEqual(t.dims, [1, 2, 3]);
        const models = require('node:fs').readdirSync(path.join(ext, 'models')).filter((f) => f.endsWith('.onnx'));
        for (const m of models) {
          const s = await ort.InferenceSession.create(path.join(ext, 'models', m));
          console.log('[package] ' + m + ': inputs ' + s.inputNames.join(',') + ' -> outputs ' + s.outputNames.join(','));
        }
        console.log('[package] VSIX check: sharp ' + sharp.versions.sharp + ' (libvips ' + sharp.versions.vips + '), onnxruntime-node loads, ' + models.length + ' model(s) load');
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    // A clean module path: the unpacked VSIX must not borrow from the repository's node_modules.
    run(process.execPath, ['-e', check], { cwd: dir, env: { ...process.env, NODE_PATH: '' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
