// The webview's tile loader with the browser's Image / createImageBitmap replaced by fakes whose
// decodes the test resolves or fails by URL: what is requested, how many at once, what is drawn
// where, what the cache keeps and what it closes, and how failed tiles are retried.
import * as assert from 'node:assert/strict';
import type { ImageTiles } from '../../../src/shared/protocol';
import { TileLayer, levelFor, tilesCovering } from '../../../src/webview/image/tileLayer';

interface PendingDecode {
  url: string;
  resolve(): void;
  reject(): void;
}

class FakeBrowser {
  pending: PendingDecode[] = [];
  closed: string[] = [];
  /** Size of the tile bitmaps by URL (edge tiles are smaller); 512 x 512 otherwise. */
  sizes = new Map<string, [number, number]>();
  private saved: Record<string, unknown> = {};

  install(): void {
    const self = this;
    const g = globalThis as Record<string, unknown>;
    for (const k of ['Image', 'createImageBitmap']) this.saved[k] = g[k];
    g.Image = class {
      src = '';
      decoding = '';
      decode(): Promise<void> {
        return new Promise((resolve, reject) => self.pending.push({ url: this.src, resolve, reject: () => reject(new Error('404')) }));
      }
    };
    g.createImageBitmap = async (img: { src: string }) => {
      const [width, height] = this.sizes.get(img.src) ?? [512, 512];
      return { width, height, url: img.src, close: () => this.closed.push(img.src) };
    };
  }

  uninstall(): void {
    const g = globalThis as Record<string, unknown>;
    for (const [k, v] of Object.entries(this.saved)) {
      if (v === undefined) delete g[k];
      else g[k] = v;
    }
  }

  urls(): string[] {
    return this.pending.map((p) => p.url);
  }

  /** Settles every pending decode (ok unless `fail` says otherwise) and lets the promises run. */
  async settle(fail: (url: string) => boolean = () => false): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (const p of batch) (fail(p.url) ? p.reject : p.resolve)();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

/** A 2D context that records drawImage calls as [url, x, y, w, h]. */
function recordingContext(): { g: CanvasRenderingContext2D; draws: [string, number, number, number, number][] } {
  const draws: [string, number, number, number, number][] = [];
  const g = {
    imageSmoothingEnabled: true,
    drawImage: (b: { url: string }, x: number, y: number, w: number, h: number) => draws.push([b.url, x, y, w, h]),
  } as unknown as CanvasRenderingContext2D;
  return { g, draws };
}

const TILES: ImageTiles = { base: 'https://tiles', query: 'v=1', format: 'jpeg', tileSize: 512, maxLevel: 12 };

describe('webview tile layer: Deep Zoom geometry', () => {
  it('the level for a zoom and the tiles covering a view', () => {
    const tiles = { base: 'x', query: '', format: 'jpeg' as const, tileSize: 512, maxLevel: 15 };
    // 1:1 and beyond: the full-resolution level.
    assert.deepEqual(levelFor(tiles, 20000, 20000, 1), { level: 15, shift: 0, width: 20000, height: 20000, cols: 40, rows: 40 });
    assert.equal(levelFor(tiles, 20000, 20000, 8).level, 15);
    // 0.3 device px per image px: level 14 has 0.5 (never coarser than the screen).
    const l = levelFor(tiles, 20000, 20000, 0.3);
    assert.deepEqual([l.level, l.shift, l.width, l.cols], [14, 1, 10000, 20]);
    assert.equal(levelFor(tiles, 20001, 7, 0.25).width, 5001); // sizes round up like libvips
    // A 1000x600 view at image (10000, 5000) at level 15: tiles 19..21 x 9..10.
    assert.deepEqual(tilesCovering(levelFor(tiles, 20000, 20000, 1), 512, { x0: 10000, y0: 5000, x1: 11000, y1: 5600 }), { c0: 19, c1: 21, r0: 9, r1: 10 });
    // Clamped at the image's edge.
    assert.deepEqual(tilesCovering(l, 512, { x0: 19000, y0: 0, x1: 20000, y1: 100 }), { c0: 18, c1: 19, r0: 0, r1: 0 });
  });
});

describe('webview tile layer (loading, cache, retry)', () => {
  const browser = new FakeBrowser();
  beforeEach(() => {
    browser.pending = [];
    browser.closed = [];
    browser.sizes.clear();
    browser.install();
  });
  afterEach(() => browser.uninstall());

  it('requests the visible tiles at most `concurrency` at a time, then draws them in place', async () => {
    let changes = 0;
    // 3000 x 1100 image at full resolution (level 12): 6 x 3 tiles, the last column 440 wide.
    const layer = new TileLayer(TILES, 3000, 1100, () => changes++, 160, 4);
    browser.sizes.set('https://tiles/12/5_0.jpeg?v=1', [440, 512]);
    const view = { x0: 1000, y0: 0, x1: 3000, y1: 1000 }; // columns 1-5, rows 0-1
    const { g, draws } = recordingContext();
    layer.draw(g, view, 1, 1, 0, 0);
    assert.equal(draws.length, 0, 'nothing cached yet');
    assert.deepEqual(browser.urls(), ['https://tiles/12/1_0.jpeg?v=1', 'https://tiles/12/2_0.jpeg?v=1', 'https://tiles/12/3_0.jpeg?v=1', 'https://tiles/12/4_0.jpeg?v=1']);
    layer.draw(g, view, 1, 1, 0, 0);
    assert.equal(browser.pending.length, 4, 'a redraw does not ask again for tiles in flight');
    await browser.settle();
    assert.equal(changes, 4);
    assert.equal(layer.loaded, 4);
    layer.draw(g, view, 1, 1, 0, 0);
    assert.equal(draws.length, 4);
    // Tile (3, 0) covers image x 1536-2048: at scale 0.5 with an offset it lands at (778, 10), 256 wide.
    draws.length = 0;
    layer.draw(g, view, 1, 0.5, 10, 10);
    assert.deepEqual(draws.find((d) => d[0].includes('/3_0.')), ['https://tiles/12/3_0.jpeg?v=1', 778, 10, 256, 256]);
    await browser.settle();
    layer.draw(g, view, 1, 1, 0, 0);
    await browser.settle();
    draws.length = 0;
    layer.draw(g, view, 1, 1, 0, 0);
    assert.equal(draws.length, 10, 'all 5 x 2 visible tiles');
    // The edge tile keeps its own width and stops at the image's right border.
    assert.deepEqual(draws.find((d) => d[0].includes('/5_0.')), ['https://tiles/12/5_0.jpeg?v=1', 2560, 0, 440, 512]);
    layer.dispose();
    assert.equal(browser.closed.length, 10, 'dispose closes every bitmap');
  });

  it('picks the coarser level when zoomed out, so each tile spans 2^shift image pixels', async () => {
    const layer = new TileLayer(TILES, 3000, 1100, () => undefined);
    const { g, draws } = recordingContext();
    layer.draw(g, { x0: 0, y0: 0, x1: 3000, y1: 1100 }, 0.3, 0.3, 0, 0); // shift 1: level 11, 3 x 2 tiles
    assert.deepEqual(browser.urls().sort(), ['0_0', '0_1', '1_0', '1_1', '2_0', '2_1'].map((t) => `https://tiles/11/${t}.jpeg?v=1`));
    await browser.settle();
    layer.draw(g, { x0: 0, y0: 0, x1: 3000, y1: 1100 }, 0.3, 0.3, 0, 0);
    // Tile (1, 0) of level 11 covers image x 1024-2048, drawn at 0.3 px per image pixel.
    const d = draws.find((x) => x[0].includes('/1_0.'))!;
    assert.deepEqual(d.slice(1).map((v) => Math.round(Number(v) * 10) / 10), [307.2, 0, 307.2, 307.2]);
    layer.dispose();
  });

  it('keeps at most maxTiles decoded, evicting the least recently drawn and never a visible tile', async () => {
    const layer = new TileLayer(TILES, 8192, 512, () => undefined, 4, 16); // 16 tiles in a row
    const { g, draws } = recordingContext();
    const show = async (c0: number, c1: number) => {
      const r = { x0: c0 * 512, y0: 0, x1: (c1 + 1) * 512, y1: 512 };
      layer.draw(g, r, 1, 1, 0, 0);
      await browser.settle();
      layer.draw(g, r, 1, 1, 0, 0);
    };
    await show(0, 2); // tiles 0-2
    await show(3, 4); // tiles 3-4: 5 cached > 4, tile 0 (least recently drawn) goes
    assert.equal(layer.cachedTiles, 4);
    assert.deepEqual(browser.closed, ['https://tiles/12/0_0.jpeg?v=1']);
    await show(5, 10); // 6 visible tiles, more than maxTiles: all of them stay while visible
    assert.equal(layer.cachedTiles, 6);
    draws.length = 0;
    layer.draw(g, { x0: 5 * 512, y0: 0, x1: 11 * 512, y1: 512 }, 1, 1, 0, 0);
    assert.equal(draws.length, 6);
    assert.equal(browser.pending.length, 0, 'visible tiles are not re-requested');
    layer.dispose();
  });

  it('retries a tile that failed (not cut yet), with back-off, and draws it once it arrives', async () => {
    const layer = new TileLayer(TILES, 512, 512, () => undefined);
    const { g, draws } = recordingContext();
    const all = { x0: 0, y0: 0, x1: 512, y1: 512 };
    const realNow = performance.now.bind(performance);
    let now = 1000;
    (performance as { now: () => number }).now = () => now;
    try {
      layer.draw(g, all, 1, 1, 0, 0);
      await browser.settle(() => true);
      layer.draw(g, all, 1, 1, 0, 0);
      assert.equal(browser.pending.length, 0, 'not again at once');
      now += 1600;
      layer.draw(g, all, 1, 1, 0, 0);
      assert.equal(browser.pending.length, 1, 'again after the back-off');
      await browser.settle(() => true);
      now += 1600;
      layer.draw(g, all, 1, 1, 0, 0);
      assert.equal(browser.pending.length, 0, 'the second failure waits longer (3 s)');
      now += 1600;
      layer.draw(g, all, 1, 1, 0, 0);
      await browser.settle();
      layer.draw(g, all, 1, 1, 0, 0);
      assert.equal(draws.length, 1);
      assert.equal(layer.loaded, 1);
    } finally {
      (performance as { now: () => number }).now = realNow;
      layer.dispose();
    }
  });
});
