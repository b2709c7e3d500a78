// The README's "run the annotator" command on a machine without desktop VS Code:
// `npm run start` (scripts/start.mjs) serves code-server on 127.0.0.1 with the extension installed
// and prints the URL; opening that URL and an image shows the annotator. Ctrl+C stops it cleanly.
// Runs on a copy of samples/ (the repository's samples are never written to) with the VSIX under
// test and a throwaway profile.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort, launchBrowser } from '../lib/codeServer.mjs';
import { vsixPath } from '../lib/session.mjs';
import { debug, editorFrame, openWorkbench, quickOpen, screenshot, waitFor } from '../lib/workbench.mjs';

describe('npm run start without desktop VS Code', function () {
  this.timeout(90000);
  let folder;
  let profile;
  let child;
  let output = '';
  let browser;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'edgeflow-start-samples-'));
    cpSync(join(ROOT, 'samples'), folder, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'edgeflow-start-profile-'));
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  let url;
  it('prints a loopback URL', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--code-server', '--port', String(port), '--folder', folder, '--profile', profile], {
      cwd: ROOT,
      env: { ...process.env, EDGEFLOW_VSIX: vsixPath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    url = await waitFor('the URL', () => output.match(/^\s*(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)\s*$/m)?.[1], { timeout: 60000, interval: 200 });
    assert.ok(url.includes(`:${port}/`), `serves on the requested port: ${url}`);
    assert.equal(decodeURIComponent(new URL(url).searchParams.get('folder')), folder);
  });

  it('opens an image of the folder in the annotator', async () => {
    browser = await launchBrowser();
    await openWorkbench(browser.page, url);
    await quickOpen(browser.page, 'street-02.jpg');
    const frame = await editorFrame(browser.page, { width: 960, height: 640 });
    assert.equal((await debug(frame, 'image')).fileName, 'street-02.jpg');
    await screenshot(browser.page, 'start-01-opened');
  });

  it('stops on Ctrl+C', async () => {
    await browser.close();
    browser = undefined;
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(output, /\[start\] stopping/);
  });
});
