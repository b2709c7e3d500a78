/**
 * The editor controller: owns the store, the view transform, the renderer and the tools; turns
 * host messages, pointer input and forwarded commands into state changes; posts edits, status and
 * UI context to the host.
 *
 * Test hooks (see test/e2e/README-hooks.md):
 * - `document.body.dataset.edgeflowReady === "1"` once the image has been decoded and drawn.
 * - `window.__edgeflowDebug`: read-only snapshot getters (objects, view, selection, tool, labels,
 *   frame statistics) plus `imageToClient(x, y)` and `resetFrameStats()`.
 * - Stable `data-testid`s on the canvas, tool buttons, class selector, objects list and classes.
 */
import { AnnotationEdit, AnnotationObject, cloneState, deleteVertex } from '../shared/annotation';
import { multiPolygonBBox } from '../shared/geometry/polygon';
import type { HostToWebview, ImageInfo, SidecarAction, WebviewCommand } from '../shared/protocol';
import type { HostConnection } from './host';
import { Renderer, makeMaskLayer } from './renderer';
import { setStrings, t } from './l10n';
import { EditorStore } from './store';
import { Tool, ToolContext, ToolPointerEvent, getTool, getTools, readOnlyNotice } from './tools';
import { ViewTransform, actualSize, fitView, panBy, screenToImage, imageToScreen, wheelZoomFactor, zoomAt } from './view';

/** What the webview remembers across being hidden and rebuilt (vscode.setState). */
interface PersistedState {
  src: string;
  view: ViewTransform;
  tool: string;
  activeClassId: number | null;
  brightness: number;
  contrast: number;
}

/** Rolling frame statistics of canvas redraws (milliseconds of draw work per frame). */
export interface FrameStats {
  /** Frames drawn since the last reset. */
  frames: number;
  /** Mean / 95th percentile / max draw time over the last `window` frames. */
  avgMs: number;
  p95Ms: number;
  maxMs: number;
  /** Mean interval between consecutive frames while interacting (display-rate bound). */
  avgIntervalMs: number;
  window: number;
}

const FRAME_WINDOW = 120;

export class Editor {
  readonly store = new EditorStore();
  view: ViewTransform = { scale: 1, tx: 0, ty: 0 };
  private renderer: Renderer | null = null;
  private container: HTMLElement | null = null;
  private img: HTMLImageElement | null = null;
  private imageReady = false;
  private raf = 0;
  private imageDirty = true;
  private viewInitialised = false;
  private drawTimes: number[] = [];
  private intervals: number[] = [];
  private lastFrameAt = 0;
  private framesDrawn = 0;
  private spaceDown = false;
  private pan: { pointerId: number; sx: number; sy: number; view: ViewTransform } | null = null;
  private toolPointer: number | null = null;
  private focused = document.hasFocus();
  private textInputFocus = false;
  private lastUi = '';
  private cursor: { x: number; y: number } | null = null;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private loadToken = 0;
  readonly ctx: ToolContext;

  constructor(readonly host: HostConnection) {
    const self = this;
    this.ctx = {
      store: this.store,
      host,
      view: () => self.view,
      hitRadius: () => self.store.settings.hitRadius / self.view.scale,
      commit: (edit) => self.commit(edit),
      requestRender: () => self.requestRender(false),
      changed: () => self.changed(),
      setCursor: (c) => {
        if (self.container) self.container.style.cursor = c;
      },
      notify: (m) => self.notify(m),
      setTool: (id) => self.setTool(id),
      classForNewObject: () => self.classForNewObject(),
    };
    host.listen((m) => this.onHostMessage(m));
    window.addEventListener('focus', () => this.setFocused(true));
    window.addEventListener('blur', () => this.setFocused(false));
    document.addEventListener('focusin', () => this.updateTextFocus());
    document.addEventListener('focusout', () => setTimeout(() => this.updateTextFocus(), 0));
    window.addEventListener('keydown', (e) => this.onKeyDown(e));
    window.addEventListener('keyup', (e) => this.onKeyUp(e));
    this.installDebug();
  }

  /** Tells the host we are listening (the host posts nothing before this). */
  start(): void {
    this.host.post({ type: 'ready' });
  }

  get tool(): Tool | undefined {
    return getTool(this.store.toolId);
  }

  // ----------------------------------------------------------------------------------------
  // Canvas attachment and rendering

  /** Called by the canvas component once its elements exist. */
  attach(container: HTMLElement, imageCanvas: HTMLCanvasElement, overlayCanvas: HTMLCanvasElement): () => void {
    this.container = container;
    this.renderer = new Renderer(imageCanvas, overlayCanvas);
    this.renderer.onImageChange = () => this.requestRender(true);
    // The image may have loaded before the canvas existed.
    if (this.img) this.renderer.setImage(this.img, this.fullImage());
    const ro = new ResizeObserver(() => this.onResize());
    ro.observe(container);
    // A device-pixel-ratio change (window zoom, another monitor) does not resize the element.
    let dprQuery: MediaQueryList | null = null;
    const onDpr = () => {
      this.onResize();
      watchDpr();
    };
    const watchDpr = () => {
      dprQuery?.removeEventListener('change', onDpr);
      dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      dprQuery.addEventListener('change', onDpr);
    };
    watchDpr();
    const opts: AddEventListenerOptions = { passive: false };
    const down = (e: PointerEvent) => this.onPointerDown(e);
    const move = (e: PointerEvent) => this.onPointerMove(e);
    const up = (e: PointerEvent) => this.onPointerUp(e);
    const leave = () => this.setCursorPos(null);
    const wheel = (e: WheelEvent) => this.onWheel(e);
    const menu = (e: Event) => e.preventDefault();
    container.addEventListener('pointerdown', down);
    container.addEventListener('pointermove', move);
    container.addEventListener('pointerup', up);
    container.addEventListener('pointercancel', up);
    container.addEventListener('pointerleave', leave);
    container.addEventListener('wheel', wheel, opts);
    container.addEventListener('contextmenu', menu);
    // Middle-button auto-scroll would fight our panning.
    container.addEventListener('mousedown', (e) => e.button === 1 && e.preventDefault());
    this.onResize();
    return () => {
      ro.disconnect();
      dprQuery?.removeEventListener('change', onDpr);
      container.removeEventListener('pointerdown', down);
      container.removeEventListener('pointermove', move);
      container.removeEventListener('pointerup', up);
      container.removeEventListener('pointercancel', up);
      container.removeEventListener('pointerleave', leave);
      container.removeEventListener('wheel', wheel);
      container.removeEventListener('contextmenu', menu);
      this.renderer = null;
      this.container = null;
    };
  }

  private onResize(): void {
    if (!this.container || !this.renderer) return;
    const r = this.container.getBoundingClientRect();
    const before = this.renderer.size;
    this.renderer.resize(r.width, r.height, window.devicePixelRatio || 1);
    if (!this.viewInitialised && this.imageReady) this.fit();
    else if (this.viewInitialised) {
      // Keep the image centre where it was relative to the viewport centre.
      this.view = panBy(this.view, (r.width - before.width) / 2, (r.height - before.height) / 2);
    }
    this.requestRender(true);
  }

  /** Schedules one redraw on the next animation frame. `image`: the image layer changed too. */
  requestRender(image: boolean): void {
    if (image) this.imageDirty = true;
    if (this.raf) return;
    this.raf = requestAnimationFrame((t) => {
      this.raf = 0;
      this.renderNow(t);
    });
  }

  private renderNow(frameTime: number): void {
    const r = this.renderer;
    if (!r) return;
    const t0 = performance.now();
    if (this.imageDirty) {
      r.drawImage(this.view);
      this.imageDirty = false;
    }
    const tool = this.tool;
    r.drawOverlay(this.view, this.store, tool?.drawOverlay ? (g) => tool.drawOverlay!(g, this.view, this.ctx) : undefined);
    const dt = performance.now() - t0;
    this.drawTimes.push(dt);
    if (this.drawTimes.length > FRAME_WINDOW) this.drawTimes.shift();
    if (this.lastFrameAt && frameTime - this.lastFrameAt < 250) {
      this.intervals.push(frameTime - this.lastFrameAt);
      if (this.intervals.length > FRAME_WINDOW) this.intervals.shift();
    }
    this.lastFrameAt = frameTime;
    this.framesDrawn++;
    if (this.imageReady && document.body.dataset.edgeflowReady !== '1') {
      document.body.dataset.edgeflowReady = '1';
    }
  }

  /** Frame statistics (see FrameStats). */
  frameStats(): FrameStats {
    const d = this.drawTimes.slice().sort((a, b) => a - b);
    const avg = d.length ? d.reduce((s, x) => s + x, 0) / d.length : 0;
    const iv = this.intervals;
    return {
      frames: this.framesDrawn,
      avgMs: round3(avg),
      p95Ms: round3(d.length ? d[Math.min(d.length - 1, Math.floor(d.length * 0.95))] : 0),
      maxMs: round3(d.length ? d[d.length - 1] : 0),
      avgIntervalMs: round3(iv.length ? iv.reduce((s, x) => s + x, 0) / iv.length : 0),
      window: FRAME_WINDOW,
    };
  }

  /**
   * Pan/zoom benchmark for tests: animates the view for `frames` animation frames (zooming in
   * and out around the centre while panning) and reports the interval between frames and the
   * draw time; each frame forces rasterisation with a 1-pixel readback where the canvas allows
   * it, so the numbers include the raster work and not only the command recording.
   */
  benchmark(frames = 120): Promise<{ frames: number; avgFrameMs: number; p95FrameMs: number; maxFrameMs: number; avgDrawMs: number; fps: number; flushed: boolean }> {
    const start = this.view;
    const c = this.centre();
    const intervals: number[] = [];
    const draws: number[] = [];
    let flushed = true;
    return new Promise((resolve) => {
      let i = 0;
      let last = 0;
      const step = (t: number) => {
        if (last) intervals.push(t - last);
        last = t;
        if (i >= frames || !this.renderer) {
          this.view = start;
          this.requestRender(true);
          const sorted = intervals.slice().sort((a, b) => a - b);
          const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
          resolve({
            frames: intervals.length,
            avgFrameMs: round3(avg(intervals)),
            p95FrameMs: round3(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0),
            maxFrameMs: round3(sorted[sorted.length - 1] ?? 0),
            avgDrawMs: round3(avg(draws)),
            fps: round3(intervals.length ? 1000 / avg(intervals) : 0),
            flushed,
          });
          return;
        }
        const phase = i / frames;
        const zoom = Math.pow(2, 3 * Math.sin(phase * Math.PI * 2));
        const v = zoomAt(start, zoom, c.x, c.y);
        this.view = panBy(v, 200 * Math.sin(phase * Math.PI * 4), 120 * Math.cos(phase * Math.PI * 4));
        const t0 = performance.now();
        this.imageDirty = true;
        this.renderNow(t);
        try {
          this.renderer!.imageCanvas.getContext('2d')!.getImageData(0, 0, 1, 1);
          this.renderer!.overlayCanvas.getContext('2d')!.getImageData(0, 0, 1, 1);
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

  resetFrameStats(): void {
    this.drawTimes = [];
    this.intervals = [];
    this.framesDrawn = 0;
    this.lastFrameAt = 0;
  }

  // ----------------------------------------------------------------------------------------
  // View

  setView(v: ViewTransform): void {
    this.view = v;
    this.viewInitialised = true;
    this.requestRender(true);
    this.scheduleStatus();
    this.schedulePersist();
  }

  fit(): void {
    if (!this.renderer || !this.store.image) return;
    const { width, height } = this.renderer.size;
    this.setView(fitView(width, height, this.store.image.width, this.store.image.height));
  }

  private centre(): { x: number; y: number } {
    const s = this.renderer?.size ?? { width: 0, height: 0 };
    return { x: s.width / 2, y: s.height / 2 };
  }

  zoomBy(factor: number): void {
    const c = this.centre();
    this.setView(zoomAt(this.view, factor, c.x, c.y));
  }

  zoom100(): void {
    const c = this.centre();
    this.setView(actualSize(this.view, c.x, c.y));
  }

  // ----------------------------------------------------------------------------------------
  // Host messages

  private onHostMessage(m: HostToWebview): void {
    switch (m.type) {
      case 'init':
        setStrings(m.strings);
        this.store.image = m.image;
        this.store.labels = m.labels;
        this.store.settings = m.settings;
        this.store.readOnly = m.readOnly ?? null;
        this.store.model.reset(m.state);
        this.restorePersisted(m.image.src);
        this.store.sanitize();
        if (m.image.error) {
          // The host could not read the image: say why where the image would be; nothing to edit.
          this.store.error = m.image.error;
          this.changed();
          document.body.dataset.edgeflowImageError = '1';
          break;
        }
        this.changed();
        void this.loadImage(m.image.src);
        break;
      case 'state':
        this.store.model.reset(m.state);
        this.store.preview = null;
        for (const t of getTools()) t.stateReplaced?.(this.ctx);
        this.store.sanitize();
        this.changed();
        this.requestRender(false);
        break;
      case 'labels':
        this.store.labels = m.labels;
        this.store.sanitize();
        this.changed();
        this.requestRender(false);
        break;
      case 'settings':
        this.store.settings = m.settings;
        this.changed();
        this.requestRender(false);
        break;
      case 'command':
        this.runCommand(m.command);
        break;
      case 'selectClass':
        this.selectClass(m.classId);
        break;
      case 'maskOverlay':
        if (this.renderer) {
          try {
            this.renderer.mask = m.data ? makeMaskLayer(m.data, m.width, m.height, m.color) : null;
          } catch (e) {
            this.host.reportError(e);
          }
          this.requestRender(false);
        }
        break;
      case 'reply':
        break;
      case 'readOnly':
        this.store.readOnly = m.info;
        this.changed();
        break;
    }
    for (const t of getTools()) t.hostMessage?.(m, this.ctx);
  }

  /** The real size and tiles of a very large image shown through a preview; undefined otherwise. */
  private fullImage(): { width: number; height: number; tiles: NonNullable<ImageInfo['tiles']> } | undefined {
    const im = this.store.image;
    return im?.tiles ? { width: im.width, height: im.height, tiles: im.tiles } : undefined;
  }

  private async loadImage(src: string): Promise<void> {
    const token = ++this.loadToken;
    const img = new Image();
    img.decoding = 'async';
    img.src = src;
    try {
      await img.decode();
    } catch {
      if (token !== this.loadToken) return;
      this.store.error = t('Cannot display {0}.', this.store.image?.fileName ?? '');
      this.changed();
      this.host.post({ type: 'webviewError', message: `image failed to load: ${this.store.image?.fileName}` });
      return;
    }
    if (token !== this.loadToken) return;
    this.img = img;
    this.imageReady = true;
    this.renderer?.setImage(img, this.fullImage());
    // A preview stands for the full image: report the size it stands for when its shape agrees.
    const full = this.fullImage();
    const matches = full && Math.abs(img.naturalWidth / img.naturalHeight - full.width / full.height) < 0.01;
    const [naturalWidth, naturalHeight] = matches ? [full.width, full.height] : [img.naturalWidth, img.naturalHeight];
    this.host.post({ type: 'imageLoaded', naturalWidth, naturalHeight });
    if (!this.viewInitialised) this.fit();
    this.requestRender(true);
    this.scheduleStatus();
  }

  private restorePersisted(src: string): void {
    const p = this.host.getState<PersistedState>();
    if (!p || p.src !== src) return;
    this.view = p.view;
    this.viewInitialised = true;
    if (getTool(p.tool)) this.store.toolId = p.tool;
    this.store.activeClassId = p.activeClassId;
    this.store.brightness = p.brightness;
    this.store.contrast = p.contrast;
  }

  private schedulePersist(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      if (!this.store.image) return;
      const s: PersistedState = {
        src: this.store.image.src,
        view: this.view,
        tool: this.store.toolId,
        activeClassId: this.store.activeClassId,
        brightness: this.store.brightness,
        contrast: this.store.contrast,
      };
      this.host.setState(s);
    }, 300);
  }

  // ----------------------------------------------------------------------------------------
  // State changes

  /** Notifies the UI, the host's context keys and schedules persistence. */
  changed(): void {
    this.store.changed();
    this.postUiContext();
    this.schedulePersist();
  }

  /** Applies an edit locally and posts it to the host as one undo step. */
  commit(edit: AnnotationEdit): boolean {
    // Without a readable image there is nothing to check an edit against: the sidecar stays as it is.
    if (this.store.image?.error) return false;
    if (this.store.readOnly) {
      // The host would refuse it: the sidecar could not be read (see the banner).
      this.notify(readOnlyNotice());
      this.store.preview = null;
      for (const tool of getTools()) tool.stateReplaced?.(this.ctx);
      this.requestRender(false);
      return false;
    }
    const before = cloneState(this.store.model.state);
    try {
      this.store.model.apply(edit);
    } catch (e) {
      this.store.model.reset(before);
      this.host.reportError(e);
      return false;
    }
    this.host.post({ type: 'edit', edit });
    this.store.sanitize();
    this.changed();
    this.requestRender(false);
    return true;
  }

  setTool(id: string): void {
    const next = getTool(id);
    if (!next || id === this.store.toolId) return;
    this.tool?.deactivate?.(this.ctx);
    this.store.toolId = id;
    if (this.container) this.container.style.cursor = '';
    next.activate?.(this.ctx);
    this.changed();
    this.requestRender(false);
  }

  selectObject(id: number | null): void {
    this.store.selection = id === null ? null : { id };
    const o = id === null ? undefined : this.store.model.getObject(id);
    if (o && this.store.labels.some((l) => l.id === o.classId)) this.store.activeClassId = o.classId;
    this.changed();
    this.requestRender(false);
  }

  /** Selects an object and, when it is off screen, pans (without zooming) to centre it. */
  revealObject(id: number): void {
    this.selectObject(id);
    const o = this.store.model.getObject(id);
    if (!o || !this.renderer) return;
    const b = multiPolygonBBox(o.regions);
    const { width, height } = this.renderer.size;
    const p0 = imageToScreen(this.view, b[0], b[1]);
    const p1 = imageToScreen(this.view, b[2], b[3]);
    if (p1.x < 0 || p1.y < 0 || p0.x > width || p0.y > height) {
      this.setView(panBy(this.view, width / 2 - (p0.x + p1.x) / 2, height / 2 - (p0.y + p1.y) / 2));
    }
  }

  /** Sets the class for new objects, and changes the selected object's class. */
  selectClass(classId: number): void {
    this.store.activeClassId = classId;
    const o = this.store.selectedObject;
    if (o && o.classId !== classId) this.commit({ kind: 'setClass', id: o.id, before: o.classId, after: classId });
    else this.changed();
  }

  setObjectClass(id: number, classId: number): void {
    const o = this.store.model.getObject(id);
    if (o && o.classId !== classId) this.commit({ kind: 'setClass', id, before: o.classId, after: classId });
  }

  toggleHidden(id: number): void {
    const o = this.store.model.getObject(id);
    if (o) this.commit({ kind: 'setHidden', id, before: o.hidden, after: !o.hidden });
  }

  deleteObject(id: number): void {
    const i = this.store.model.indexOf(id);
    if (i < 0) return;
    this.commit({ kind: 'removeObject', object: this.store.objects[i], index: i });
  }

  /** Deletes the selected vertex (when one is selected) or the selected object. */
  deleteSelection(): void {
    const sel = this.store.selection;
    const o = this.store.selectedObject;
    if (!sel || !o) return;
    if (sel.vertex) {
      const after = deleteVertex(o.regions, sel.vertex);
      if (!after) {
        this.deleteObject(o.id);
        return;
      }
      this.store.selection = { id: o.id };
      this.commit({ kind: 'setGeometry', id: o.id, before: o.regions, after });
      return;
    }
    this.deleteObject(o.id);
  }

  private cycleSelection(delta: number): void {
    const visible = this.store.objects.filter((o) => !o.hidden);
    if (!visible.length) return;
    const i = visible.findIndex((o) => o.id === this.store.selection?.id);
    const next = i < 0 ? (delta > 0 ? 0 : visible.length - 1) : (i + delta + visible.length) % visible.length;
    this.revealObject(visible[next].id);
  }

  runCommand(command: WebviewCommand): void {
    if (this.tool?.command?.(command, this.ctx)) return;
    switch (command) {
      case 'fit':
        this.fit();
        return;
      case 'zoom100':
        this.zoom100();
        return;
      case 'zoomIn':
        this.zoomBy(1.25);
        return;
      case 'zoomOut':
        this.zoomBy(0.8);
        return;
      case 'toolSelect':
        this.setTool('select');
        return;
      case 'toolPolygon':
        this.setTool('polygon');
        return;
      case 'toolSegment':
        this.setTool('segment');
        return;
      case 'finishPolygon':
        return;
      case 'cancel':
        this.selectObject(null);
        return;
      case 'deleteSelection':
        this.deleteSelection();
        return;
      case 'nextObject':
        this.cycleSelection(1);
        return;
      case 'previousObject':
        this.cycleSelection(-1);
        return;
      case 'toggleHidden':
        if (this.store.selection) this.toggleHidden(this.store.selection.id);
        return;
      case 'focusClasses':
        document.querySelector<HTMLInputElement>('[data-testid="class-add-name"]')?.focus();
        return;
    }
  }

  async classForNewObject(): Promise<number> {
    const s = this.store;
    if (s.activeClassId !== null && s.labels.some((l) => l.id === s.activeClassId)) return s.activeClassId;
    if (s.labels.length) {
      s.activeClassId = s.labels[0].id;
      return s.activeClassId;
    }
    const label = await this.host.request('addLabel', { name: 'object' });
    if (!s.labels.some((l) => l.id === label.id)) s.labels = [...s.labels, label];
    s.activeClassId = label.id;
    this.changed();
    return label.id;
  }

  async addLabel(name: string, color?: string): Promise<void> {
    try {
      const label = await this.host.request('addLabel', color ? { name, color } : { name });
      if (!this.store.labels.some((l) => l.id === label.id)) this.store.labels = [...this.store.labels, label];
      this.store.activeClassId = label.id;
      this.changed();
    } catch (e) {
      this.notify((e as Error).message);
    }
  }

  /** Runs a read-only banner action on the host (it asks for confirmation itself). */
  async sidecarAction(action: SidecarAction): Promise<void> {
    try {
      await this.host.request('sidecarAction', { action });
    } catch (e) {
      this.notify((e as Error).message);
    }
  }

  async updateLabel(id: number, name: string, color: string): Promise<void> {
    try {
      await this.host.request('updateLabel', { id, name, color });
    } catch (e) {
      this.notify((e as Error).message);
      this.changed();
    }
  }

  async removeLabel(id: number): Promise<void> {
    try {
      await this.host.request('removeLabel', { id });
    } catch (e) {
      this.notify((e as Error).message);
    }
  }

  setAdjustments(brightness: number, contrast: number): void {
    this.store.brightness = brightness;
    this.store.contrast = contrast;
    this.changed();
  }

  notify(message: string): void {
    this.store.notice = message;
    this.store.changed();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.store.notice = null;
      this.store.changed();
    }, 4000);
  }

  // ----------------------------------------------------------------------------------------
  // Input

  private toolEvent(e: PointerEvent): ToolPointerEvent {
    const rect = this.container!.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const p = screenToImage(this.view, sx, sy);
    return { x: p.x, y: p.y, sx, sy, button: e.button, buttons: e.buttons, shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey };
  }

  private onPointerDown(e: PointerEvent): void {
    if (!this.container || !this.imageReady) return;
    this.container.focus({ preventScroll: true });
    const te = this.toolEvent(e);
    if (e.button === 1 || (e.button === 0 && this.spaceDown)) {
      this.startPan(e);
      return;
    }
    if (e.button !== 0 && e.button !== 2) return;
    if (this.store.readOnly && this.store.toolId !== 'select') {
      // Nothing can be drawn into a read-only document: say so now, not after the drawing.
      this.notify(readOnlyNotice());
      if (e.button === 0) this.startPan(e);
      return;
    }
    const handled = this.tool?.pointerDown?.(te, this.ctx) ?? false;
    if (handled) {
      this.toolPointer = e.pointerId;
      this.container.setPointerCapture(e.pointerId);
      e.preventDefault();
    } else if (e.button === 0) {
      this.startPan(e);
    }
  }

  private startPan(e: PointerEvent): void {
    this.pan = { pointerId: e.pointerId, sx: e.clientX, sy: e.clientY, view: this.view };
    this.container!.setPointerCapture(e.pointerId);
    this.container!.style.cursor = 'grabbing';
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.container) return;
    const te = this.toolEvent(e);
    this.setCursorPos(te);
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.setView(panBy(this.pan.view, e.clientX - this.pan.sx, e.clientY - this.pan.sy));
      return;
    }
    this.tool?.pointerMove?.(te, this.ctx);
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.container) return;
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.pan = null;
      this.container.style.cursor = this.spaceDown ? 'grab' : '';
      return;
    }
    if (this.toolPointer === e.pointerId) {
      this.toolPointer = null;
      this.tool?.pointerUp?.(this.toolEvent(e), this.ctx);
    }
  }

  private onWheel(e: WheelEvent): void {
    if (!this.container) return;
    e.preventDefault();
    const rect = this.container.getBoundingClientRect();
    const unit = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? rect.height : 1;
    // Ctrl+wheel (trackpad pinch) zooms like the wheel; shift+wheel pans horizontally.
    if (e.shiftKey && !e.ctrlKey) {
      this.setView(panBy(this.view, -e.deltaY * unit, 0));
      return;
    }
    this.setView(zoomAt(this.view, wheelZoomFactor(e.deltaY * unit), e.clientX - rect.left, e.clientY - rect.top));
  }

  private isTyping(target: EventTarget | null): boolean {
    const el = target as HTMLElement | null;
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
    if (el.tagName === 'INPUT') {
      const t = (el as HTMLInputElement).type;
      return !['range', 'color', 'checkbox', 'radio', 'button'].includes(t);
    }
    return false;
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (this.isTyping(e.target)) return;
    // Single-key shortcuts come as commands from VS Code's keybindings (so users can rebind
    // them). Handled here: Space-to-pan, and what the active tool takes (Enter/Escape while
    // drawing, so finishing never waits for the context-key round trip).
    if (this.tool?.keyDown?.(e, this.ctx)) {
      e.preventDefault();
      return;
    }
    if (e.code === 'Space') {
      e.preventDefault();
      if (!this.spaceDown) {
        this.spaceDown = true;
        if (this.container && !this.pan) this.container.style.cursor = 'grab';
      }
    }
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.code === 'Space') {
      this.spaceDown = false;
      if (this.container && !this.pan) this.container.style.cursor = '';
    }
  }

  private setFocused(f: boolean): void {
    this.focused = f;
    if (!f) this.spaceDown = false;
    this.postUiContext();
  }

  private updateTextFocus(): void {
    this.textInputFocus = this.isTyping(document.activeElement);
    this.postUiContext();
  }

  private postUiContext(): void {
    const ui = {
      textInputFocus: this.textInputFocus,
      drawing: this.tool?.isBusy?.() ?? false,
      hasSelection: !!this.store.selection,
      tool: this.store.toolId,
      focused: this.focused,
    };
    const key = JSON.stringify(ui);
    if (key === this.lastUi) return;
    this.lastUi = key;
    this.host.post({ type: 'uiContext', ...ui });
  }

  private setCursorPos(te: ToolPointerEvent | null): void {
    const im = this.store.image;
    this.cursor = te && im && te.x >= 0 && te.y >= 0 && te.x < im.width && te.y < im.height ? { x: te.x, y: te.y } : null;
    this.scheduleStatus();
  }

  private scheduleStatus(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.host.post({ type: 'viewStatus', zoom: this.view.scale, cursor: this.cursor });
      const pct = Math.round(this.view.scale * 1000) / 10;
      if (pct !== this.store.zoomPercent) {
        this.store.zoomPercent = pct;
        this.store.changed();
      }
    }, 50);
  }

  // ----------------------------------------------------------------------------------------
  // Test/debug hooks

  private installDebug(): void {
    const self = this;
    const copyObjects = (): AnnotationObject[] => JSON.parse(JSON.stringify(self.store.objects));
    const api = {
      get ready() {
        return document.body.dataset.edgeflowReady === '1';
      },
      get objects() {
        return copyObjects();
      },
      get view() {
        return { ...self.view };
      },
      get selection() {
        return self.store.selection ? JSON.parse(JSON.stringify(self.store.selection)) : null;
      },
      get tool() {
        return self.store.toolId;
      },
      get activeClassId() {
        return self.store.activeClassId;
      },
      get labels() {
        return self.store.labels.map((l) => ({ ...l }));
      },
      get image() {
        return self.store.image ? { ...self.store.image } : null;
      },
      get drawing() {
        return self.tool?.isBusy?.() ?? false;
      },
      get frameStats() {
        return self.frameStats();
      },
      /** Image pixel coordinates -> client (viewport) coordinates of this webview document. */
      imageToClient(x: number, y: number) {
        const rect = self.container?.getBoundingClientRect() ?? { left: 0, top: 0 };
        const p = imageToScreen(self.view, x, y);
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
      resetFrameStats() {
        self.resetFrameStats();
      },
      /** Tiles of a very large image: decoded in memory now, loaded in all (null: no tiles). */
      get tiles() {
        const l = self.renderer?.tileLayer;
        return l ? { cached: l.cachedTiles, loaded: l.loaded } : null;
      },
      /** Shows image point (x, y) at the viewport centre at `scale` screen pixels per image pixel. */
      zoomTo(x: number, y: number, scale: number) {
        const r = self.renderer?.size ?? { width: 1, height: 1 };
        self.setView({ scale, tx: r.width / 2 - x * scale, ty: r.height / 2 - y * scale });
      },
      /** Animated pan/zoom benchmark (see Editor.benchmark). */
      benchmark(frames?: number) {
        return self.benchmark(frames);
      },
    };
    Object.defineProperty(window, '__edgeflowDebug', { value: Object.freeze(api), writable: false, configurable: false });
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
