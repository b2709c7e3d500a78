/**
 * The Debian packages `npm run start` and `npm test` need on a fresh machine (issue 34: "make each
 * command install what it lacks when it can, as root, or say the one command to run otherwise"),
 * with dpkg and apt-get stubbed. The real install is what .ci/run does on every CI run.
 */
import * as assert from 'node:assert/strict';
import { ALL_SYSTEM_PACKAGES, SYSTEM_PACKAGES, ensureSystemPackages, missingPackages, type SystemEnvironment } from '../../../scripts/lib/system-packages.mjs';

function machine(installed: string[], { isRoot = true, hasApt = true, platform = 'linux', aptWorks = true } = {}) {
  const have = new Set(installed);
  const calls: string[] = [];
  const env: SystemEnvironment = {
    platform, isRoot, hasApt, hasDpkg: platform === 'linux',
    installed: (n) => have.has(n),
    run: (cmd, args) => {
      calls.push(`${cmd} ${args.join(' ')}`);
      if (!aptWorks) return 100;
      if (args[0] === 'install') for (const a of args.slice(1)) if (!a.startsWith('-')) have.add(a);
      return 0;
    },
    log: () => undefined,
  };
  return { env, calls, have };
}

describe('system packages for the two commands of a fresh machine (issue 34)', () => {
  it('one list covers what code-server, the browser and the scripts need, each package once', () => {
    for (const p of ['libkrb5-dev', 'pkg-config', 'ripgrep', 'build-essential', 'chromium', 'unzip']) assert.ok(ALL_SYSTEM_PACKAGES.includes(p), p);
    assert.equal(new Set(ALL_SYSTEM_PACKAGES).size, ALL_SYSTEM_PACKAGES.length);
  });

  it('nothing to do when everything is installed: no apt-get run', () => {
    const m = machine(ALL_SYSTEM_PACKAGES);
    assert.deepEqual(ensureSystemPackages(SYSTEM_PACKAGES.codeServer, 'installing code-server', m.env), []);
    assert.deepEqual(m.calls, []);
  });

  it('as root: installs exactly the missing ones with apt-get, after an update', () => {
    const m = machine(['build-essential', 'python3', 'pkg-config']);
    assert.deepEqual(ensureSystemPackages(SYSTEM_PACKAGES.codeServer, 'installing code-server', m.env), ['libkrb5-dev', 'ripgrep']);
    assert.deepEqual(m.calls, ['apt-get update -q', 'apt-get install -y -q --no-install-recommends libkrb5-dev ripgrep']);
    assert.deepEqual(missingPackages(SYSTEM_PACKAGES.codeServer, m.env), []);
  });

  it('not root: the error is the one command to run, naming only what is missing', () => {
    const m = machine(['chromium'], { isRoot: false });
    assert.throws(
      () => ensureSystemPackages(SYSTEM_PACKAGES.browser, 'the UI tests', m.env),
      (e: Error) => e.message === 'the UI tests needs the Debian packages fonts-dejavu-core: run `sudo apt-get install -y --no-install-recommends fonts-dejavu-core`, then this command again',
    );
    assert.deepEqual(m.calls, []);
  });

  it('a failed apt-get is an error, not a silent pass', () => {
    const m = machine([], { aptWorks: false });
    assert.throws(() => ensureSystemPackages(['ripgrep'], 'x', m.env), /apt-get update failed/);
  });

  it('off Debian (no dpkg) nothing is checked or installed', () => {
    const m = machine([], { platform: 'darwin' });
    assert.deepEqual(ensureSystemPackages(ALL_SYSTEM_PACKAGES, 'x', m.env), []);
    assert.deepEqual(m.calls, []);
  });
});
