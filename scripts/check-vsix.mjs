#!/usr/bin/env node
// Checks a per-platform VSIX without installing it: unzips it, then verifies from the files
// themselves (not their names) that
//   - every native file (.node, .so*, .dylib, .dll, or anything with an ELF/Mach-O/PE header) is
//     the target's format and CPU architecture, and every library it imports is in the VSIX where
//     the loader looks, or is the operating system's;
//   - the extension's bundles, webview assets and model are there;
//   - nothing else is (no other platform's binaries, tests, training code, experiment logs,
//     source maps: scripts/lib/vsix-rules.mjs).
// When the target is this machine's platform it also loads sharp and onnxruntime-node from the
// unpacked copy and opens every shipped model, as the extension host will.
//
// Usage: node scripts/check-vsix.mjs FILE.vsix... [--target T] [--no-load] [--quiet]
// The target is read from the VSIX's manifest (TargetPlatform); --target insists on one.
import { resolve } from 'node:path';
import { checkVsix, reportCheck } from './lib/vsix-check.mjs';

const args = process.argv.slice(2);
const target = args.includes('--target') ? args[args.indexOf('--target') + 1] : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--target');
if (files.length === 0) {
  console.error('usage: node scripts/check-vsix.mjs FILE.vsix... [--target T] [--no-load] [--quiet]');
  process.exit(2);
}
let ok = true;
for (const f of files) {
  try {
    const result = checkVsix(resolve(f), { target, load: args.includes('--no-load') ? false : undefined });
    ok = reportCheck(resolve(f), result, { quiet: args.includes('--quiet') }) && ok;
  } catch (e) {
    console.error(`[check-vsix] ${f}: ${e.message}`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
