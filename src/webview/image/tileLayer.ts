/**
 * Full-resolution detail for very large images: the host cut the image into a Deep Zoom pyramid
 * of tiles (see src/extension/image/largeImage.ts); this layer draws, over the preview, the tiles
 * of the one level that matches the zoom, for the visible region only. Tiles load on demand (a
 * few at a time, the visible ones first because each frame asks again) and stay in a small
 * least-recently-used cache, so memory stays bounded whatever the image size: at most
 * `maxTiles` decoded tiles (512x512x4 bytes each, 1 MiB).
 */
import type { ImageTiles } from '../../shared/protocol';

/** Image-pixel rectangle [x0, x1) x [y0, y1). */
export interface ImageRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Deep Zoom geometry of one level: `shift` = log2 of the image pixels per level pixel. */
export interface TileLevel {
  level: number;
  shift: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
}

/**
 * The level to draw for `deviceScale` (device pixels per image pixel): the coarsest level whose
 * pixels are still no larger than a device pixel, never finer than full resolution.
 */
export function levelFor(tiles: ImageTiles, imageW: number, imageH: number, deviceScale: number): TileLevel {
  const shift = deviceScale >= 1 ? 0 : Math.min(tiles.maxLevel, Math.floor(Math.log2(1 / deviceScale)));
  const width = Math.ceil(imageW / 2 ** shift);
  const height = Math.ceil(imageH / 2 ** shift);
  return { level: tiles.maxLevel - shift, shift, width, height, cols: Math.ceil(width / tiles.tileSize), rows: Math.ceil(height / tiles.tileSize) };
}

/** Tiles (col, row) of `lv` covering `r`. */
export function tilesCovering(lv: TileLevel, tileSize: number, r: ImageRect): { c0: number; c1: number; r0: number; r1: number } {
  const span = tileSize * 2 ** lv.shift;
  return {
    c0: Math.max(0, Math.floor(r.x0 / span)),
    c1: Math.min(lv.cols - 1, Math.floor((r.x1 - 1) / span)),
    r0: Math.max(0, Math.floor(r.y0 / span)),
    r1: Math.min(lv.rows - 1, Math.floor((r.y1 - 1) / span)),
  };
}

interface Entry {
  bitmap?: ImageBitmap;
  loading?: boolean;
  failedAt?: number;
  failures?: number;
}

export class TileLayer {
  private readonly cache = new Map<string, Entry>();
  private inFlight = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Tiles loaded so far (for tests and the bench). */
  loaded = 0;

  constructor(
    readonly tiles: ImageTiles,
    readonly imageW: number,
    readonly imageH: number,
    /** Called when a tile arrives (or a failed one may be retried): redraw. */
    private readonly onChange: () => void,
    private readonly maxTiles = 160,
    private readonly concurrency = 6,
  ) {}

  /** Tiles decoded in memory now. */
  get cachedTiles(): number {
    let n = 0;
    for (const e of this.cache.values()) if (e.bitmap) n++;
    return n;
  }

  private url(level: number, col: number, row: number): string {
    const t = this.tiles;
    return `${t.base}/${level}/${col}_${row}.${t.format}${t.query ? `?${t.query}` : ''}`;
  }

  /**
   * Draws the tiles over `r` for `deviceScale` into `g`, whose transform maps CSS pixels;
   * image pixel (x, y) lands at (x * scale + tx, y * scale + ty). Missing tiles are requested.
   */
  draw(g: CanvasRenderingContext2D, r: ImageRect, deviceScale: number, scale: number, tx: number, ty: number): void {
    const lv = levelFor(this.tiles, this.imageW, this.imageH, deviceScale);
    const ts = this.tiles.tileSize;
    const k = 2 ** lv.shift;
    const { c0, c1, r0, r1 } = tilesCovering(lv, ts, r);
    g.imageSmoothingEnabled = deviceScale / (1 / k) < 2;
    const used = new Set<string>();
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        const key = `${lv.level}/${col}_${row}`;
        used.add(key);
        const e = this.cache.get(key);
        if (e?.bitmap) {
          // Most recently used last.
          this.cache.delete(key);
          this.cache.set(key, e);
          const ix0 = col * ts * k;
          const iy0 = row * ts * k;
          const ix1 = Math.min(this.imageW, (col * ts + e.bitmap.width) * k);
          const iy1 = Math.min(this.imageH, (row * ts + e.bitmap.height) * k);
          g.drawImage(e.bitmap, ix0 * scale + tx, iy0 * scale + ty, (ix1 - ix0) * scale, (iy1 - iy0) * scale);
        } else {
          this.request(key, lv.level, col, row, e);
        }
      }
    }
    this.evict(used);
  }

  private request(key: string, level: number, col: number, row: number, e: Entry | undefined): void {
    if (e?.loading || this.inFlight >= this.concurrency) return;
    // Tiles of a huge image can take a minute to be cut: retry, less and less often.
    if (e?.failedAt !== undefined && performance.now() - e.failedAt < Math.min(15000, 1500 * (e.failures ?? 1))) {
      this.scheduleRetry();
      return;
    }
    const entry: Entry = { loading: true, failures: e?.failures ?? 0 };
    this.cache.set(key, entry);
    this.inFlight++;
    const img = new Image();
    img.decoding = 'async';
    img.src = this.url(level, col, row);
    img
      .decode()
      .then(() => createImageBitmap(img))
      .then(
        (bitmap) => {
          if (this.cache.get(key) === entry) {
            entry.bitmap = bitmap;
            this.loaded++;
          } else bitmap.close();
        },
        () => {
          // Not written yet (the host is still cutting tiles) or gone: retry a little later.
          entry.failedAt = performance.now();
          entry.failures = (entry.failures ?? 0) + 1;
          this.scheduleRetry();
        },
      )
      .finally(() => {
        entry.loading = false;
        this.inFlight--;
        this.onChange();
      });
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.onChange();
    }, 1600);
  }

  private evict(keep: Set<string>): void {
    if (this.cache.size <= this.maxTiles) return;
    for (const [key, e] of this.cache) {
      if (this.cache.size <= this.maxTiles) break;
      if (keep.has(key) || e.loading) continue;
      e.bitmap?.close();
      this.cache.delete(key);
    }
  }

  dispose(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const e of this.cache.values()) e.bitmap?.close();
    this.cache.clear();
  }
}
