/**
 * Canvas rendering: two stacked canvases. The image layer (brightness/contrast as a CSS filter on
 * that canvas only, so class colours stay true) draws only the visible part of the image from a
 * mip pyramid, so zoomed-out frames of a 6000x4000 image stay cheap. The overlay layer draws the
 * objects (cached Path2D per geometry, culled by bounding box), the selection handles and the
 * active tool's overlay (the click tool's mask). A very large image arrives as a downscaled
 * preview (the base of the pyramid, scaled up to the full image's coordinates) plus a tile layer
 * that draws full-resolution tiles of the visible region when the preview is not detailed enough;
 * every coordinate stays in full-resolution image pixels.
 */
import type { MultiPolygonXY } from '../shared/annotation';
import { multiPolygonBBox } from '../shared/geometry/polygon';
import type { ImageTiles } from '../shared/protocol';
import { TileLayer } from './image/tileLayer';
import type { EditorStore } from './store';
import type { ViewTransform } from './view';

type Source = HTMLImageElement | ImageBitmap | HTMLCanvasElement;

interface Level {
  /** Level size relative to the full image (1, 1/2, 1/4 ...). */
  factor: number;
  source: Source;
}

export class Renderer {
  private readonly imageCtx: CanvasRenderingContext2D;
  private readonly overlayCtx: CanvasRenderingContext2D;
  private levels: Level[] = [];
  private imageW = 0;
  private imageH = 0;
  private cssW = 1;
  private cssH = 1;
  private dpr = 1;
  private readonly paths = new WeakMap<MultiPolygonXY, Path2D>();
  private readonly boxes = new WeakMap<MultiPolygonXY, [number, number, number, number]>();
  /** Full-resolution tiles of a very large image (null for ordinary images). */
  tileLayer: TileLayer | null = null;
  /** Called when something arrived that needs the image layer redrawn (a tile). */
  onImageChange: () => void = () => undefined;

  constructor(
    readonly imageCanvas: HTMLCanvasElement,
    readonly overlayCanvas: HTMLCanvasElement,
  ) {
    const ic = imageCanvas.getContext('2d', { alpha: false });
    const oc = overlayCanvas.getContext('2d');
    if (!ic || !oc) throw new Error('Canvas 2D is not available');
    this.imageCtx = ic;
    this.overlayCtx = oc;
  }

  /** Canvas size in CSS pixels. */
  get size(): { width: number; height: number } {
    return { width: this.cssW, height: this.cssH };
  }

  /**
   * Sets the image; builds the downscaled levels in the background. `full`: the image's real
   * size when `img` is a downscaled preview, with the tiles that give full resolution.
   */
  setImage(img: HTMLImageElement, full?: { width: number; height: number; tiles?: ImageTiles }): void {
    this.imageW = full?.width ?? img.naturalWidth;
    this.imageH = full?.height ?? img.naturalHeight;
    const base = img.naturalWidth / this.imageW;
    this.levels = [{ factor: base, source: img }];
    this.tileLayer?.dispose();
    this.tileLayer = full?.tiles ? new TileLayer(full.tiles, this.imageW, this.imageH, () => this.onImageChange()) : null;
    void this.buildPyramid(img, base);
  }

  private async buildPyramid(img: HTMLImageElement, base: number): Promise<void> {
    if (typeof createImageBitmap !== 'function') return;
    let factor = base / 2;
    const levels: Level[] = [{ factor: base, source: img }];
    let prev: Source = img;
    while (this.imageW * factor >= 256 && this.imageH * factor >= 256 && factor >= base / 64) {
      const w = Math.max(1, Math.round(this.imageW * factor));
      const h = Math.max(1, Math.round(this.imageH * factor));
      try {
        // Each level halves the previous one, so every step is a cheap 2:1 filter.
        const bmp: ImageBitmap = await createImageBitmap(prev, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' });
        levels.push({ factor, source: bmp });
        prev = bmp;
      } catch {
        break;
      }
      factor /= 2;
    }
    if (this.levels[0]?.source === img) this.levels = levels;
  }

  private bg: string | null = null;

  /** The editor background colour, read from the theme once (style recalculation per frame is costly). */
  private background(): string {
    if (this.bg === null) {
      this.bg = getComputedStyle(this.imageCanvas).getPropertyValue('--edgeflow-canvas-bg').trim() || '#1e1e1e';
      if (!this.themeObserver) {
        // VS Code swaps the body's theme classes (vscode-light/dark/high-contrast) on theme change.
        this.themeObserver = new MutationObserver(() => (this.bg = null));
        this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
        this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
      }
    }
    return this.bg;
  }

  private themeObserver: MutationObserver | null = null;

  /** Matches the canvases' backing stores to their CSS size and the device pixel ratio. */
  resize(cssW: number, cssH: number, dpr: number): void {
    this.cssW = Math.max(1, cssW);
    this.cssH = Math.max(1, cssH);
    this.dpr = dpr;
    for (const c of [this.imageCanvas, this.overlayCanvas]) {
      const w = Math.round(this.cssW * dpr);
      const h = Math.round(this.cssH * dpr);
      if (c.width !== w) c.width = w;
      if (c.height !== h) c.height = h;
    }
  }

  /** Draws the visible part of the image. */
  drawImage(v: ViewTransform): void {
    const g = this.imageCtx;
    const d = this.dpr;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = this.background();
    g.fillRect(0, 0, this.imageCanvas.width, this.imageCanvas.height);
    if (!this.levels.length) return;
    // Visible image rectangle, whole pixels.
    const x0 = Math.max(0, Math.floor(-v.tx / v.scale));
    const y0 = Math.max(0, Math.floor(-v.ty / v.scale));
    const x1 = Math.min(this.imageW, Math.ceil((this.cssW - v.tx) / v.scale));
    const y1 = Math.min(this.imageH, Math.ceil((this.cssH - v.ty) / v.scale));
    if (x1 <= x0 || y1 <= y0) return;
    const deviceScale = v.scale * d;
    // Smallest level still at least as detailed as the screen.
    let level = this.levels[0];
    for (const l of this.levels) if (l.factor >= deviceScale && l.factor < level.factor) level = l;
    const f = level.factor;
    g.imageSmoothingEnabled = deviceScale / f < 2;
    g.imageSmoothingQuality = 'low'; // the mip level is at most 2x the screen size: bilinear is enough
    g.setTransform(d, 0, 0, d, 0, 0);
    const lw = Math.round(this.imageW * f);
    const lh = Math.round(this.imageH * f);
    const sx = Math.min(lw, x0 * f);
    const sy = Math.min(lh, y0 * f);
    const sw = Math.min(lw - sx, (x1 - x0) * f);
    const sh = Math.min(lh - sy, (y1 - y0) * f);
    g.drawImage(level.source, sx, sy, sw, sh, x0 * v.scale + v.tx, y0 * v.scale + v.ty, (x1 - x0) * v.scale, (y1 - y0) * v.scale);
    // The preview is blurrier than the screen: full-resolution tiles over it where loaded.
    if (this.tileLayer && deviceScale > f * 1.05) this.tileLayer.draw(g, { x0, y0, x1, y1 }, deviceScale, v.scale, v.tx, v.ty);
  }

  private pathOf(regions: MultiPolygonXY): Path2D {
    let p = this.paths.get(regions);
    if (!p) {
      p = new Path2D();
      for (const r of regions) {
        for (const ring of [r.outer, ...r.holes]) {
          if (ring.length < 4) continue;
          p.moveTo(ring[0], ring[1]);
          for (let i = 2; i < ring.length; i += 2) p.lineTo(ring[i], ring[i + 1]);
          p.closePath();
        }
      }
      this.paths.set(regions, p);
    }
    return p;
  }

  private boxOf(regions: MultiPolygonXY): [number, number, number, number] {
    let b = this.boxes.get(regions);
    if (!b) {
      b = multiPolygonBBox(regions);
      this.boxes.set(regions, b);
    }
    return b;
  }

  /** Draws objects, selection, then `extra` (the tool overlay) in screen coordinates. */
  drawOverlay(v: ViewTransform, store: EditorStore, extra?: (g: CanvasRenderingContext2D) => void): void {
    const g = this.overlayCtx;
    const d = this.dpr;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.overlayCanvas.width, this.overlayCanvas.height);
    g.setTransform(d * v.scale, 0, 0, d * v.scale, d * v.tx, d * v.ty);
    g.lineJoin = 'round';
    const { outlineWidth } = store.settings;
    // The overlay opacity toggle (O) scales every fill; outlines stay, so objects remain findable.
    const fillOpacity = store.settings.fillOpacity * store.overlayOpacity;
    const vx0 = -v.tx / v.scale;
    const vy0 = -v.ty / v.scale;
    const vx1 = (this.cssW - v.tx) / v.scale;
    const vy1 = (this.cssH - v.ty) / v.scale;
    const selId = store.selection?.id;
    let selectedRegions: MultiPolygonXY | null = null;
    let selectedColor = '';
    for (const o of store.objects) {
      const regions = store.preview && store.preview.id === o.id ? store.preview.regions : o.regions;
      if (o.id === selId) {
        selectedRegions = regions;
        selectedColor = store.classColor(o.classId);
      }
      if (o.hidden) continue;
      const b = this.boxOf(regions);
      if (b[2] < vx0 || b[0] > vx1 || b[3] < vy0 || b[1] > vy1) continue;
      const path = this.pathOf(regions);
      const color = store.classColor(o.classId);
      g.globalAlpha = o.id === selId ? Math.min(1, fillOpacity + 0.15 * store.overlayOpacity) : fillOpacity;
      g.fillStyle = color;
      g.fill(path, 'evenodd');
      g.globalAlpha = 1;
      g.strokeStyle = color;
      g.lineWidth = (o.id === selId ? outlineWidth * 1.75 : outlineWidth) / v.scale;
      g.stroke(path);
    }
    g.setTransform(d, 0, 0, d, 0, 0);
    if (selectedRegions) this.drawHandles(g, v, selectedRegions, selectedColor, store);
    extra?.(g);
  }

  private drawHandles(g: CanvasRenderingContext2D, v: ViewTransform, regions: MultiPolygonXY, color: string, store: EditorStore): void {
    const sel = store.selection?.vertex;
    const size = 7;
    g.lineWidth = 1.5;
    regions.forEach((r, ri) => {
      [r.outer, ...r.holes].forEach((ring, k) => {
        for (let i = 0; i < ring.length; i += 2) {
          const x = ring[i] * v.scale + v.tx;
          const y = ring[i + 1] * v.scale + v.ty;
          if (x < -size || y < -size || x > this.cssW + size || y > this.cssH + size) continue;
          const isSel = !!sel && sel.region === ri && sel.ring === k - 1 && sel.index === i / 2;
          g.fillStyle = isSel ? color : '#ffffff';
          g.strokeStyle = isSel ? '#ffffff' : color;
          const s = isSel ? size + 3 : size;
          g.fillRect(x - s / 2, y - s / 2, s, s);
          g.strokeRect(x - s / 2, y - s / 2, s, s);
        }
      });
    });
  }
}

