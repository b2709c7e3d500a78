// Starts an isolated code-server (the real VS Code workbench, served to a browser) for the e2e
// tests and `npm run start`: its own user-data, extensions and XDG folders, bound to loopback on a
// free port, no auth, no gallery, no telemetry. See ../README.md for how the pieces fit together.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PACKAGES, ensureSystemPackages } from '../../../scripts/lib/system-packages.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** User settings every test workbench starts with: quiet, no update checks, no welcome page. */
export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'workbench.editor.restoreViewState': false,
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
};

/**
 * Installs code-server into .tools/ if needed (idempotent, see scripts/install-code-server.sh) and
 * returns the path of its entry script.
 */
export function ensureCodeServer({ quiet = false } = {}) {
  // An install is due: the Debian packages it builds with first (installed as root, else the
  // error names the one command to run).
  const check = spawnSync('bash', [join(ROOT, 'scripts/install-code-server.sh'), '--check'], { cwd: ROOT, stdio: 'ignore' });
  if (check.status !== 0) ensureSystemPackages(SYSTEM_PACKAGES.codeServer, 'installing code-server');
  const result = spawnSync('bash', [join(ROOT, 'scripts/install-code-server.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`installing code-server failed (exit ${result.status})${quiet ? `\n${result.stderr}` : ''}`);
  }
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1];
}

let signalsHooked = false;
/** Ctrl+C or a kill of the test process still ends every code-server it started (via 'exit'). */
function stopOnSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Leave the signal to a handler of the caller's own (npm run start stops gracefully).
    process.once(signal, () => {
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function isolatedEnv(base, extra) {
  const env = { ...process.env };
  // A code-server started from inside another VS Code must not talk to that one.
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return {
    ...env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
    XDG_CACHE_HOME: join(base, 'xdg-cache'),
    ...extra,
  };
}

/**
 * Installs a VSIX into the given profile (same --user-data-dir/--extensions-dir the server uses).
 */
export function installVsix(entry, { userDataDir, extensionsDir, base }, vsix) {
  const result = spawnSync(
    process.execPath,
    [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8', env: isolatedEnv(base, {}) },
  );
  if (result.status !== 0 || !/successfully installed/i.test(result.stdout + result.stderr)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
      lastError = new Error(`healthz answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`code-server did not become healthy within ${timeoutMs} ms: ${lastError?.message}`);
}

/**
 * Starts code-server. Options:
 *  - workspace: folder to open by default (the URL's ?folder=)
 *  - vsix: a VSIX to install first
 *  - settings: user settings merged over BASE_SETTINGS (preserveSettings: keep an existing file)
 *  - base: folder for profile/logs (a fresh temp folder by default, removed on stop unless keep)
 *  - port: defaults to a free one; env: extra environment for the server and its extension host
 *  - logFile: where server output goes (default <base>/code-server.log)
 *  - workspaceTrust: keep Workspace Trust enabled (default: disabled, every folder trusted)
 * Returns { url, port, base, userDataDir, extensionsDir, workbenchUrl(folder, query), stop() }.
 */
export async function startCodeServer(options = {}) {
  const entry = options.entry ?? ensureCodeServer({ quiet: true });
  const base = options.base ?? mkdtempSync(join(tmpdir(), 'edgeflow-cs-'));
  const profile = {
    base,
    userDataDir: join(base, 'user-data'),
    extensionsDir: join(base, 'extensions'),
  };
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  mkdirSync(profile.extensionsDir, { recursive: true });
  const settingsFile = join(profile.userDataDir, 'User', 'settings.json');
  // A kept profile (npm run start) keeps what the user changed in its settings.
  if (!options.preserveSettings || !existsSync(settingsFile)) {
    writeFileSync(settingsFile, JSON.stringify({ ...BASE_SETTINGS, ...(options.settings ?? {}) }, null, 2));
  }
  const configFile = join(base, 'config.yaml');
  writeFileSync(configFile, '');
  if (options.vsix) installVsix(entry, profile, options.vsix);

  const port = options.port ?? (await freePort());
  const host = options.host ?? '127.0.0.1';
  const args = [
    entry,
    '--config', configFile,
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    // workspaceTrust: true leaves Workspace Trust on (a test of Restricted Mode; set the
    // security.workspace.trust.* user settings too).
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    ...(options.extraArgs ?? []),
  ];
  if (options.workspace) args.push(options.workspace);
  const logFile = options.logFile ?? join(base, 'code-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, args, {
    env: isolatedEnv(base, options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() ends the extension host and its children too
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  if (options.echo) {
    child.stdout.pipe(process.stderr);
    child.stderr.pipe(process.stderr);
  }
  const url = `http://${host}:${port}`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killSync);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    if (!options.keep && !options.base) rmSync(base, { recursive: true, force: true });
  };
  const killSync = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killSync);
  stopOnSignals();

  try {
    await waitForHealth(url, child, options.startTimeoutMs ?? 30000);
  } catch (error) {
    await stop();
    throw error;
  }

  /** Workbench URL for a folder, with an optional extra query (e.g. test payload). */
  const workbenchUrl = (folder = options.workspace, query = {}) => {
    const params = new URLSearchParams();
    if (folder) params.set('folder', folder);
    for (const [key, value] of Object.entries(query)) params.set(key, value);
    return `${url}/?${params.toString()}`;
  };

  return { url, port, host, pid: child.pid, logFile, ...profile, workbenchUrl, stop, child };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium (Debian's) through playwright-core with a throwaway profile.
 * Returns { context, page, close() }.
 */
export async function launchBrowser({ viewport = { width: 1400, height: 900 }, headless = true } = {}) {
  if (!existsSync(CHROMIUM) && !process.env.CHROMIUM_PATH) ensureSystemPackages(SYSTEM_PACKAGES.browser, 'the UI tests (headless Chromium)');
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  const { chromium } = await import('playwright-core');
  const profileDir = mkdtempSync(join(tmpdir(), 'edgeflow-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless,
    viewport,
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--disable-features=Translate,MediaRouter',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profileDir, { recursive: true, force: true });
  };
  return { context, page, close };
}
