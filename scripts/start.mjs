#!/usr/bin/env node
// `npm run start`: run the annotator on the samples/ folder, on a fresh machine too.
//  1. installs the npm dependencies if node_modules is missing (npm ci, ONNXRUNTIME_NODE_INSTALL=skip)
//  2. with desktop VS Code (`code` on PATH): builds, then opens
//     `code --extensionDevelopmentPath=<repo> <repo>/samples`
//  3. without it: installs code-server into .tools/ (scripts/install-code-server.sh), packages the
//     VSIX, installs it into a profile kept in .tools/start-profile, and serves VS Code on
//     http://127.0.0.1:<port>/ (printed) until Ctrl+C. Images open in the annotator there.
//
// Usage: node scripts/start.mjs [--port N] [--folder DIR] [--code-server] [--check] [--profile DIR]
//   --code-server  use code-server even when `code` is on PATH
//   --check        start, verify that the workbench answers, stop (a smoke test; exit code says)
//   --profile DIR  code-server profile folder (default .tools/start-profile, kept between runs)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { ROOT, ensureCodeServer, freePort, startCodeServer } from '../test/e2e/lib/codeServer.mjs';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const folder = resolve(opt('--folder') ?? join(ROOT, 'samples'));
const check = args.includes('--check');
const say = (msg) => console.log(`[start] ${msg}`);

function run(cmd, cmdArgs, env = {}) {
  say(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`[start] ${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status || 1);
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return realpathSync(join(dir, name));
  }
  return null;
}

/** Desktop VS Code's CLI (not code-server's remote `code` shim, which cannot load a dev extension). */
function desktopCode() {
  if (args.includes('--code-server')) return null;
  for (const name of ['code', 'code-insiders']) {
    const path = onPath(name);
    if (!path || /remote-cli|code-server/.test(path)) continue;
    const r = spawnSync(name, ['--version'], { encoding: 'utf8', timeout: 20000 });
    if (r.status === 0 && /^\d+\.\d+\.\d+/.test(r.stdout)) return name;
  }
  return null;
}

async function main() {
  if (!existsSync(folder)) throw new Error(`no folder ${folder}`);
  if (!existsSync(join(ROOT, 'node_modules/.package-lock.json'))) {
    run('npm', ['ci', '--no-audit', '--no-fund'], { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  }

  const code = desktopCode();
  if (code) {
    run('npm', ['run', 'build']);
    say(`opening ${folder} in VS Code with the extension loaded from ${ROOT}`);
    say('open an image, or right-click it > "Open With..." > EdgeFlow Annotator');
    if (check) return;
    const child = spawn(code, [`--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit', detached: true });
    child.unref();
    return;
  }

  say('no desktop VS Code (`code`) on PATH: serving VS Code in the browser with code-server');
  const entry = ensureCodeServer();
  // EDGEFLOW_VSIX: serve that VSIX instead of packaging one (the e2e test of this script uses it).
  if (!process.env.EDGEFLOW_VSIX) run(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--skip-check']);
  const base = resolve(opt('--profile') ?? join(ROOT, '.tools/start-profile'));
  mkdirSync(base, { recursive: true });
  const wanted = Number(opt('--port') ?? 8080);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const { vsixPath } = await import('../test/e2e/lib/session.mjs');
  const server = await startCodeServer({
    entry,
    base,
    port,
    workspace: folder,
    vsix: vsixPath(),
    preserveSettings: true,
    settings: {
      'workbench.editorAssociations': Object.fromEntries(
        ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff'].map((e) => [`*.${e}`, 'edgeflow.annotator']),
      ),
    },
  });
  const url = server.workbenchUrl(folder);
  if (check) {
    const response = await fetch(url);
    await server.stop();
    if (!response.ok) throw new Error(`the workbench answered ${response.status}`);
    say(`check passed: ${url} answered ${response.status}`);
    return;
  }
  console.log('');
  console.log(`  EdgeFlow Annotator is running in VS Code (code-server, bound to 127.0.0.1 only):`);
  console.log(`  ${url}`);
  console.log('');
  say('open that URL in a browser; images in the Explorer open in the annotator. Ctrl+C stops it.');
  say(`server log: ${server.logFile}`);
  const died = (c) => {
    console.error(`[start] code-server exited (${c}); see ${server.logFile}`);
    process.exit(1);
  };
  const stop = async () => {
    say('stopping');
    server.child.removeListener('exit', died);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', died);
}

async function portFree(port) {
  const { createServer } = await import('node:net');
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

main().catch((error) => {
  console.error(`[start] ${error.message ?? error}`);
  process.exit(1);
});
