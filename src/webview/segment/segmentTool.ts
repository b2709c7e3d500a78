/**
 * The click-segmentation tool: left click marks the object, right click (or Shift/Alt + left
 * click) the background; the host
 * runs EdgeFlow and sends probabilities, shown as a mask overlay with its polygon outline. Space
 * (a tap, not a Space-drag pan) or Enter finishes the object as ONE document edit (`addObject`,
 * or `setGeometry` when refining a selected object); Backspace undoes the last click; Escape
 * cancels. Threshold, largest region, hole filling and simplification apply live.
 */
import { h, render } from 'preact';
import { cloneRegions } from '../../shared/annotation';
import { multiPolygonBBox } from '../../shared/geometry/polygon';
import type { HostToWebview } from '../../shared/protocol';
import type { Tool, ToolContext, ToolPointerEvent } from '../tools';
import { t } from '../l10n';
import type { ViewTransform } from '../view';
import './segment.css';
import { contrastStroke, MaskCanvas } from './maskCanvas';
import { SegmentPanel, type SegmentPanelActions } from './SegmentPanel';
import { lastStepIsStroke, segment, type SegmentOptions } from './segmentState';

let ctxRef: ToolContext | null = null;
let panelRoot: HTMLElement | null = null;
let overlay: MaskCanvas | null = null;
let recomputeQueued = false;
let spaceHeld = false;
let pointerWhileSpace = false;
let finishing = false;
/** Space came while the newest click was still being predicted: finish when its mask arrives. */
let finishWhenReady = false;

/** Fraction by which a selected object's box grows when deciding "a click refines it". */
const REFINE_MARGIN = 0.2;

function post(ctx: ToolContext, m: Parameters<ToolContext['host']['post']>[0]): void {
  ctx.host.post(m);
}

function color(ctx: ToolContext): string {
  if (segment.refineId !== null) {
    const o = ctx.store.model.getObject(segment.refineId);
    if (o) return ctx.store.classColor(o.classId);
  }
  return ctx.store.activeClassId !== null ? ctx.store.classColor(ctx.store.activeClassId) : '#ffcc00';
}

/** While refining, the object is drawn with the new geometry (the editor's preview). */
let previewId: number | null = null;
function syncPreview(ctx: ToolContext): void {
  const id = segment.refineId;
  if (id !== null && segment.active && segment.poly && segment.polygonFresh && segment.poly.regions.length) {
    ctx.store.preview = { id, regions: segment.poly.regions };
    previewId = id;
  } else if (previewId !== null) {
    if (ctx.store.preview?.id === previewId) ctx.store.preview = null;
    previewId = null;
  }
}

function notifyAll(ctx: ToolContext): void {
  syncPreview(ctx);
  segment.changed();
  ctx.changed();
  ctx.requestRender();
}

/** Slider changes on boxes larger than this also get the mask drawn first, the polygon after. */
const DEFER_POLYGON_PIXELS = 500_000;
let polygonQueued = false;

/**
 * Recomputes the mask now and traces its polygon right after the mask is drawn (the next task
 * after the next frame) for a new result (`newResult`) or a large box, so a click's mask is on
 * screen without waiting for the tracing; results that arrive meanwhile are traced once, for the
 * newest mask. Slider drags on small boxes trace at once (no outline flicker). Finishing traces
 * at once.
 */
function refresh(ctx: ToolContext, newResult = false): void {
  try {
    segment.recomputeMask();
    const m = segment.mask;
    if (!m || m.area === 0 || (!newResult && m.box.width * m.box.height <= DEFER_POLYGON_PIXELS)) segment.recomputePolygon();
    else if (!polygonQueued) {
      polygonQueued = true;
      requestAnimationFrame(() =>
        setTimeout(() => {
          polygonQueued = false;
          try {
            segment.recomputePolygon(true);
          } catch (e) {
            ctx.host.reportError(e);
          }
          notifyAll(ctx);
        }, 0),
      );
    }
  } catch (e) {
    ctx.host.reportError(e);
  }
  notifyAll(ctx);
}

/** Recomputes on the next frame (slider drags stay smooth). */
function scheduleRecompute(ctx: ToolContext): void {
  if (recomputeQueued) return;
  recomputeQueued = true;
  requestAnimationFrame(() => {
    recomputeQueued = false;
    refresh(ctx);
  });
}

function sendClicks(ctx: ToolContext, undo: boolean): void {
  segment.status = 'busy';
  post(ctx, { type: 'segmentClicks', session: segment.session, clicks: segment.clicks.slice(), undo });
  ctx.setCursor('progress');
  notifyAll(ctx);
}

/** Starts a session: refine the selected object when the click is on or near it. */
function begin(ctx: ToolContext, x: number, y: number): void {
  const sel = ctx.store.selection?.finished ? undefined : ctx.store.selectedObject;
  let refine: number | null = null;
  if (sel && !sel.hidden && sel.regions.length) {
    const [x0, y0, x1, y1] = multiPolygonBBox(sel.regions);
    const mx = (x1 - x0) * REFINE_MARGIN, my = (y1 - y0) * REFINE_MARGIN;
    if (x >= x0 - mx && x <= x1 + mx && y >= y0 - my && y <= y1 + my) refine = sel.id;
  }
  if (refine === null && ctx.store.selection) ctx.store.selection = null;
  segment.session++;
  segment.active = true;
  segment.justFinished = false;
  segment.refineId = refine;
  segment.clicks = [];
  segment.result = null;
  segment.recompute();
  post(ctx, { type: 'segmentStart', session: segment.session, refineObjectId: refine });
}

function end(ctx: ToolContext): void {
  finishWhenReady = false;
  if (segment.active) post(ctx, { type: 'segmentEnd', session: segment.session });
  segment.clear();
  ctx.setCursor('crosshair');
  notifyAll(ctx);
}

/**
 * Backspace in a session: undoes the newest step, a brush stroke (put back what it overwrote, the
 * host drops it and answers without it) or a click.
 */
function undoStep(ctx: ToolContext): boolean {
  if (!segment.active) return false;
  if (lastStepIsStroke(segment)) {
    const s = segment.strokes.pop()!;
    for (let i = s.before.length - 1; i >= 0; i--) segment.override!.restore(s.before[i]);
    segment.status = 'busy';
    post(ctx, { type: 'segmentUndoStroke', session: segment.session });
    refresh(ctx, true);
    return true;
  }
  return undoClick(ctx);
}

function undoClick(ctx: ToolContext): boolean {
  if (!segment.active || segment.clicks.length === 0) return false;
  segment.clicks.pop();
  if (segment.clicks.length === 0 && segment.refineId === null) {
    segment.result = null;
    segment.recompute();
  }
  sendClicks(ctx, true);
  return true;
}

function reset(ctx: ToolContext): void {
  if (!segment.active) return;
  segment.clicks = [];
  // Back to the start: the host drops the strokes with the clicks (a rewind to no clicks).
  segment.strokes = [];
  segment.override?.clear();
  if (segment.refineId === null) {
    segment.result = null;
    segment.recompute();
  }
  sendClicks(ctx, true);
}

async function finish(ctx: ToolContext): Promise<void> {
  if (finishing || !segment.active) return;
  if (segment.status === 'busy') {
    finishWhenReady = true;
    return;
  }
  finishWhenReady = false;
  segment.recomputePolygon();
  const poly = segment.poly;
  if (!poly || poly.regions.length === 0) {
    ctx.notify(segment.clicks.length ? t('The mask is empty at this threshold: nothing to finish.') : t('Click on the object first.'));
    return;
  }
  finishing = true;
  try {
    const regions = cloneRegions(poly.regions);
    if (segment.refineId !== null) {
      const o = ctx.store.model.getObject(segment.refineId);
      if (!o) throw new Error(`object ${segment.refineId} no longer exists`);
      if (ctx.commit({ kind: 'setGeometry', id: o.id, before: cloneRegions(o.regions), after: regions })) ctx.store.selection = { id: o.id };
    } else {
      const classId = await ctx.classForNewObject();
      const add = ctx.store.model.makeAdd(classId, regions);
      // The finished object stays selected: a class key or the toolbar's class then changes it,
      // as the toolbar shows (issue 30); the next click still starts a new object.
      if (ctx.commit(add) && add.kind === 'addObject') ctx.store.selection = { id: add.object.id, finished: true };
      else ctx.store.selection = null;
    }
    end(ctx);
    segment.justFinished = true;
    segment.changed();
  } catch (e) {
    ctx.notify(t('Could not finish the object: {0}', (e as Error).message));
  } finally {
    finishing = false;
  }
}

function cancel(ctx: ToolContext): boolean {
  if (!segment.active) return false;
  segment.justFinished = false;
  end(ctx);
  return true;
}

/**
 * After a model error (the host dropped its predictor): opens the model again and, when an
 * object is in progress, runs its clicks again (a refinement starts again from its object).
 */
function retry(ctx: ToolContext): void {
  if (segment.status !== 'error') return;
  segment.status = 'loading';
  segment.message = null;
  post(ctx, { type: 'segmentStart', session: segment.session, refineObjectId: segment.active ? segment.refineId : null });
  if (segment.active && segment.clicks.length) sendClicks(ctx, false);
  else notifyAll(ctx);
}

let rememberTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells the host the user's mask options (once a slider drag settles): the next image starts with them. */
function rememberOptions(ctx: ToolContext): void {
  if (rememberTimer !== undefined) clearTimeout(rememberTimer);
  rememberTimer = setTimeout(() => {
    rememberTimer = undefined;
    const { threshold, keepLargest, fillHoles, tolerance, autoFirst } = segment.options;
    post(ctx, { type: 'segmentOptions', options: { threshold, keepLargest, fillHoles, tolerance, autoFirst } });
  }, 300);
}

const actions: SegmentPanelActions = {
  setOptions(patch: Partial<SegmentOptions>) {
    segment.options = { ...segment.options, ...patch };
    if (ctxRef) {
      scheduleRecompute(ctxRef);
      rememberOptions(ctxRef);
    }
  },
  undoClick: () => ctxRef && undoStep(ctxRef),
  reset: () => ctxRef && reset(ctxRef),
  finish: () => ctxRef && void finish(ctxRef),
  cancel: () => ctxRef && cancel(ctxRef),
  retry: () => ctxRef && retry(ctxRef),
  openSetting: (key) => {
    const ctx = ctxRef;
    ctx?.host.request('openSetting', { key }).catch((e: Error) => ctx.notify(e.message));
  },
};

/** True when Space belongs to a focused control (typing, a button, a checkbox, a slider). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(el.tagName);
}

// Space is also "hold to pan" in the editor: a tap finishes, a hold with a drag pans.
const onKeyDown = (e: KeyboardEvent): void => {
  if (e.code !== 'Space' || e.repeat || isTyping(e.target)) return;
  spaceHeld = true;
  pointerWhileSpace = false;
};
const onKeyUp = (e: KeyboardEvent): void => {
  if (e.code !== 'Space' || !spaceHeld) return;
  spaceHeld = false;
  if (!pointerWhileSpace && ctxRef && !isTyping(e.target)) void finish(ctxRef);
};
const onPointerCapture = (): void => {
  if (spaceHeld) pointerWhileSpace = true;
};

/** Shows the panel (also when the tool was restored without `activate`). */
function ensureActive(ctx: ToolContext): void {
  ctxRef = ctx;
  if (panelRoot?.isConnected) return;
  const side = document.querySelector('[data-testid="side-panel"]');
  if (!side) return;
  panelRoot = document.createElement('div');
  panelRoot.className = 'segment-panel-root';
  side.prepend(panelRoot);
  render(h(SegmentPanel, { actions }), panelRoot);
  // Open the model now (decode, session, warm-up) so the first click is answered at once.
  if (!segment.active) {
    segment.session++;
    post(ctx, { type: 'segmentStart', session: segment.session, refineObjectId: null });
  }
  window.addEventListener('keydown', onKeyDown, true);
  window.addEventListener('keyup', onKeyUp, true);
  window.addEventListener('pointerdown', onPointerCapture, true);
}

/**
 * The mask as a box-sized canvas in the object's colour: rebuilt when the mask is recomputed,
 * repainted only in the dragged box while a brush stroke is live.
 */
function overlayCanvas(ctx: ToolContext): HTMLCanvasElement | null {
  const mask = segment.mask;
  if (!mask || mask.box.width === 0) return null;
  const c = color(ctx);
  overlay ??= new MaskCanvas();
  const key = `${segment.maskRevision}|${c}`;
  if (overlay.key !== key) overlay.full(mask.data, mask.grid.width, mask.grid.height, c, key);
  else if (segment.liveDirty) {
    const d = segment.liveDirty;
    // The dirty box is on the segmentation grid, as the mask's data (see `mask.gridBox`).
    overlay.partial(mask.data, mask.grid.width, { x: d.x - mask.gridBox.x, y: d.y - mask.gridBox.y, width: d.width, height: d.height });
  }
  segment.liveDirty = null;
  return overlay.canvas;
}

function drawClicks(g: CanvasRenderingContext2D, v: ViewTransform): void {
  segment.clicks.forEach((c, i) => {
    const x = c.x * v.scale + v.tx, y = c.y * v.scale + v.ty;
    g.beginPath();
    g.arc(x, y, i === segment.clicks.length - 1 ? 6 : 5, 0, Math.PI * 2);
    g.fillStyle = c.positive ? '#2ecc40' : '#ff4136';
    g.fill();
    g.lineWidth = 1.5;
    g.strokeStyle = '#ffffff';
    g.stroke();
  });
}

/** Tools that take the click tool's object in progress over instead of cancelling it. */
export const BRUSH_TOOLS = new Set(['brush', 'eraser']);

/** Cancels the object in progress and removes the panel and listeners. */
function closeSession(ctx: ToolContext): void {
  cancel(ctx);
  window.removeEventListener('keydown', onKeyDown, true);
  window.removeEventListener('keyup', onKeyUp, true);
  window.removeEventListener('pointerdown', onPointerCapture, true);
  if (panelRoot) {
    render(null, panelRoot);
    panelRoot.remove();
    panelRoot = null;
  }
  overlay = null;
  ctx.setCursor('');
}

/**
 * What the brush tool uses of the click tool's session (brushTool.ts): it paints into the same
 * object, shows the same panel and overlay, and finishes, cancels and undoes the same way.
 */
export const clickSession = {
  ensureActive,
  /** Starts an object made of strokes only (the brush with nothing selected and no object in progress). */
  beginEmpty(ctx: ToolContext): void {
    if (ctx.store.selection) ctx.store.selection = null;
    segment.session++;
    segment.active = true;
    segment.justFinished = false;
    segment.refineId = null;
    segment.clicks = [];
    segment.result = null;
    segment.recompute();
    post(ctx, { type: 'segmentStart', session: segment.session, refineObjectId: null });
  },
  post,
  /** Redraws after a stroke ended (mask now, polygon right after on a large box). */
  refresh: (ctx: ToolContext) => refresh(ctx, true),
  notifyAll,
  finish: (ctx: ToolContext) => void finish(ctx),
  cancel,
  undoStep,
  close: closeSession,
  /** True while the click tool's panel is shown. */
  isOpen: (): boolean => panelRoot?.isConnected ?? false,
  drawOverlay: (g: CanvasRenderingContext2D, v: ViewTransform, ctx: ToolContext) => segmentTool.drawOverlay!(g, v, ctx),
};

export const segmentTool: Tool = {
  id: 'segment',
  title: 'Click segmentation (S): left click = object, right click = background, Space = finish',
  icon: 'sparkle',
  order: 5,

  activate(ctx) {
    ensureActive(ctx);
    ctx.setCursor('crosshair');
  },

  deactivate(ctx, next) {
    // The brush and the eraser take the object in progress over (its panel stays).
    if (segment.active && next !== undefined && BRUSH_TOOLS.has(next)) return;
    closeSession(ctx);
  },

  isBusy() {
    return segment.active;
  },

  pointerDown(e: ToolPointerEvent, ctx) {
    ensureActive(ctx);
    if (e.button !== 0 && e.button !== 2) return false;
    const im = ctx.store.image;
    if (!im || e.x < 0 || e.y < 0 || e.x >= im.width || e.y >= im.height) return false;
    finishWhenReady = false; // a click after Space: the user is still correcting
    if (!segment.active) begin(ctx, e.x, e.y);
    // Right click, or Shift/Alt + left click (trackpads), marks the background.
    const positive = e.button === 0 && !e.shiftKey && !e.altKey;
    segment.clicks.push({ x: e.x, y: e.y, positive });
    sendClicks(ctx, false);
    return true;
  },

  pointerMove(_e, ctx) {
    ctx.setCursor(segment.status === 'busy' || segment.status === 'loading' ? 'progress' : 'crosshair');
  },

  // Enter / Escape / Backspace straight from the webview while an object is active, so finishing,
  // cancelling or undoing right after a click never waits for VS Code's keybinding (whose command
  // would apply to whatever session is current when it arrives; input.ts keeps it from coming).
  keyDown(e, ctx) {
    if (!segment.active || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return false;
    // A focused button (reached with Tab) keeps Enter for itself.
    if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName !== 'BUTTON') {
      void finish(ctx);
      return true;
    }
    if (e.key === 'Escape') return cancel(ctx);
    if (e.key === 'Backspace' || e.key === 'Delete') {
      undoStep(ctx);
      return true; // nothing to undo: still not the selected object's Delete
    }
    return false;
  },

  command(command, ctx) {
    switch (command) {
      case 'finishPolygon':
        if (!segment.active) return false;
        void finish(ctx);
        return true;
      case 'cancel':
        return cancel(ctx);
      case 'deleteSelection':
        return undoStep(ctx);
      default:
        return false;
    }
  },

  hostMessage(m: HostToWebview, ctx) {
    if (m.type === 'init') {
      // The mask options the user last set in this workspace (any image, any session).
      if (m.segmentOptions) {
        segment.options = { ...segment.options, ...m.segmentOptions };
        segment.changed();
      }
      return;
    }
    if (m.type === 'segmentStatus') {
      // Session -1: the editor's model, loaded before any click (keepModelLoaded), not a click's:
      // it shows only while nothing is busy or failed (a failed object keeps its error and Retry).
      if (m.session === -1) {
        if (m.device) segment.device = m.device;
        if (segment.status === 'busy' || segment.status === 'error') return;
      } else if (m.session !== segment.session && m.state !== 'loading') return;
      if (m.device) segment.device = m.device;
      if (m.state === 'error') {
        finishWhenReady = false;
        segment.status = 'error';
        segment.message = m.message ?? t('Click segmentation failed.');
        ctx.notify(segment.message);
      } else if (m.state === 'ready' && segment.status === 'busy' && m.session === segment.session) {
        // A 'ready' after a superseded click: keep 'busy' until the newest result arrives.
      } else {
        // Leaving the error state drops its message (the panel would show it as a stale title).
        if (segment.status === 'error') segment.message = null;
        segment.status = m.state;
        if (m.message) segment.message = m.message;
      }
      if (segment.status !== 'busy' && segment.status !== 'loading') ctx.setCursor('crosshair');
      segment.changed();
      return;
    }
    if (m.type === 'segmentResult') {
      if (m.session !== segment.session || !segment.active) return;
      // A result for an older click list (after an undo raced a click) is not drawn.
      if (m.clickCount !== segment.clicks.length) return;
      segment.result = m.sample ? { box: m.box, data: new Uint8Array(m.data), sample: m.sample } : { box: m.box, data: new Uint8Array(m.data) };
      segment.resultClicks = m.clickCount;
      segment.lastMs = m.ms;
      segment.status = 'ready';
      segment.message = null;
      ctx.setCursor('crosshair');
      refresh(ctx, true);
      if (finishWhenReady) void finish(ctx);
    }
  },

  stateReplaced(ctx) {
    if (segment.refineId !== null && !ctx.store.model.getObject(segment.refineId)) cancel(ctx);
  },

  drawOverlay(g, v, ctx) {
    ensureActive(ctx);
    const canvas = overlayCanvas(ctx);
    const mask = segment.mask;
    if (canvas && mask && ctx.store.overlayOpacity > 0) {
      g.save();
      g.imageSmoothingEnabled = false;
      g.globalAlpha = ctx.store.overlayOpacity;
      g.drawImage(canvas, mask.box.x * v.scale + v.tx, mask.box.y * v.scale + v.ty, mask.box.width * v.scale, mask.box.height * v.scale);
      g.restore();
    }
    const poly = segment.poly;
    if (poly && segment.polygonFresh) {
      // Dark under light (issue 30, bug 6): the class colour alone vanished on objects of that colour.
      g.save();
      g.beginPath();
      for (const r of poly.regions) {
        for (const ring of [r.outer, ...r.holes]) {
          for (let i = 0; i < ring.length; i += 2) {
            const x = ring[i] * v.scale + v.tx, y = ring[i + 1] * v.scale + v.ty;
            if (i === 0) g.moveTo(x, y);
            else g.lineTo(x, y);
          }
          g.closePath();
        }
      }
      contrastStroke(g, 1.5, [6, 4]);
      g.restore();
    }
    drawClicks(g, v);
  },
};
