#!/usr/bin/env node
// `npm test`: every test suite of the project, one after the other, output streamed as it comes:
//   unit  plain mocha unit tests (npm run test:unit)
//   py    the model's Python tests (bash models/run_tests.sh; skipped with a message if absent)
//   build the development build the extension-host suite loads (npm run build)
//   ext   the extension-host suite in a real VS Code (npm run test:ext)
//   e2e   the UI end-to-end scenarios from the packaged VSIX (npm run test:e2e)
// Counts passes/failures/skips of each (from mocha's and pytest's summaries, or the
// `##edgeflow-results {...}` line our e2e launchers print), prints a summary table and ends with
// exactly one closing line `tests: N passed, N failed, N skipped`. Exits 1 if anything failed.
//
// Usage: node test/run-all.mjs [step ...] [--skip step,...]     e.g. `npm test -- unit ext`
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const STEPS = [
  { name: 'unit', title: 'unit tests (mocha)', cmd: [npm, 'run', '--silent', 'test:unit'] },
  {
    name: 'py',
    title: 'model tests (pytest)',
    cmd: [npm, 'run', '--silent', 'test:py'],
    skipIf: () => (existsSync(join(ROOT, 'models/run_tests.sh')) ? null : 'models/run_tests.sh is absent'),
  },
  { name: 'build', title: 'build', cmd: [npm, 'run', '--silent', 'build'], counts: false },
  { name: 'ext', title: 'extension-host suite (code-server)', cmd: [process.execPath, 'test/e2e/run-host-suite.mjs'] },
  { name: 'e2e', title: 'UI end to end (VSIX, code-server, Chromium)', cmd: [process.execPath, 'test/e2e/run-e2e.mjs'] },
];

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** Counts from a step's output: our marker line, else mocha's or pytest's summary. */
export function parseCounts(output) {
  const text = stripAnsi(output);
  const markers = [...text.matchAll(/^##edgeflow-results (\{.*\})\s*$/gm)];
  if (markers.length) {
    // One marker per launcher run; several (a script that runs more than one) add up.
    return markers.reduce(
      (acc, m) => {
        const r = JSON.parse(m[1]);
        return { passed: acc.passed + (r.passed ?? 0), failed: acc.failed + (r.failed ?? 0), skipped: acc.skipped + (r.skipped ?? 0), found: true };
      },
      { passed: 0, failed: 0, skipped: 0, found: true },
    );
  }
  // mocha (spec reporter): "  12 passing (3s)", "  2 pending", "  1 failing"; several runs add up.
  const mocha = (word) => [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  if (/^\s*\d+ passing\b/m.test(text) || /^\s*\d+ failing\b/m.test(text)) {
    return { passed: mocha('passing'), failed: mocha('failing'), skipped: mocha('pending'), found: true };
  }
  // pytest: "==== 10 passed, 1 skipped, 2 deselected in 3.21s ====", or with -q the same without
  // the rules; one such line per pytest run.
  const pytestLine = /^(?:=+ )?(?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|warnings?|deselected|rerun)(?:, )?)+ in [\d.]+s\b/;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => pytestLine.test(l));
  if (lines.length) {
    const counts = { passed: 0, failed: 0, skipped: 0, found: true };
    for (const line of lines) {
      for (const [, n, word] of line.matchAll(/(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)/g)) {
        if (word === 'passed' || word === 'xpassed') counts.passed += Number(n);
        else if (word === 'skipped' || word === 'xfailed') counts.skipped += Number(n);
        else counts.failed += Number(n);
      }
    }
    return counts;
  }
  return { passed: 0, failed: 0, skipped: 0, found: false };
}

function runStep(step) {
  return new Promise((resolveStep) => {
    const started = Date.now();
    let output = '';
    const child = spawn(step.cmd[0], step.cmd.slice(1), {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...(step.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (stream) => (chunk) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('error', (error) => {
      output += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      resolveStep({ code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const skipArg = args.includes('--skip') ? args[args.indexOf('--skip') + 1].split(',') : [];
  const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--skip');
  for (const name of [...only, ...skipArg]) {
    if (!STEPS.some((s) => s.name === name)) {
      console.error(`unknown step "${name}" (steps: ${STEPS.map((s) => s.name).join(', ')})`);
      process.exit(2);
    }
  }
  const rows = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  if (!existsSync(join(ROOT, 'node_modules/.package-lock.json'))) {
    // A fresh clone: `npm test` installs the dependencies first (never onnxruntime's CUDA download).
    console.log('\n=== setup: npm ci (no node_modules yet) ===');
    const setup = await runStep({ cmd: [npm, 'ci', '--no-audit', '--no-fund'], env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } });
    rows.push({ step: 'setup', result: setup.code === 0 ? 'ok (npm ci)' : `FAILED (npm ci, exit ${setup.code})`, seconds: setup.seconds });
    if (setup.code !== 0) total.failed += 1;
  }
  for (const step of STEPS) {
    if ((only.length && !only.includes(step.name)) || skipArg.includes(step.name)) continue;
    const skipReason = step.skipIf?.();
    console.log(`\n=== ${step.name}: ${step.title} ===`);
    if (skipReason) {
      console.log(`skipped: ${skipReason}`);
      rows.push({ step: step.name, result: `skipped (${skipReason})`, seconds: 0 });
      total.skipped += 1;
      continue;
    }
    console.log(`$ ${step.cmd.map((c) => (c === process.execPath ? 'node' : c)).join(' ')}`);
    const { code, output, seconds } = await runStep(step);
    if (step.counts === false) {
      const ok = code === 0;
      rows.push({ step: step.name, result: ok ? 'ok' : `FAILED (exit ${code})`, seconds });
      if (!ok) total.failed += 1;
      continue;
    }
    const counts = parseCounts(output);
    // A failing exit with no failing test counted (a crash, a compile error) still is a failure.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    if (!counts.found && code === 0) console.log(`warning: no test counts found in the output of ${step.name}`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    rows.push({
      step: step.name,
      result: `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${code !== 0 ? ` (exit ${code})` : ''}`,
      seconds,
    });
  }
  console.log('\n=== summary ===');
  for (const r of rows) console.log(`${r.step.padEnd(6)} ${r.result.padEnd(52)} ${r.seconds.toFixed(1).padStart(7)} s`);
  const perf = join(ROOT, 'test-results/e2e/perf.json');
  if (rows.some((r) => r.step === 'e2e') && existsSync(perf)) {
    // Printed, not asserted (see test/e2e/ui/perf.test.mjs).
    const p = JSON.parse(readFileSync(perf, 'utf8'));
    const f = (r) => (r ? `avg ${r.avgMs ?? r.avgFrameMs} ms, p95 ${r.p95Ms ?? r.p95FrameMs} ms, max ${r.maxMs ?? r.maxFrameMs} ms` : 'n/a');
    console.log(`perf (${p.image}, ${p.polygons} polygons; frame intervals): wheel zoom ${f(p.wheelZoom?.raf)}; middle-drag pan ${f(p.middlePan?.raf)}; animated benchmark ${f(p.benchmark)}`);
  }
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    console.log('tests: 0 passed, 1 failed, 0 skipped');
    process.exitCode = 1;
  });
}
