#!/usr/bin/env node
// UI end-to-end tests (`npm run test:e2e`): packages the VSIX (npm run package, with the webview's
// test hooks: EDGEFLOW_TEST_HOOKS=1), installs code-server into .tools/ if needed, then runs the
// Playwright scenarios in test/e2e/ui/ with mocha.
// Screenshots land in test-results/e2e/.
//
// Usage: node test/e2e/run-e2e.mjs [--skip-package] [--grep PATTERN] [file.test.mjs ...]
// Env: EDGEFLOW_VSIX (use this VSIX, skips packaging; it needs the test hooks too),
// EDGEFLOW_KEEP=1 (keep temp workspaces).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import { ROOT, ensureCodeServer } from './lib/codeServer.mjs';

const args = process.argv.slice(2);
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
const files = args.filter((a, i) => a.endsWith('.mjs') && args[i - 1] !== '--grep').map((f) => resolve(f));
const say = (msg) => console.log(`[e2e] ${msg}`);

function results(passed, failed, skipped) {
  console.log(`##edgeflow-results ${JSON.stringify({ passed, failed, skipped })}`);
}

async function main() {
  // No stale numbers: perf.json is rewritten by this run's perf scenario or not at all.
  rmSync(join(ROOT, 'test-results/e2e/perf.json'), { force: true });
  ensureCodeServer();
  if (!process.env.EDGEFLOW_VSIX && !args.includes('--skip-package')) {
    say('packaging the VSIX with the test hooks (EDGEFLOW_TEST_HOOKS=1 npm run package)');
    // The scenarios drive the editor through window.__edgeflowDebug (README-hooks.md), which a
    // production build leaves out unless asked.
    const env = { ...process.env, EDGEFLOW_TEST_HOOKS: '1' };
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: 'inherit', env });
    if (r.status !== 0) throw new Error('npm run package failed');
  }
  const dir = join(ROOT, 'test/e2e/ui');
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 60000, grep, color: !process.env.CI && process.stdout.isTTY });
  const list = files.length ? files : readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f));
  for (const f of list) {
    if (!existsSync(f)) throw new Error(`no such test file: ${f}`);
    mocha.addFile(f);
  }
  await mocha.loadFilesAsync();
  const runner = mocha.run((failures) => {
    const s = runner.stats ?? {};
    results(s.passes ?? 0, s.failures ?? failures, s.pending ?? 0);
    process.exitCode = failures > 0 ? 1 : 0;
  });
}

main().catch((error) => {
  console.error(`[e2e] ${error.stack ?? error}`);
  results(0, 1, 0);
  process.exitCode = 1;
});
