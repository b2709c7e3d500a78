/**
 * `edgeflow.inference.keepModelLoaded` (issue 31): an editor prepares its image and the model as
 * soon as its image shows, holds the model's session while it is open (so images opened later,
 * and this one after its image was given back, never wait for a model load or warm-up), and gives
 * it back when it closes. Off: nothing loads before the first click and the model goes after the
 * idle time. Runs the real SegmentController, worker and session pool on the tiny contract graph.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { InferenceSettings } from '../../../src/extension/inference/inferenceSettings';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { EventEmitter, Uri, installFakeVscode } from '../helpers/fakeVscode';
import { inputPath } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';

const TINY = inputPath('inference/tiny-contract.onnx');
const POOL_IDLE_MS = 40;
const EDITOR_IDLE_MS = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('keeping the model loaded while editors are open (issue 31)', function () {
  this.timeout(60_000);
  let dir: string;
  let image: string;
  let pool: SessionPool;

  before(async () => {
    installFakeVscode();
    dir = mkdtempSync(join(tmpdir(), 'edgeflow-keep-'));
    image = join(dir, 'a.png');
    await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 40, g: 160, b: 90 } } }).png().toFile(image);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    pool = new SessionPool(inferenceWorkerScript(), POOL_IDLE_MS);
  });
  afterEach(async () => pool.dispose());

  async function editor(keepLoaded: boolean, visible = true) {
    const { SegmentController } = await import('../../../src/extension/inference/segmentController');
    const posted: { type: string; [k: string]: unknown }[] = [];
    const viewState = new EventEmitter<{ webviewPanel: { active: boolean; visible: boolean } }>();
    const panel = { active: visible, visible, onDidChangeViewState: viewState.event };
    const settings: InferenceSettings = { model: TINY, device: 'cpu', targetSize: 128, mirror: false, keepLoaded };
    const loads: number[] = [];
    const service = {
      pool, onDidChangeSettings: new EventEmitter<void>().event,
      readSettings: () => settings, reportRestricted: () => undefined, resolveModel: () => TINY,
      reportFallback: (_s: unknown, info: { loadMs: number }) => loads.push(info.loadMs),
      showStatus: () => undefined, showError: () => undefined, hideStatus: () => undefined,
    };
    const document = { uri: Uri.file(image), image: { width: 120, height: 90 }, model: { getObject: () => undefined } };
    type Args = ConstructorParameters<typeof SegmentController>;
    const c = new SegmentController({ document, panel, post: (m: (typeof posted)[number]) => posted.push(m) } as unknown as Args[0], service as unknown as Args[1], EDITOR_IDLE_MS);
    const hide = () => {
      panel.visible = panel.active = false;
      viewState.fire({ webviewPanel: panel });
    };
    return { c, posted, hide, loads };
  }

  it('prepares the editor when its image shows: the first click finds the model ready', async () => {
    const e = await editor(true);
    e.c.preload();
    await until('the model to be ready', () => e.posted.some((m) => m.type === 'segmentStatus' && m.state === 'ready'));
    assert.equal(pool.size, 1);
    const ready = e.posted.find((m) => m.type === 'segmentStatus' && m.state === 'ready')!;
    assert.equal(ready.session, -1, 'the model is ready before any click session');
    const before = e.posted.length;
    e.c.handle({ type: 'segmentStart', session: 1, refineObjectId: null });
    e.c.handle({ type: 'segmentClicks', session: 1, clicks: [{ x: 60, y: 45, positive: true }], undo: false });
    await until('the mask', () => e.posted.some((m) => m.type === 'segmentResult'));
    assert.ok(!e.posted.slice(before).some((m) => m.type === 'segmentStatus' && m.state === 'loading'), 'no "loading model" at the first click');
    e.c.dispose();
  });

  it('holds the session while the editor is open, after its own image was given back, and lets it go when it closes', async () => {
    const a = await editor(true);
    a.c.preload();
    await until('a ready', () => a.posted.some((m) => m.type === 'segmentStatus' && m.state === 'ready'));
    a.hide(); // a hidden editor gives its image back after the idle time...
    await sleep(EDITOR_IDLE_MS + POOL_IDLE_MS + 150);
    assert.equal(pool.size, 1, '...but the model stays while the editor is open');
    const b = await editor(true);
    b.c.preload();
    await until('b ready', () => b.posted.some((m) => m.type === 'segmentStatus' && m.state === 'ready'));
    assert.equal(a.loads.length + b.loads.length, 2);
    assert.equal(pool.size, 1, 'the second editor shares the loaded session');
    b.c.dispose();
    a.c.dispose();
    await until('the session to be released after the last editor closed', () => pool.size === 0, 5_000);
  });

  it('a visible editor keeps its image ready past the idle time', async () => {
    const a = await editor(true);
    a.c.preload();
    await until('a ready', () => a.posted.some((m) => m.type === 'segmentStatus' && m.state === 'ready'));
    await sleep(EDITOR_IDLE_MS * 3);
    const before = a.posted.length;
    a.c.handle({ type: 'segmentStart', session: 1, refineObjectId: null });
    a.c.handle({ type: 'segmentClicks', session: 1, clicks: [{ x: 10, y: 10, positive: true }], undo: false });
    await until('the mask', () => a.posted.some((m) => m.type === 'segmentResult'));
    assert.ok(!a.posted.slice(before).some((m) => m.type === 'segmentStatus' && m.state === 'loading'));
    a.c.dispose();
  });

  it('off: nothing loads before the first click, and the model goes after the idle time', async () => {
    const e = await editor(false);
    e.c.preload();
    await sleep(200);
    assert.equal(pool.size, 0, 'no preload');
    assert.equal(e.posted.length, 0);
    e.c.handle({ type: 'segmentStart', session: 1, refineObjectId: null });
    e.c.handle({ type: 'segmentClicks', session: 1, clicks: [{ x: 60, y: 45, positive: true }], undo: false });
    await until('the mask', () => e.posted.some((m) => m.type === 'segmentResult'));
    e.c.handle({ type: 'segmentEnd', session: 1 });
    await until('the session to be released after the idle time', () => pool.size === 0, 5_000);
    e.c.dispose();
  });
});
