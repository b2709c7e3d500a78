#!/usr/bin/env node
// Regenerates docs/screenshot.png (the README's picture) in a real VS Code (code-server + headless
// Chromium, as the e2e tests run it) with the packaged VSIX and the shipped model, on samples/:
// two trees and a car labelled with one click each (click segmentation, Space), the car's
// attributes set in the objects panel, the click panel open beside them.
//
// Usage: EDGEFLOW_TEST_HOOKS=1 npm run package && node docs/make-screenshot.mjs   (EDGEFLOW_VSIX=... to use another VSIX)
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/e2e/lib/codeServer.mjs';
import { startSession } from '../test/e2e/lib/session.mjs';
import { clickImage, debug, editorFrame, nextFrame, quickOpen, waitFor } from '../test/e2e/lib/workbench.mjs';

const LABELS = {
  version: 1,
  labels: [
    {
      id: 1,
      name: 'car',
      color: '#f58231',
      attributes: [
        { name: 'occluded', type: 'boolean' },
        { name: 'pose', type: 'choice', options: ['front', 'side', 'rear'] },
        { name: 'note', type: 'text' },
      ],
    },
    { id: 2, name: 'tree', color: '#3cb44b' },
  ],
};
// [class id, left clicks (image pixels of samples/street-01.png)]; the last one stays selected.
const OBJECTS = [[2, [[420, 190]]], [2, [[573, 168]]], [1, [[490, 465]]]];

const workspace = mkdtempSync(join(tmpdir(), 'edgeflow-demo-'));
mkdirSync(join(workspace, 'images'));
mkdirSync(join(workspace, '.edgeflow'));
for (const f of ['street-01.png', 'street-02.jpg', 'street-03.webp']) copyFileSync(join(ROOT, 'samples', f), join(workspace, 'images', f));
writeFileSync(join(workspace, '.edgeflow/labels.json'), `${JSON.stringify(LABELS, null, 2)}\n`);
const session = await startSession(workspace, { settings: { 'workbench.editorAssociations': { '*.png': 'edgeflow.annotator' } } });
const { page } = session;
try {
  await quickOpen(page, 'images/street-01.png');
  const frame = await editorFrame(page, { width: 960, height: 640 });
  const panel = frame.locator('[data-testid="segment-panel"]');
  await frame.click('[data-testid="tool-segment"]');
  for (const [i, [classId, clicks]] of OBJECTS.entries()) {
    for (const [n, [x, y]] of clicks.entries()) {
      await clickImage(page, frame, x, y);
      await waitFor('the mask', async () => Number(await panel.getAttribute('data-clicks')) === n + 1 && (await panel.getAttribute('data-state')) === 'ready', { timeout: 30000 });
    }
    await page.keyboard.press('Space');
    await waitFor('the finished object', async () => (await debug(frame, 'objects')).length === i + 1, { timeout: 30000 });
    // The class key right after Finish classes the finished object (it stays selected).
    await page.keyboard.press(String(classId));
    await waitFor('its class', async () => (await debug(frame, 'objects'))[i].classId === classId);
  }
  // The car (finished last, still selected): its attributes in the objects panel.
  await frame.click('[data-testid="attr-occluded"]');
  await frame.selectOption('[data-testid="attr-pose"]', 'side');
  await frame.click('[data-testid="attr-note"]');
  await page.keyboard.type('yellow taxi');
  await page.keyboard.press('Enter');
  await waitFor('the attributes', async () => (await debug(frame, 'objects'))[2].attributes?.note === 'yellow taxi');
  await frame.locator('[data-testid="attr-note"]').blur();
  await page.mouse.move(800, 180); // above the picture: no hover highlight, no cursor position
  await nextFrame(frame);
  await page.screenshot({ path: join(ROOT, 'docs/screenshot.png') });
  console.log('wrote docs/screenshot.png');
} finally {
  await session.stop();
  rmSync(workspace, { recursive: true, force: true });
}
