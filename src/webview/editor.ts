/**
 * The editor controller: owns the store, the view transform, the renderer and the tools; turns
 * host messages, input and forwarded commands into state changes; posts edits, status and UI
 * context to the host. The parts live beside it:
 * - renderLoop.ts: redraws once per animation frame, watches the canvas size;
 * - input.ts: pointer, wheel, keyboard and focus;
 * - hostDispatch.ts: the host's messages; commands.ts: forwarded commands;
 * - hostRequests.ts: label and sidecar requests; persistence.ts: `vscode.setState`;
 * - debugApi.ts + frameStats.ts: `window.__edgeflowDebug`, in builds with `__EDGEFLOW_DEBUG__`.
 *
 * Test hooks (see test/e2e/README-hooks.md): `document.body.dataset.edgeflowReady === "1"` once the
 * image has been decoded and drawn (every build); `window.__edgeflowDebug` (debugApi.ts); stable
 * `data-testid`s on the canvas, tool buttons, class selector, objects list and classes.
 */
import { getAttribute, type AnnotationEdit, type AttributeValue } from '../shared/annotation';
import { multiPolygonBBox } from '../shared/geometry/polygon';
import type { ImageInfo, SessionUi, WebviewCommand } from '../shared/protocol';
import { runCommand } from './commands';
import { installDebugApi } from './debugApi';
import type { HostConnection } from './host';
import { dispatchHostMessage } from './hostDispatch';
import { HostRequests } from './hostRequests';
import { InputController } from './input';
import { t } from './l10n';
import { Persistence } from './persistence';
import { RenderLoop, watchSize } from './renderLoop';
import { Renderer } from './renderer';
import { EditorStore } from './store';
import { Tool, ToolContext, ToolPointerEvent, getTool, getTools, readOnlyNotice } from './tools';
import { ViewTransform, actualSize, fitView, imageToScreen, panBy, zoomAt } from './view';

export class Editor {
  readonly store = new EditorStore();
  /** Canvas CSS px = image px × scale + t. Set through `setView` (the benchmark sets it directly). */
  view: ViewTransform = { scale: 1, tx: 0, ty: 0 };
  /** The canvas layers, while the canvas component is mounted. */
  renderer: Renderer | null = null;
  /** The canvas container element, while mounted. */
  container: HTMLElement | null = null;
  /** The image has been decoded. */
  imageReady = false;
  readonly render = new RenderLoop(this);
  readonly requests = new HostRequests(this);
  readonly ctx: ToolContext;
  private readonly input: InputController;
  private readonly persistence: Persistence;
  private img: HTMLImageElement | null = null;
  private viewInitialised = false;
  private lastUi = '';
  private cursor: { x: number; y: number } | null = null;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private loadToken = 0;

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
      classForNewObject: () => self.requests.classForNewObject(),
    };
    this.persistence = new Persistence(host, () => {
      const s = this.store;
      if (!s.image) return null;
      return { src: s.image.src, view: this.view, tool: s.toolId, activeClassId: s.activeClassId, brightness: s.brightness, contrast: s.contrast };
    });
    host.listen((m) => dispatchHostMessage(this, m));
    this.input = new InputController(this);
    if (__EDGEFLOW_DEBUG__) installDebugApi(this);
  }

  /** Tells the host we are listening (the host posts nothing before this). */
  start(): void {
    this.host.post({ type: 'ready' });
  }

  get tool(): Tool | undefined {
    return getTool(this.store.toolId);
  }

  // ----------------------------------------------------------------------------------------
  // Canvas

  /** Called by the canvas component once its elements exist; returns the function that detaches. */
  attach(container: HTMLElement, imageCanvas: HTMLCanvasElement, overlayCanvas: HTMLCanvasElement): () => void {
    this.container = container;
    this.renderer = new Renderer(imageCanvas, overlayCanvas);
    this.renderer.onImageChange = () => this.requestRender(true);
    // The image may have loaded before the canvas existed.
    if (this.img) this.renderer.setImage(this.img, this.fullImage());
    const unwatch = watchSize(container, () => this.onResize());
    const detachInput = this.input.attach(container);
    this.onResize();
    return () => {
      unwatch();
      detachInput();
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
    this.render.request(image);
  }

  /** The real size and tiles of a very large image shown through a preview; undefined otherwise. */
  private fullImage(): { width: number; height: number; tiles: NonNullable<ImageInfo['tiles']> } | undefined {
    const im = this.store.image;
    return im?.tiles ? { width: im.width, height: im.height, tiles: im.tiles } : undefined;
  }

  /** Decodes the image at `src` and shows it (a later call supersedes an earlier one). */
  async loadImage(src: string): Promise<void> {
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

  /**
   * An image with no remembered state of its own starts with the tool and class last used in
   * this window's annotator editors (the host's `session`), so next/previous image keep them.
   */
  restoreSession(session: SessionUi | undefined, src: string): void {
    // The overlay opacity is the window's, whatever the image remembers.
    if (session?.overlayOpacity !== undefined) this.store.overlayOpacity = session.overlayOpacity;
    if (!session || this.persistence.read(src)) return;
    if (getTool(session.tool)) this.store.toolId = session.tool;
    const cls = session.activeClassId;
    if (cls !== null && this.store.labels.some((l) => l.id === cls)) this.store.activeClassId = cls;
  }

  /** Restores the view, tool, class and adjustments remembered for the image at `src`. */
  restorePersisted(src: string): void {
    const p = this.persistence.read(src);
    if (!p) return;
    this.view = p.view;
    this.viewInitialised = true;
    if (getTool(p.tool)) this.store.toolId = p.tool;
    this.store.activeClassId = p.activeClassId;
    this.store.brightness = p.brightness;
    this.store.contrast = p.contrast;
  }

  // ----------------------------------------------------------------------------------------
  // View

  setView(v: ViewTransform): void {
    this.view = v;
    this.viewInitialised = true;
    this.requestRender(true);
    this.scheduleStatus();
    this.persistence.schedule();
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
  // State changes

  /** Notifies the UI, the host's context keys and schedules persistence. */
  changed(): void {
    this.store.changed();
    this.postUiContext();
    this.persistence.schedule();
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
    try {
      // An edit that does not fit throws before it changes anything (AnnotationModel.apply):
      // no copy of the document to roll back to.
      this.store.model.apply(edit);
    } catch (e) {
      this.host.reportError(e);
      return false;
    }
    this.host.post({ type: 'edit', edit });
    this.store.sanitize();
    this.changed();
    this.requestRender(false);
    return true;
  }

  /** Runs a forwarded or toolbar command (commands.ts). */
  runCommand(command: WebviewCommand): void {
    runCommand(this, command);
  }

  setTool(id: string): void {
    const next = getTool(id);
    if (!next || id === this.store.toolId) return;
    this.tool?.deactivate?.(this.ctx, id);
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

  /**
   * Sets (or, with null, removes) one attribute of object `id`: one document edit, so one undo
   * step; nothing when the stored value is already that.
   */
  setObjectAttribute(id: number, name: string, value: AttributeValue | null): void {
    const o = this.store.model.getObject(id);
    if (!o) return;
    const before = getAttribute(o.attributes, name) ?? null;
    if (before === value) return;
    this.commit({ kind: 'setAttribute', id, name, before, after: value });
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
  // Status and context keys for the host

  /** Posts the host's context keys (focus, drawing, selection, tool) when they changed. */
  postUiContext(): void {
    const ui = {
      textInputFocus: this.input.textInputFocus,
      drawing: this.tool?.isBusy?.() ?? false,
      hasSelection: !!this.store.selection,
      tool: this.store.toolId,
      focused: this.input.focused,
      activeClassId: this.store.activeClassId,
      overlayOpacity: this.store.overlayOpacity,
    };
    const key = JSON.stringify(ui);
    if (key === this.lastUi) return;
    this.lastUi = key;
    this.host.post({ type: 'uiContext', ...ui });
  }

  /** The pointer moved to `te` (null: it left the canvas): the status bar shows its pixel. */
  setCursorPos(te: ToolPointerEvent | null): void {
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
}
