// One UI test session: a code-server with the packaged VSIX installed, a workspace, and headless
// Chromium on the workbench. Used by the Playwright scenarios in test/e2e/ui.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, startCodeServer } from './codeServer.mjs';
import { openWorkbench } from './workbench.mjs';

/** The VSIX under test: $EDGEFLOW_VSIX, else the one `npm run package` last wrote. */
export function vsixPath() {
  const fromEnv = process.env.EDGEFLOW_VSIX;
  if (fromEnv) return fromEnv;
  const record = join(ROOT, '.artifacts/vsix-path');
  const path = existsSync(record) ? readFileSync(record, 'utf8').trim() : '';
  if (!path || !existsSync(path)) throw new Error('no VSIX: run `npm run package` first (or set EDGEFLOW_VSIX)');
  return path;
}

/**
 * Starts code-server with the VSIX installed on `workspace`, opens it in Chromium.
 * Returns { server, browser, page, consoleErrors, stop() }.
 */
export async function startSession(workspace, { settings = {}, viewport } = {}) {
  const server = await startCodeServer({ workspace, vsix: vsixPath(), settings });
  let browser;
  try {
    browser = await launchBrowser({ viewport });
    const consoleErrors = [];
    browser.page.on('pageerror', (error) => consoleErrors.push(error.message));
    await openWorkbench(browser.page, server.workbenchUrl(workspace));
    return {
      server,
      browser,
      page: browser.page,
      consoleErrors,
      async stop() {
        await browser.close();
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}
