#!/usr/bin/env node
// Runs the extension-host suite (test/e2e/suite) inside a real VS Code: code-server serves the
// workbench with VS Code's own test parameters (extensionDevelopmentPath + extensionTestsPath, as
// the `?payload=` query), headless Chromium opens it, the remote extension host loads this
// repository as the development extension and calls the suite's run(), and the page reports the
// outcome through window.codeAutomationExit, which we expose. Exits with the suite's code.
//
// Usage: node test/e2e/run-host-suite.mjs [--grep PATTERN] [--keep] [--extension DIR]
// Env: EDGEFLOW_E2E_TIMEOUT (ms, default 180000).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { format } from 'node:util';
import { ROOT, launchBrowser, startCodeServer } from './lib/codeServer.mjs';
import { makeWorkspace } from './lib/fixtures.mjs';

const args = process.argv.slice(2);
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : '';
const keep = args.includes('--keep');
// --extension DIR: load another folder as the development extension (to test this harness itself).
const extensionPath = args.includes('--extension') ? args[args.indexOf('--extension') + 1] : ROOT;
const timeoutMs = Number(process.env.EDGEFLOW_E2E_TIMEOUT ?? 180000);
const t0 = Date.now();
const say = (msg) => console.log(`[host-suite +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

async function compileSuite() {
  const srcDir = join(ROOT, 'test/e2e/suite');
  const outDir = join(ROOT, 'test/e2e/out/suite');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: readdirSync(srcDir).filter((f) => f.endsWith('.ts')).map((f) => join(srcDir, f)),
    outdir: outDir,
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outDir, 'index');
}

function ensureExtensionBuilt() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const main = manifest.main && join(ROOT, manifest.main);
  if (main && existsSync(main)) return;
  say('extension not built yet: npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

async function main() {
  if (extensionPath === ROOT) ensureExtensionBuilt();
  const suiteIndex = await compileSuite();
  const workspace = await makeWorkspace('edgeflow-host-');
  const resultsFile = join(workspace, '..', `edgeflow-suite-results-${process.pid}.json`);
  rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    workspace,
    keep,
    env: {
      EDGEFLOW_SUITE_RESULTS: resultsFile,
      EDGEFLOW_SUITE_GREP: grep,
    },
  });
  say(`code-server ${server.url} (pid ${server.pid}, log ${server.logFile})`);
  const remote = (p) => `vscode-remote://${server.host}:${server.port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(suiteIndex)],
  ]);
  const browser = await launchBrowser();
  let code = 1;
  try {
    let resolveExit;
    const exit = new Promise((resolve) => { resolveExit = resolve; });
    await browser.page.exposeFunction('codeAutomationExit', (c) => resolveExit(Number(c)));
    await browser.page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      const text = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
      // The workbench's own start-up chatter; the suite's output and any error still come through.
      if (type !== 'error' && /^(Ignoring fetching additional builtin extensions|Resolv(ing|ed) connection token|Creating a socket|\[Service Worker\]|ChatSessionStore|Updating additional builtin extensions cache|Creation of workbench contribution)/.test(text)) return;
      for (const line of text.replace(/\n$/, '').split('\n')) console.log(type === 'error' ? `  ! ${line}` : line);
    });
    browser.page.on('pageerror', (error) => console.log(`[host-suite] page error: ${error.message}`));
    say('opening the workbench');
    await browser.page.goto(server.workbenchUrl(workspace, { payload }));
    say('workbench loaded');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const outcome = await Promise.race([exit, timeout]);
    if (outcome === 'timeout') {
      say(`no result within ${timeoutMs} ms`);
      await browser.page.screenshot({ path: join(ROOT, 'test-results', 'host-suite-timeout.png') }).catch(() => {});
      code = 1;
    } else {
      code = outcome;
    }
  } finally {
    say(`suite ended (exit ${code}); stopping`);
    if (code !== 0 && existsSync(server.logFile)) {
      const tail = readFileSync(server.logFile, 'utf8').trimEnd().split('\n').slice(-30);
      say(`last lines of the code-server log:\n${tail.map((l) => `  | ${l}`).join('\n')}`);
    }
    await browser.close();
    await server.stop();
    if (!keep) rmSync(workspace, { recursive: true, force: true });
  }
  let results = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(resultsFile)) {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    rmSync(resultsFile, { force: true });
  } else {
    say('the suite wrote no results (it did not run, or crashed before the end)');
    if (code === 0) code = 1;
  }
  // A failing exit with no failing test (a crash, a timeout) still counts as one failure.
  if (code !== 0 && results.failed === 0) results.failed = 1;
  // One machine-readable line for test/run-all.mjs.
  console.log(`##edgeflow-results ${JSON.stringify(results)}`);
  say(code === 0 ? 'passed' : `failed (exit ${code})`);
  process.exitCode = code;
}

mkdirSync(join(ROOT, 'test-results'), { recursive: true });
main().catch((error) => {
  console.error(`[host-suite] ${error.stack ?? error}`);
  console.log(`##edgeflow-results ${JSON.stringify({ passed: 0, failed: 1, skipped: 0 })}`);
  process.exitCode = 1;
});
