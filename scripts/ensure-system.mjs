#!/usr/bin/env node
// Installs the Debian packages a need takes (scripts/lib/system-packages.mjs) when missing:
//   node scripts/ensure-system.mjs [codeServer|browser|tools ...]   (no argument: all of them)
// As root it runs apt-get; otherwise it prints the one command to run and exits 1.
import { ALL_SYSTEM_PACKAGES, SYSTEM_PACKAGES, ensureSystemPackages } from './lib/system-packages.mjs';

const needs = process.argv.slice(2);
for (const n of needs) {
  if (!(n in SYSTEM_PACKAGES)) {
    console.error(`usage: node scripts/ensure-system.mjs [${Object.keys(SYSTEM_PACKAGES).join('|')} ...]`);
    process.exit(2);
  }
}
const names = needs.length ? [...new Set(needs.flatMap((n) => SYSTEM_PACKAGES[n]))] : ALL_SYSTEM_PACKAGES;
try {
  const installed = ensureSystemPackages(names, needs.length ? needs.join(' + ') : 'EdgeFlow development');
  console.log(installed.length ? `installed: ${installed.join(' ')}` : `all ${names.length} Debian packages already installed`);
} catch (e) {
  console.error(`[system] ${e.message}`);
  process.exit(1);
}
