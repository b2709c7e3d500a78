// Driving the VS Code workbench (code-server in headless Chromium) the way a person does: the
// command palette, quick open, tabs, and the annotator's webview (found by its test hooks, see
// test/e2e/README-hooks.md: body[data-edgeflow-ready="1"] and window.__edgeflowDebug).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './codeServer.mjs';

export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (async, returns a value or undefined/null/false) until it gives a value. */
export async function waitFor(what, probe, { timeout = 15000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(interval);
  }
}

/** Loads the workbench and waits until the extension host is up and the explorer shows the folder. */
export async function openWorkbench(page, url) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30000 });
  // Let the workbench finish restoring before keyboard input (the first F1 can otherwise be lost).
  await page.waitForTimeout(500);
}

async function quickInput(page, opener, text) {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 0; attempt < 3; attempt++) {
    await opener();
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
      break;
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
  await input.fill(text);
  return input;
}

/** Runs a command from the palette by (part of) its title, e.g. "EdgeFlow: Save". */
export async function runCommand(page, title) {
  // Right after start-up the palette may not list an extension's commands yet: close and retry.
  for (let attempt = 1; ; attempt++) {
    await quickInput(page, () => page.keyboard.press('F1'), `>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 8000 });
      await row.click();
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch (error) {
      if (attempt === 3) throw new Error(`command "${title}" not found in the palette: ${error.message}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
}

/**
 * "EdgeFlow: Export Dataset…" from the palette, answered as a person does: ticks `formats` besides
 * the default COCO, picks the rows named `images`, `split` and `files`, and accepts the output
 * folder the last step suggests (or types `folder`). Returns when the questions are gone; with
 * `checkFolder` it first hands the output folder's input to the caller.
 */
export async function exportDataset(page, options = {}) {
  try {
    await answerExport(page, options);
  } catch (e) {
    // Under a heavy load the workbench has been seen to close the questions between two steps
    // (the quick input lost focus) before the command ran: nothing was exported, so a person
    // would simply ask again. Anything else is a failure.
    const closedEarly = !(await page.locator('.quick-input-widget').isVisible()) && !(await page.locator('.notifications-toasts .notification-toast', { hasText: /Export/ }).count());
    if (!closedEarly) throw e;
    console.log(`      (the export questions closed early: ${e.message.split('\n')[0]}; asking again)`);
    await answerExport(page, options);
  }
}

async function answerExport(page, { formats = [], images = 'All annotated images', split = 'No split', files = 'Copy images', folder, checkFolder } = {}) {
  const quick = '.quick-input-widget';
  const row = (text) => page.locator(`${quick} .quick-input-list .monaco-list-row`, { hasText: text }).first();
  const step = (title) => page.locator(`${quick} .quick-input-title`, { hasText: title }).waitFor({ state: 'visible', timeout: 15000 });
  await quickInput(page, () => page.keyboard.press('F1'), '>EdgeFlow: Export Dataset');
  await row('Export Dataset').waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Enter');
  await step('formats');
  for (const name of formats) {
    await row(name).click();
    await waitFor(`${name} ticked`, async () => (await row(name).getAttribute('aria-checked')) === 'true');
  }
  await page.keyboard.press('Enter');
  await step('images');
  await row(images).click();
  await step('split');
  await row(split).click();
  await step('(4/5)');
  await row(files).click();
  await step('output folder');
  const input = page.locator(`${quick} input.input`);
  if (checkFolder) await checkFolder(input);
  if (folder !== undefined) await input.fill(folder);
  await page.keyboard.press('Enter');
  await page.locator(quick).waitFor({ state: 'hidden', timeout: 10000 });
}

/** Opens a workspace file through quick open (Ctrl+P), as a user would. */
export async function quickOpen(page, relativePath) {
  await quickInput(page, () => page.keyboard.press('Control+P'), relativePath);
  const base = relativePath.split('/').pop();
  // The row whose file name is exactly `base` (not `base.coco.json` listed beside it).
  const exact = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
}

/** Closes the active editor tab with its close button. */
export async function closeActiveTab(page) {
  const tab = page.locator('.tabs-container .tab.active');
  await tab.hover();
  await tab.locator('.tab-actions .action-label').first().click();
}

/** The active tab's label text and whether it shows the dirty marker. */
export async function activeTab(page) {
  const tab = page.locator('.tabs-container .tab.active');
  const label = (await tab.locator('.label-name').first().textContent())?.trim();
  const dirty = (await tab.getAttribute('class'))?.split(/\s+/).includes('dirty') ?? false;
  return { label, dirty };
}

/**
 * The annotator webview's frame (an iframe inside VS Code's webview iframe) whose editor is ready
 * and, when given, shows an image of the given size.
 */
export async function editorFrame(page, { width, height, timeout = 30000 } = {}) {
  const noHooks = {};
  const found = await waitFor(
    `an EdgeFlow editor frame${width ? ` showing a ${width}x${height} image` : ''}`,
    async () => {
      for (const frame of page.frames()) {
        if (frame.isDetached()) continue;
        const image = await frame
          .evaluate(() => (document.body?.dataset.edgeflowReady !== '1' ? null : window.__edgeflowDebug ? window.__edgeflowDebug.image : 'no-hooks'))
          .catch(() => null);
        if (image === 'no-hooks') return noHooks;
        if (!image) continue;
        if (width && (image.width !== width || image.height !== height)) continue;
        const element = await frame.frameElement();
        const box = await element.boundingBox();
        if (box && box.width > 0 && box.height > 0) return frame;
      }
      return null;
    },
    { timeout, interval: 200 },
  );
  if (found === noHooks) {
    throw new Error('the editor is ready but has no window.__edgeflowDebug: the VSIX was packaged without the test hooks (EDGEFLOW_TEST_HOOKS=1 npm run package)');
  }
  return found;
}

/** Reads __edgeflowDebug.<key> in the editor frame. */
export function debug(frame, key) {
  return frame.evaluate((k) => window.__edgeflowDebug[k], key);
}

/** Image pixel coordinates -> page (viewport) coordinates for page.mouse. */
export async function imageToPage(frame, x, y) {
  const box = await (await frame.frameElement()).boundingBox();
  const p = await frame.evaluate(([ix, iy]) => window.__edgeflowDebug.imageToClient(ix, iy), [x, y]);
  return { x: box.x + p.x, y: box.y + p.y };
}

/** Clicks at image pixel coordinates. */
export async function clickImage(page, frame, x, y, options = {}) {
  const p = await imageToPage(frame, x, y);
  await page.mouse.click(p.x, p.y, options);
}

/** Drags with the left button from one image point to another in small steps. */
export async function dragImage(page, frame, from, to, { steps = 8, button = 'left' } = {}) {
  const a = await imageToPage(frame, from.x, from.y);
  const b = await imageToPage(frame, to.x, to.y);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down({ button });
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up({ button });
}

/**
 * Presses `key` until `probe` holds, at most `tries` times. The editor's keybindings depend on
 * context keys the webview reports through the extension host: a key pressed within a few
 * milliseconds of a click that moved the focus (out of a text field, say) can meet the old
 * context, and a person presses it again. Fails when no press has the effect.
 */
export async function pressUntil(page, key, what, probe, { tries = 3, timeout = 2000 } = {}) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      return await waitFor(what, probe, { timeout });
    } catch (error) {
      if (attempt >= tries) throw new Error(`${tries} presses of ${key}: ${error.message}`);
    }
  }
}

/** Drags with the left (or given) button through a list of image points: one brush stroke. */
export async function strokeImage(page, frame, points, { steps = 6, button = 'left' } = {}) {
  const [first, ...rest] = points;
  const a = await imageToPage(frame, first.x, first.y);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down({ button });
  for (const p of rest) {
    const b = await imageToPage(frame, p.x, p.y);
    await page.mouse.move(b.x, b.y, { steps });
  }
  await page.mouse.up({ button });
}

/** Resolves after the editor has drawn two more frames (what a change looks like on screen). */
export function nextFrame(frame) {
  return frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
}

/** Saves a screenshot of the whole workbench as test-results/e2e/<name>.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * For a mocha `afterEach`: when the test that just ran failed, leaves a picture of the workbench
 * as it was, named FAILED-<prefix><test title>.
 */
export async function screenshotIfFailed(test, page, prefix = '') {
  if (test?.state !== 'failed' || !page) return;
  await screenshot(page, `FAILED-${prefix}${test.title.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
}
