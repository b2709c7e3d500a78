#!/usr/bin/env node
// `npm run package:all`: one VSIX per platform ONNX Runtime ships binaries for, each with only
// that platform's native files, in dist/edgeflow-annotator-<target>-<version>.vsix.
//
// vsce collects the dependencies to ship with `npm list --production` in the folder it packages,
// so only installed packages can ship, and npm installs sharp's binaries for this machine only.
// Each target is therefore packaged from a staging copy of the project
// (.artifacts/package-all/stage-<target>): the tracked files and the production build, plus a
// node_modules assembled for the target:
//   - the production dependencies from node_modules, without sharp's platform packages and with
//     onnxruntime-node's bin/ holding the target's folder only;
//   - the target's @img/sharp-<target> and @img/sharp-libvips-<target> (none on win32, where
//     @img/sharp-win32-* carries the DLLs), at the versions the installed sharp pins in its
//     optionalDependencies: the installed copy if it is this machine's, else `npm pack`'s tarball
//     (cached in .artifacts/platform-packages), checked against package-lock.json's integrity.
// vsce then packages with a per-target ignore file derived from .vscodeignore
// (scripts/lib/vsix-rules.mjs), and every VSIX is checked by scripts/check-vsix.mjs and must stay
// under 60 MB.
//
// Usage: node scripts/package-all.mjs [--targets linux-x64,win32-x64] [--skip-build] [--keep-stage]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkVsix, reportCheck } from './lib/vsix-check.mjs';
import { parseTarget } from './lib/native-binary.mjs';
import { MAX_VSIX_BYTES, TARGETS, VSCE_PACKAGE_FLAGS, targetIgnoreFile, vsixName } from './lib/vsix-rules.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, '.artifacts/package-all');
const CACHE = join(ROOT, '.artifacts/platform-packages');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = process.argv.slice(2);
const targets = args.includes('--targets') ? args[args.indexOf('--targets') + 1].split(',') : TARGETS;
for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (targets: ${TARGETS.join(', ')})`);
const say = (msg) => console.log(`[package:all] ${msg}`);

function run(cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
  return r;
}

function output(cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
// sharp's "exports" hide its package.json from require(); read the file.
const sharpPkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/sharp/package.json'), 'utf8'));
const platformPackages = new Set(Object.keys(sharpPkg.optionalDependencies ?? {}));

/** The target's sharp packages with the versions the installed sharp pins. */
function sharpPackagesFor(target) {
  const names = [`@img/sharp-${target}`, `@img/sharp-libvips-${target}`].filter((n) => platformPackages.has(n));
  if (!names.includes(`@img/sharp-${target}`)) throw new Error(`sharp ${sharpPkg.version} has no @img/sharp-${target}`);
  return names.map((name) => ({ name, version: sharpPkg.optionalDependencies[name] }));
}

/** Verifies a tarball against package-lock.json's entry for the package (version and integrity). */
function verifyTarball(file, { name, version }) {
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry) throw new Error(`package-lock.json has no entry for ${name}: run npm install to record it`);
  if (entry.version !== version) throw new Error(`package-lock.json pins ${name}@${entry.version}, sharp ${sharpPkg.version} wants ${version}`);
  const [algo, expected] = entry.integrity.split('-', 2);
  const actual = createHash(algo).update(readFileSync(file)).digest('base64');
  if (actual !== expected) {
    rmSync(file, { force: true });
    throw new Error(`${relative(ROOT, file)} does not match package-lock.json's integrity for ${name}@${version} (removed; run again to fetch it anew)`);
  }
}

/** The folder holding `pkg` for the target: the installed copy if it is the same version, else the unpacked registry tarball. */
function platformPackageDir(pkg) {
  const installed = join(ROOT, 'node_modules', pkg.name);
  if (existsSync(join(installed, 'package.json')) && JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version === pkg.version) {
    return installed;
  }
  mkdirSync(CACHE, { recursive: true });
  const tgz = join(CACHE, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
  if (!existsSync(tgz)) {
    say(`fetching ${pkg.name}@${pkg.version} (npm pack)`);
    run(npm, ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', CACHE, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  verifyTarball(tgz, pkg);
  const dir = join(CACHE, 'unpacked', `${pkg.name.replace('/', '+')}@${pkg.version}`);
  if (!existsSync(join(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1']);
  }
  return dir;
}

/** Production dependency folders, relative to ROOT (node_modules/...), as vsce will list them. */
function productionDependencies() {
  const out = output(npm, ['list', '--production', '--parseable', '--depth=99999', '--loglevel=error']);
  const rootReal = resolve(ROOT);
  return out
    .split(/\r?\n/)
    .filter((l) => l && resolve(l) !== rootReal)
    .map((l) => relative(rootReal, resolve(l)).split(sep).join('/'))
    .filter((rel) => rel.startsWith('node_modules/'));
}

/** The files a clean clone has (tracked, or new and not ignored) plus the production build in dist/. */
function projectFiles() {
  const listed = output('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((f) => f && !/^(node_modules|\.tools|\.artifacts)(\/|$)/.test(f) && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  const built = [];
  const walk = (dir) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (!rel.endsWith('.vsix')) built.push(rel);
    }
  };
  if (existsSync(join(ROOT, 'dist'))) walk('dist');
  return [...new Set([...listed, ...built])];
}

/** Assembles the staging copy for `target`; returns its folder. */
function stage(target, files, deps) {
  const { os, arch } = parseTarget(target);
  const dir = join(WORK, `stage-${target}`);
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  const keepBin = `bin/napi-v6/${os}/${arch}`;
  for (const rel of deps) {
    const name = rel.replace(/^.*node_modules\//, '');
    if (platformPackages.has(name)) continue;
    const src = join(ROOT, rel);
    cpSync(src, join(dir, rel), {
      recursive: true,
      dereference: true,
      filter: (p) => {
        const inner = relative(src, p).split(sep).join('/');
        if (inner.startsWith('node_modules')) return false; // nested packages are listed (and copied) on their own
        if (name === 'onnxruntime-node' && inner.startsWith('bin/napi-v6/')) {
          if (!(keepBin.startsWith(inner) || inner.startsWith(`${keepBin}/`))) return false;
          // libonnxruntime.1.30.0.dylib is a byte-identical copy of libonnxruntime.1.dylib (a
          // symlink upstream; npm tarballs hold none): the binding loads @rpath/libonnxruntime.1.dylib
          // and check-vsix proves nothing loads the other.
          if (/\/libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(inner)) return false;
        }
        return true;
      },
    });
  }
  for (const pkg of sharpPackagesFor(target)) {
    cpSync(platformPackageDir(pkg), join(dir, 'node_modules', pkg.name), { recursive: true, dereference: true });
  }
  return dir;
}

function main() {
  const started = Date.now();
  if (!args.includes('--skip-build')) run(process.execPath, [join(ROOT, 'esbuild.mjs'), '--production']);
  if (!existsSync(join(ROOT, manifest.main))) throw new Error(`${manifest.main} is missing: build first (or drop --skip-build)`);
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  mkdirSync(WORK, { recursive: true });
  const files = projectFiles();
  const deps = productionDependencies();
  const base = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
  const vsce = join(ROOT, 'node_modules/@vscode/vsce/vsce');
  const rows = [];
  for (const target of targets) {
    const t0 = Date.now();
    const out = join(ROOT, 'dist', vsixName(manifest, target));
    const row = { target, file: relative(ROOT, out), size: 0, result: 'FAILED', seconds: 0 };
    rows.push(row);
    try {
      say(`${target}: staging`);
      const dir = stage(target, files, deps);
      const hasLibvips = platformPackages.has(`@img/sharp-libvips-${target}`);
      const ignoreFile = join(WORK, `${target}.vscodeignore`);
      writeFileSync(ignoreFile, targetIgnoreFile(base, target, { hasLibvipsPackage: hasLibvips }));
      rmSync(out, { force: true });
      say(`${target}: vsce package`);
      run(process.execPath, [vsce, 'package', '--target', target, '--out', out, '--ignoreFile', ignoreFile, ...VSCE_PACKAGE_FLAGS], { cwd: dir });
      row.size = statSync(out).size;
      const sizeOk = row.size < MAX_VSIX_BYTES;
      if (!sizeOk) console.error(`[package:all] ${row.file}: ${(row.size / 1e6).toFixed(1)} MB, over the ${MAX_VSIX_BYTES / 1e6} MB limit`);
      const checked = reportCheck(out, checkVsix(out, { target }), { quiet: true });
      row.result = sizeOk && checked ? 'ok' : !sizeOk ? 'FAILED (size)' : 'FAILED (check)';
      if (row.result === 'ok' && !args.includes('--keep-stage')) rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      console.error(`[package:all] ${target}: ${e.message}`);
      row.result = `FAILED (${e.message.split('\n')[0].slice(0, 60)})`;
    }
    row.seconds = (Date.now() - t0) / 1000;
  }
  console.log('\n[package:all] summary');
  for (const r of rows) {
    console.log(`  ${r.file.padEnd(Math.max(...rows.map((x) => x.file.length)))} ${`${(r.size / 1e6).toFixed(1)} MB`.padStart(8)}  ${r.result.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s`);
  }
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s; limit ${MAX_VSIX_BYTES / 1e6} MB per VSIX`);
  if (rows.some((r) => r.result !== 'ok')) process.exitCode = 1;
}

try {
  main();
} catch (e) {
  console.error(`[package:all] ${e.stack ?? e}`);
  process.exitCode = 1;
}
