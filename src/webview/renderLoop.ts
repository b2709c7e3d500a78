/**
 * The canvas render loop: at most one redraw per animation frame, the image layer only when it
 * changed, the ready marker once the first frame with the image is drawn. Also watches the canvas
 * container's size and the device pixel ratio.
 */
import { FrameRecorder } from './frameStats';
import type { Renderer } from './renderer';
import type { EditorStore } from './store';
import type { Tool, ToolContext } from './tools';
import type { ViewTransform } from './view';

/** What a frame draws: the editor's current renderer, view, store and tool. */
export interface Scene {
  readonly renderer: Renderer | null;
  readonly view: ViewTransform;
  readonly store: EditorStore;
  readonly tool: Tool | undefined;
  readonly ctx: ToolContext;
  /** The image has been decoded (the ready marker waits for it). */
  readonly imageReady: boolean;
}

export class RenderLoop {
  private raf = 0;
  private imageDirty = true;
  /** Draw time and interval of each frame; only the test/debug API reads them. */
  readonly frames: FrameRecorder | null = __EDGEFLOW_DEBUG__ ? new FrameRecorder() : null;

  constructor(private readonly scene: Scene) {}

  /** Schedules one redraw on the next animation frame. `image`: the image layer changed too. */
  request(image: boolean): void {
    if (image) this.imageDirty = true;
    if (this.raf) return;
    this.raf = requestAnimationFrame((t) => {
      this.raf = 0;
      this.draw(t);
    });
  }

  /** Draws now (the overlay always, the image layer when it changed or `image` is set). */
  draw(frameTime: number, image = false): void {
    const s = this.scene;
    const r = s.renderer;
    if (!r) return;
    if (image) this.imageDirty = true;
    const t0 = performance.now();
    if (this.imageDirty) {
      r.drawImage(s.view);
      this.imageDirty = false;
    }
    const tool = s.tool;
    r.drawOverlay(s.view, s.store, tool?.drawOverlay ? (g) => tool.drawOverlay!(g, s.view, s.ctx) : undefined);
    this.frames?.record(performance.now() - t0, frameTime);
    if (s.imageReady && document.body.dataset.edgeflowReady !== '1') {
      document.body.dataset.edgeflowReady = '1';
    }
  }
}

/**
 * Calls `onResize` when `container` changes size or the device pixel ratio changes (window zoom,
 * another monitor: the element keeps its CSS size). Returns the function that stops watching.
 */
export function watchSize(container: HTMLElement, onResize: () => void): () => void {
  const ro = new ResizeObserver(() => onResize());
  ro.observe(container);
  let dprQuery: MediaQueryList | null = null;
  const onDpr = () => {
    onResize();
    watchDpr();
  };
  const watchDpr = () => {
    dprQuery?.removeEventListener('change', onDpr);
    dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    dprQuery.addEventListener('change', onDpr);
  };
  watchDpr();
  return () => {
    ro.disconnect();
    dprQuery?.removeEventListener('change', onDpr);
  };
}
