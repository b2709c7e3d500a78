// The per-platform VSIX check (scripts/check-vsix.mjs is its command line; scripts/package.mjs
// and scripts/package-all.mjs run it on every VSIX they build). See check-vsix.mjs for what it checks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { identifyNative, isNativeName, nativeDependencies, parseTarget } from './native-binary.mjs';
import { disallowedReason, requiredFiles, resolveNeeded } from './vsix-rules.mjs';

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The folder's files as posix paths relative to it. */
function listFiles(dir) {
  return walk(dir).map((p) => relative(dir, p).split(sep).join('/'));
}

/** Whether this machine can load the target's binaries (glibc Linux, macOS or Windows of the same arch). */
export function isHostTarget(target) {
  const { os, arch } = parseTarget(target);
  if (os !== process.platform || arch !== process.arch) return false;
  // sharp's linux-* packages are for glibc; a musl host would need linuxmusl-*.
  return os !== 'linux' || Boolean(process.report?.getReport?.().header?.glibcVersionRuntime);
}

/** The load check: sharp converts an image, onnxruntime-node opens every shipped model. */
function loadCheck(ext) {
  const script = `
    const assert = require('node:assert');
    const fs = require('node:fs');
    const path = require('node:path');
    const ext = ${JSON.stringify(ext)};
    const sharp = require(path.join(ext, 'node_modules/sharp'));
    const ort = require(path.join(ext, 'node_modules/onnxruntime-node'));
    (async () => {
      const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } }).png().toBuffer();
      assert.equal((await sharp(png).metadata()).width, 4);
      const t = new ort.Tensor('float32', new Float32Array(6), [1, 2, 3]);
      assert.deepEqual(t.dims, [1, 2, 3]);
      const models = fs.readdirSync(path.join(ext, 'models')).filter((f) => f.endsWith('.onnx'));
      const opened = [];
      for (const m of models) {
        const s = await ort.InferenceSession.create(path.join(ext, 'models', m));
        opened.push(m + ' (' + s.inputNames.join(',') + ' -> ' + s.outputNames.join(',') + ')');
        await s.release();
      }
      console.log('sharp ' + sharp.versions.sharp + ' (libvips ' + sharp.versions.vips + ') converts an image; onnxruntime-node opens ' + opened.join(', '));
    })().catch((e) => { console.error(e.stack || e); process.exit(1); });
  `;
  // A clean module path from a neutral folder: the unpacked VSIX must not borrow from the
  // repository's node_modules.
  const r = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), env: { ...process.env, NODE_PATH: '' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loading the native modules from the VSIX failed:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Checks one VSIX. Returns { target, files, natives, notes, problems, load }; `problems` is empty
 * when it passes. Options: target (insist on it), load (true/false; default: when the target is
 * this machine's).
 */
export function checkVsix(vsix, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'edgeflow-vsix-check-'));
  const problems = [];
  const notes = [];
  try {
    const unzip = spawnSync('unzip', ['-q', '-o', vsix, '-d', dir], { encoding: 'utf8' });
    if (unzip.error) throw new Error(`unzip is needed to check a VSIX (${unzip.error.message})`);
    if (unzip.status !== 0) throw new Error(`unzip ${vsix} failed: ${unzip.stderr}`);
    const vsixManifest = readFileSync(join(dir, 'extension.vsixmanifest'), 'utf8');
    const declared = /TargetPlatform="([^"]+)"/.exec(vsixManifest)?.[1];
    const target = options.target ?? declared;
    if (!target) throw new Error(`${vsix}: the manifest names no TargetPlatform; pass --target`);
    if (declared !== target) problems.push(`manifest TargetPlatform is ${declared ?? 'absent'}, expected ${target}`);
    const { format, arch } = parseTarget(target);

    for (const f of listFiles(dir)) {
      if (!f.startsWith('extension/') && f !== 'extension.vsixmanifest' && f !== '[Content_Types].xml') problems.push(`${f}: outside extension/`);
    }
    const ext = join(dir, 'extension');
    const files = listFiles(ext).sort();
    const fileSet = new Set(files);
    const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));

    for (const f of files) {
      const why = disallowedReason(f, target, { icon: manifest.icon });
      if (why) problems.push(`${f}: should not ship (${why})`);
    }
    for (const f of requiredFiles(target, manifest)) if (!fileSet.has(f)) problems.push(`${f}: missing`);
    if (!files.some((f) => /^models\/[^/]+\.onnx$/.test(f))) problems.push('models/*.onnx: no model');

    const natives = [];
    const imported = new Set();
    for (const f of files) {
      const buf = readFileSync(join(ext, f));
      let id;
      try {
        id = identifyNative(buf);
      } catch (e) {
        problems.push(`${f}: ${e.message}`);
        continue;
      }
      if (!id) {
        if (isNativeName(f)) problems.push(`${f}: named like a native file but has no ELF, Mach-O or PE header`);
        continue;
      }
      if (!isNativeName(f)) notes.push(`${f}: a ${id.format} binary without a native file name`);
      const label = `${id.format} ${id.archs.join('+')}${id.bits ? ` ${id.bits}-bit` : ''} ${id.kind}`;
      natives.push({ path: f, label, size: buf.length });
      if (id.format !== format) problems.push(`${f}: ${id.format}, expected ${format} for ${target}`);
      else if (!id.archs.includes(arch)) problems.push(`${f}: ${id.archs.join('+')}, expected ${arch} for ${target}`);
      else {
        try {
          const { needed, rpaths } = nativeDependencies(buf, arch);
          for (const name of needed) {
            const r = resolveNeeded(format, f, name, rpaths, fileSet);
            if (r.kind === 'bundled') imported.add(r.path);
            else if (r.kind === 'missing') problems.push(`${f}: loads ${name}, which is neither in the VSIX where the loader looks nor a system library`);
            else if (r.kind === 'vcruntime') notes.push(`${f} needs the Visual C++ runtime (${name}): not shipped, expected on the machine`);
          }
        } catch (e) {
          problems.push(`${f}: reading its imports failed: ${e.message}`);
        }
      }
    }
    if (natives.length === 0) problems.push('no native files at all');
    // Libraries nothing imports are loaded at run time by name (or never): worth knowing.
    const unreferenced = natives.filter((n) => !n.path.endsWith('.node') && !imported.has(n.path)).map((n) => n.path.split('/').pop());
    if (unreferenced.length) notes.push(`not imported by any shipped binary (loaded at run time by name, if at all): ${unreferenced.join(', ')}`);

    let load = null;
    const wantLoad = options.load ?? isHostTarget(target);
    if (wantLoad && problems.length === 0) {
      try {
        load = loadCheck(ext);
      } catch (e) {
        problems.push(e.message);
      }
    }
    // Collapse repeated notes (one per DLL) into one line each.
    return { target, files, natives, notes: [...new Set(notes.map((n) => n.replace(/^.* needs the Visual C\+\+ runtime \(.*\): /, 'needs the Visual C++ runtime (msvcp140/vcruntime140): ')))], problems, load };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints one VSIX's result; returns whether it passed. */
export function reportCheck(vsix, result, { quiet = false } = {}) {
  const name = vsix.split(/[\\/]/).pop();
  const mb = (statSync(vsix).size / 1e6).toFixed(1);
  const say = (s) => console.log(`[check-vsix] ${name}: ${s}`);
  if (!quiet) {
    for (const n of result.natives) say(`  ${n.path}: ${n.label}`);
    for (const n of result.notes) say(`  note: ${n}`);
  }
  if (result.load) say(`  load: ${result.load}`);
  if (result.problems.length) {
    for (const p of result.problems) say(`  FAIL ${p}`);
    say(`${result.problems.length} problem(s)`);
    return false;
  }
  say(`ok: ${result.target}, ${mb} MB, ${result.files.length} files, ${result.natives.length} native (${[...new Set(result.natives.map((n) => n.label))].join('; ')})${result.load ? ', loads here' : ', not loadable here'}`);
  return true;
}
