// The Debian packages the two commands of a fresh machine need (README: `npm run start`,
// `npm test`), checked with dpkg and installed with apt-get when this process may (root), or
// named in one command to run otherwise. One list for .ci/run, the start script and the tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What each need takes. */
export const SYSTEM_PACKAGES = {
  // code-server's native modules (kerberos, node-pty, argon2) build from source; its ripgrep
  // comes from Debian (the npm package's download is not reachable everywhere).
  codeServer: ['build-essential', 'python3', 'pkg-config', 'libkrb5-dev', 'ripgrep'],
  // The UI tests' headless browser and a font for its screenshots.
  browser: ['chromium', 'fonts-dejavu-core'],
  // The VSIX check unzips; the tests and packaging use git.
  tools: ['unzip', 'git', 'ca-certificates'],
};

/** Every package of every need (what CI installs). */
export const ALL_SYSTEM_PACKAGES = [...new Set(Object.values(SYSTEM_PACKAGES).flat())];

function defaultEnvironment() {
  return {
    platform: process.platform,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasDpkg: existsSync('/usr/bin/dpkg-query'),
    hasApt: existsSync('/usr/bin/apt-get'),
    installed: (name) => {
      const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.includes('install ok installed');
    },
    run: (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status,
    log: (msg) => console.error(`[system] ${msg}`),
  };
}

/** The packages of `names` that dpkg does not list as installed ([] off Debian: nothing to check). */
export function missingPackages(names, env = defaultEnvironment()) {
  if (env.platform !== 'linux' || !env.hasDpkg) return [];
  return names.filter((n) => !env.installed(n));
}

/**
 * Makes sure `names` are installed, for `why` (words for the messages): installs the missing ones
 * with apt-get as root, else throws an Error whose message is the one command to run. Off Debian
 * it checks nothing (the tools' own errors say what is missing). Returns what it installed.
 */
export function ensureSystemPackages(names, why, env = defaultEnvironment()) {
  const missing = missingPackages(names, env);
  if (missing.length === 0) return [];
  const list = missing.join(' ');
  if (!env.isRoot || !env.hasApt) {
    throw new Error(`${why} needs the Debian packages ${list}: run \`sudo apt-get install -y --no-install-recommends ${list}\`, then this command again`);
  }
  env.log(`${why} needs ${list}: installing with apt-get`);
  if (env.run('apt-get', ['update', '-q']) !== 0) throw new Error(`apt-get update failed; install by hand: apt-get install -y ${list}`);
  if (env.run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing]) !== 0) {
    throw new Error(`apt-get install ${list} failed (see above)`);
  }
  const still = missingPackages(missing, env);
  if (still.length) throw new Error(`apt-get did not install ${still.join(' ')}`);
  return missing;
}
