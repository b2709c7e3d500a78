/**
 * The test/debug API `window.__edgeflowDebug` (contract: test/e2e/README-hooks.md): read-only
 * snapshots of the editor's state, coordinate conversion, frame statistics and an animated
 * pan/zoom benchmark. Compiled in only when `__EDGEFLOW_DEBUG__` is true (buildFlags.d.ts).
 */
import type { AnnotationObject } from '../shared/annotation';
import type { Editor } from './editor';
import { mean, p95, round3 } from './frameStats';
import { imageToScreen, panBy, zoomAt } from './view';
import { segment } from './segment/segmentState';

/** What `benchmark()` resolves to: frame intervals and draw times in milliseconds. */
export interface BenchmarkResult {
  frames: number;
  avgFrameMs: number;
  p95FrameMs: number;
  maxFrameMs: number;
  avgDrawMs: number;
  fps: number;
  /** Each frame was rasterised (false: the canvas is tainted and allows no readback). */
  flushed: boolean;
}

/** Defines `window.__edgeflowDebug` for `editor` (once per page: the property cannot be redefined). */
export function installDebugApi(editor: Editor): void {
  const frames = editor.render.frames!;
  const api = {
    get ready() {
      return document.body.dataset.edgeflowReady === '1';
    },
    get objects(): AnnotationObject[] {
      return JSON.parse(JSON.stringify(editor.store.objects));
    },
    get view() {
      return { ...editor.view };
    },
    get selection() {
      return editor.store.selection ? JSON.parse(JSON.stringify(editor.store.selection)) : null;
    },
    get tool() {
      return editor.store.toolId;
    },
    get activeClassId() {
      return editor.store.activeClassId;
    },
    get labels() {
      return editor.store.labels.map((l) => ({ ...l }));
    },
    get image() {
      return editor.store.image ? { ...editor.store.image } : null;
    },
    get drawing() {
      return editor.tool?.isBusy?.() ?? false;
    },
    /** The overlay opacity (O): 1, 0.5 or 0. */
    get overlayOpacity() {
      return editor.store.overlayOpacity;
    },
    /** The clicks of the object in progress (image pixels), oldest first. */
    get segmentClicks() {
      return segment.clicks.map((c) => ({ ...c }));
    },
    /** The click/brush object in progress at image pixel (x, y): 1 object, 0 not, null: no mask. */
    segmentMaskAt(x: number, y: number): number | null {
      const m = segment.mask;
      if (!m) return null;
      const { box, grid } = m;
      if (x < box.x || y < box.y || x >= box.x + box.width || y >= box.y + box.height) return 0;
      const c = Math.floor(((x - box.x) * grid.width) / box.width), r = Math.floor(((y - box.y) * grid.height) / box.height);
      return m.data[r * grid.width + c] ? 1 : 0;
    },
    get frameStats() {
      return frames.stats();
    },
    /** Image pixel coordinates -> client (viewport) coordinates of this webview document. */
    imageToClient(x: number, y: number) {
      const rect = editor.container?.getBoundingClientRect() ?? { left: 0, top: 0 };
      const p = imageToScreen(editor.view, x, y);
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    resetFrameStats() {
      frames.reset();
    },
    /** Tiles of a very large image: decoded in memory now, loaded in all (null: no tiles). */
    get tiles() {
      const l = editor.renderer?.tileLayer;
      return l ? { cached: l.cachedTiles, loaded: l.loaded } : null;
    },
    /** Shows image point (x, y) at the viewport centre at `scale` screen pixels per image pixel. */
    zoomTo(x: number, y: number, scale: number) {
      const r = editor.renderer?.size ?? { width: 1, height: 1 };
      editor.setView({ scale, tx: r.width / 2 - x * scale, ty: r.height / 2 - y * scale });
    },
    /** Animated pan/zoom benchmark (see `benchmark`). */
    benchmark(frameCount?: number) {
      return benchmark(editor, frameCount);
    },
  };
  Object.defineProperty(window, '__edgeflowDebug', { value: Object.freeze(api), writable: false, configurable: false });
}

/**
 * Pan/zoom benchmark for tests: animates the view for `frames` animation frames (zooming in and
 * out around the centre while panning) and reports the interval between frames and the draw
 * time; each frame forces rasterisation with a 1-pixel readback where the canvas allows it, so
 * the numbers include the raster work and not only the command recording. The view is put back
 * afterwards (without persisting or reporting the frames' views).
 */
function benchmark(editor: Editor, frames = 120): Promise<BenchmarkResult> {
  const start = editor.view;
  const size = editor.renderer?.size ?? { width: 0, height: 0 };
  const c = { x: size.width / 2, y: size.height / 2 };
  const intervals: number[] = [];
  const draws: number[] = [];
  let flushed = true;
  return new Promise((resolve) => {
    let i = 0;
    let last = 0;
    const step = (t: number) => {
      if (last) intervals.push(t - last);
      last = t;
      const renderer = editor.renderer;
      if (i >= frames || !renderer) {
        editor.view = start;
        editor.requestRender(true);
        const sorted = intervals.slice().sort((a, b) => a - b);
        resolve({
          frames: intervals.length,
          avgFrameMs: round3(mean(intervals)),
          p95FrameMs: round3(sorted.length ? p95(sorted) : 0),
          maxFrameMs: round3(sorted[sorted.length - 1] ?? 0),
          avgDrawMs: round3(mean(draws)),
          fps: round3(intervals.length ? 1000 / mean(intervals) : 0),
          flushed,
        });
        return;
      }
      const phase = i / frames;
      const zoom = Math.pow(2, 3 * Math.sin(phase * Math.PI * 2));
      const v = zoomAt(start, zoom, c.x, c.y);
      editor.view = panBy(v, 200 * Math.sin(phase * Math.PI * 4), 120 * Math.cos(phase * Math.PI * 4));
      const t0 = performance.now();
      editor.render.draw(t, true);
      try {
        renderer.imageCanvas.getContext('2d')!.getImageData(0, 0, 1, 1);
        renderer.overlayCanvas.getContext('2d')!.getImageData(0, 0, 1, 1);
      } catch {
        flushed = false; // cross-origin image: the canvas is tainted, no readback
      }
      draws.push(performance.now() - t0);
      i++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}
