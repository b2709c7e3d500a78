/**
 * The brush (B) and the eraser (E), issue 30: one tool in two modes (right button or Alt gives the
 * other mode for one stroke). A stroke edits, in this order of precedence:
 *
 * - the click tool's object in progress (`segment.active`, also handed over from the click tool
 *   without cancelling it): drawn into the session's override layer at once, sent to the host as
 *   one `segmentStroke` when it ends; later clicks keep it; Backspace undoes it (one step per
 *   stroke, in order with the clicks); Space/Enter finish the object as with clicks;
 * - else the selected object: its polygons as a mask on their box, the stroke drawn into it, traced
 *   back into polygons when the stroke ends, ONE `setGeometry` edit (VS Code's undo undoes it);
 * - else, painting starts a new object made of strokes (finished like a click object).
 *
 * The size (diameter in image pixels) is set with [ and ] (a quarter bigger or smaller) or
 * Alt + wheel, and shown by a round cursor at the image's scale. While the pointer moves, only the
 * stroke's new segment is rasterised and only its box of the overlay is repainted: a stroke on a
 * 24-megapixel image copies nothing image-sized.
 */
import { h, render } from 'preact';
import { cloneRegions } from '../../shared/annotation';
import { MAX_BRUSH_RADIUS, MAX_STROKE_POINTS, strokeBounds, type BrushMode, type BrushStroke } from '../../shared/geometry/brush';
import { toWorkingPoints, toWorkingRadius } from '../../shared/inference/workingImage';
import type { OverridePatch } from '../../shared/geometry/brush';
import { t } from '../l10n';
import type { Tool, ToolContext, ToolPointerEvent } from '../tools';
import type { ViewTransform } from '../view';
import { BrushPanel } from './BrushPanel';
import { contrastStroke, MaskCanvas } from './maskCanvas';
import { ObjectMaskEdit } from './objectMaskEdit';
import { BRUSH_TOOLS, clickSession } from './segmentTool';
import { segment } from './segmentState';

/** The brush's observable state (the panel shows it). */
export const brush = {
  /** Diameter in image pixels; 0 until the first image picks a default. */
  size: 0,
  /** The last finished-object edit's polygon cost. */
  lastEdit: null as { id: number; vertexCount: number; iou: number } | null,
  listeners: new Set<() => void>(),
  changed(): void {
    for (const l of [...this.listeners]) l();
  },
};

/** Sizes [ and ] step through: a quarter per press, from 1 pixel to the largest radius. */
const SIZE_STEP = 1.25;
const MIN_SIZE = 1;
const MAX_SIZE = 2 * MAX_BRUSH_RADIUS;

type Live =
  | {
      kind: 'session';
      /** In image pixels: what the host gets. */
      stroke: { mode: BrushMode; radius: number; points: number[] };
      /** The same on the segmentation grid (a very large image's working copy), drawn at once; else `stroke`. */
      grid: { mode: BrushMode; radius: number; points: number[] };
      before: OverridePatch[];
      drawn: number;
    }
  | { kind: 'object'; edit: ObjectMaskEdit };

let live: Live | null = null;
/** The pointer in image pixels (the round cursor), null off the canvas. */
let pointer: { x: number; y: number; sx: number; sy: number } | null = null;
let panelRoot: HTMLElement | null = null;
const editCanvas = new MaskCanvas();

function ensureSize(ctx: ToolContext): void {
  if (brush.size > 0) return;
  const im = ctx.store.image;
  // About a fortieth of the shorter side: a few strokes cover a part of an object.
  brush.size = im ? Math.max(4, Math.round(Math.min(im.width, im.height) / 40)) : 10;
}

/** Sets the diameter (clamped) and redraws the cursor. */
export function setBrushSize(ctx: ToolContext, size: number): void {
  brush.size = Math.min(MAX_SIZE, Math.max(MIN_SIZE, Math.round(size * 10) / 10));
  brush.changed();
  ctx.requestRender();
}

/** Shows the brush panel at the top of the side panel (above the click panel it may share it with). */
function showPanel(ctx: ToolContext, mode: BrushMode): void {
  const side = document.querySelector('[data-testid="side-panel"]');
  if (!side) return;
  if (!panelRoot?.isConnected) {
    panelRoot = document.createElement('div');
    panelRoot.className = 'brush-panel-root';
  }
  if (side.firstChild !== panelRoot) side.prepend(panelRoot);
  render(h(BrushPanel, { mode, setSize: (s: number) => setBrushSize(ctx, s), setMode: (id: string) => ctx.setTool(id) }), panelRoot);
}

function hidePanel(): void {
  if (!panelRoot) return;
  render(null, panelRoot);
  panelRoot.remove();
  panelRoot = null;
}

function beginSessionStroke(ctx: ToolContext, mode: BrushMode, x: number, y: number): void {
  const im = ctx.store.image!;
  segment.startStrokes(im.width, im.height);
  const stroke = { mode, radius: brush.size / 2, points: [x, y] };
  const w = segment.working;
  const grid = w ? { mode, radius: toWorkingRadius(stroke.radius, w), points: toWorkingPoints(stroke.points, w) } : stroke;
  live = { kind: 'session', stroke, grid, before: [], drawn: 0 };
  drawSessionPart(ctx);
}

/** Draws the points added since the last call into the session's override and its mask. */
function drawSessionPart(ctx: ToolContext): void {
  if (live?.kind !== 'session') return;
  const o = segment.override!, s = live.grid, n = s.points.length / 2;
  const need = strokeBounds(s, { x: 0, y: 0, width: o.width, height: o.height }, live.drawn, n);
  if (need) live.before.push(o.save(need));
  const dirty = o.draw(s, live.drawn, n);
  live.drawn = n;
  if (dirty) segment.strokeLive(dirty);
  ctx.requestRender();
}

function endSessionStroke(ctx: ToolContext): void {
  if (live?.kind !== 'session') return;
  const { stroke, before } = live;
  live = null;
  segment.strokes.push({ stroke, clickCount: segment.clicks.length, before });
  clickSession.post(ctx, { type: 'segmentStroke', session: segment.session, stroke: stroke as BrushStroke });
  clickSession.refresh(ctx);
}

function endObjectStroke(ctx: ToolContext): void {
  if (live?.kind !== 'object') return;
  const { edit } = live;
  live = null;
  if (ctx.store.preview?.id === edit.id) ctx.store.preview = null;
  const o = ctx.store.model.getObject(edit.id);
  if (!o) {
    ctx.requestRender();
    return;
  }
  if (!edit.changed) {
    ctx.requestRender();
    return;
  }
  const traced = edit.trace(segment.options.tolerance);
  if (traced.regions.length === 0) {
    ctx.notify(t('That stroke would erase the whole object: press Delete to remove it.'));
  } else if (ctx.commit({ kind: 'setGeometry', id: o.id, before: cloneRegions(o.regions), after: traced.regions })) {
    ctx.store.selection = { id: o.id };
    brush.lastEdit = { id: o.id, vertexCount: traced.vertexCount, iou: traced.iou };
    brush.changed();
  }
  ctx.changed();
  ctx.requestRender();
}

function endStroke(ctx: ToolContext): void {
  if (live?.kind === 'session') endSessionStroke(ctx);
  else if (live?.kind === 'object') endObjectStroke(ctx);
}

/** Adds the pointer's position to the live stroke when it moved far enough (a fraction of the size). */
function addPoint(ctx: ToolContext, x: number, y: number, last = false): void {
  if (!live) return;
  const pts = live.kind === 'session' ? live.stroke.points : live.edit.stroke.points;
  const lx = pts[pts.length - 2], ly = pts[pts.length - 1];
  const step = Math.max(0.75, brush.size / 8);
  if ((x - lx) ** 2 + (y - ly) ** 2 < (last ? 0.01 : step * step) || pts.length >= 2 * MAX_STROKE_POINTS) return;
  pts.push(x, y);
  if (live.kind === 'session') {
    if (live.grid !== live.stroke) live.grid.points.push(...toWorkingPoints([x, y], segment.working!));
    drawSessionPart(ctx);
  }
  else {
    live.edit.extend();
    ctx.requestRender();
  }
}

function drawObjectEdit(g: CanvasRenderingContext2D, v: ViewTransform, ctx: ToolContext): void {
  if (live?.kind !== 'object') return;
  const e = live.edit;
  const o = ctx.store.model.getObject(e.id);
  const color = o ? ctx.store.classColor(o.classId) : '#ffcc00';
  const key = `${e.generation}|${color}`;
  if (editCanvas.key !== key || e.dirty === null) editCanvas.full(e.mask, e.box.width, e.box.height, color, key);
  else editCanvas.partial(e.mask, e.box.width, { x: e.dirty.x - e.box.x, y: e.dirty.y - e.box.y, width: e.dirty.width, height: e.dirty.height });
  e.dirty = { x: e.box.x, y: e.box.y, width: 0, height: 0 };
  g.save();
  g.imageSmoothingEnabled = false;
  // The object's own fill is hidden meanwhile (an empty preview): the mask stands for it.
  g.globalAlpha = Math.max(0.35, ctx.store.overlayOpacity);
  g.drawImage(editCanvas.canvas, e.box.x * v.scale + v.tx, e.box.y * v.scale + v.ty, e.box.width * v.scale, e.box.height * v.scale);
  g.restore();
}

function drawCursor(g: CanvasRenderingContext2D, v: ViewTransform, mode: BrushMode): void {
  if (!pointer) return;
  const x = pointer.x * v.scale + v.tx, y = pointer.y * v.scale + v.ty;
  const r = Math.max(1.5, (brush.size / 2) * v.scale);
  g.save();
  g.beginPath();
  g.arc(x, y, r, 0, Math.PI * 2);
  // The eraser's outline is dashed: the mode reads off the cursor.
  contrastStroke(g, 1.25, mode === 'erase' ? [4, 3] : []);
  g.beginPath();
  g.arc(x, y, 1.5, 0, Math.PI * 2);
  g.fillStyle = '#ffffff';
  g.fill();
  g.restore();
}

function other(mode: BrushMode): BrushMode {
  return mode === 'paint' ? 'erase' : 'paint';
}

function makeBrushTool(id: 'brush' | 'eraser', mode: BrushMode): Tool {
  /** The mode of the stroke in progress (right button or Alt inverts it). */
  let strokeMode: BrushMode = mode;
  return {
    id,
    title: id === 'brush'
      ? 'Brush (B): paint into the mask or the selected object · [ ] or Alt+wheel: size · right button: erase'
      : 'Eraser (E): erase from the mask or the selected object · [ ] or Alt+wheel: size · right button: paint',
    icon: id === 'brush' ? 'edit' : 'clear-all',
    order: id === 'brush' ? 6 : 7,

    activate(ctx) {
      ensureSize(ctx);
      if (segment.active) clickSession.ensureActive(ctx);
      showPanel(ctx, mode);
      ctx.setCursor('none');
    },

    deactivate(ctx, next) {
      endStroke(ctx);
      pointer = null;
      hidePanel();
      // The click tool and the other brush mode go on with the object in progress.
      if (next !== 'segment' && !(next !== undefined && BRUSH_TOOLS.has(next))) clickSession.close(ctx);
      ctx.setCursor('');
    },

    isBusy() {
      return segment.active || live !== null;
    },

    pointerDown(e: ToolPointerEvent, ctx) {
      if (e.button !== 0 && e.button !== 2) return false;
      const im = ctx.store.image;
      if (!im) return false;
      ensureSize(ctx);
      if (!panelRoot?.isConnected) showPanel(ctx, mode);
      endStroke(ctx);
      strokeMode = e.button === 2 || e.altKey ? other(mode) : mode;
      if (segment.active) {
        beginSessionStroke(ctx, strokeMode, e.x, e.y);
        return true;
      }
      const o = ctx.store.selectedObject;
      if (o && !o.hidden && o.regions.length) {
        const stroke = { mode: strokeMode, radius: brush.size / 2, points: [e.x, e.y] };
        live = { kind: 'object', edit: new ObjectMaskEdit(o.id, o.regions, stroke, im.width, im.height) };
        ctx.store.preview = { id: o.id, regions: [] };
        ctx.requestRender();
        return true;
      }
      if (strokeMode === 'erase') {
        ctx.notify(t('Nothing to erase: select an object, or click one with the click tool (S) first.'));
        return true;
      }
      // Nothing selected: paint a new object (finished with Space or Enter, like a click object).
      clickSession.ensureActive(ctx);
      showPanel(ctx, mode); // back above the click panel ensureActive just added
      clickSession.beginEmpty(ctx);
      beginSessionStroke(ctx, strokeMode, e.x, e.y);
      clickSession.notifyAll(ctx);
      return true;
    },

    pointerMove(e, ctx) {
      pointer = { x: e.x, y: e.y, sx: e.sx, sy: e.sy };
      if (live) addPoint(ctx, e.x, e.y);
      ctx.requestRender();
    },

    pointerUp(e, ctx) {
      addPoint(ctx, e.x, e.y, true);
      endStroke(ctx);
    },

    pointerLeave(ctx) {
      pointer = null;
      ctx.requestRender();
    },

    wheel(e, ctx) {
      // Alt: Ctrl+wheel is the trackpad's pinch zoom and Shift+wheel pans.
      if (!e.altKey || e.ctrlKey || e.shiftKey) return false;
      setBrushSize(ctx, e.deltaY < 0 ? brush.size * SIZE_STEP : brush.size / SIZE_STEP);
      return true;
    },

    keyDown(e, ctx) {
      if (!segment.active || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return false;
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName !== 'BUTTON') {
        endStroke(ctx);
        clickSession.finish(ctx);
        return true;
      }
      if (e.key === 'Escape') {
        live = null;
        return clickSession.cancel(ctx);
      }
      if (e.key === 'Backspace' || e.key === 'Delete') {
        if (!live) clickSession.undoStep(ctx);
        return true;
      }
      return false;
    },

    command(command, ctx) {
      switch (command) {
        // [ and ] size the brush here (they select the previous/next object elsewhere).
        case 'nextObject':
          setBrushSize(ctx, brush.size * SIZE_STEP);
          return true;
        case 'previousObject':
          setBrushSize(ctx, brush.size / SIZE_STEP);
          return true;
        case 'finishPolygon':
          if (!segment.active) return false;
          endStroke(ctx);
          clickSession.finish(ctx);
          return true;
        case 'cancel':
          if (!segment.active) return false;
          live = null;
          return clickSession.cancel(ctx);
        case 'deleteSelection':
          if (!segment.active) return false;
          if (live) return true;
          return clickSession.undoStep(ctx);
        default:
          return false;
      }
    },

    stateReplaced(ctx) {
      if (live?.kind === 'object' && !ctx.store.model.getObject(live.edit.id)) {
        live = null;
        ctx.store.preview = null;
      }
    },

    drawOverlay(g, v, ctx) {
      // A tool restored with the image's remembered state is not activated: show its panel now.
      if (!panelRoot?.isConnected) {
        ensureSize(ctx);
        showPanel(ctx, mode);
      }
      // The object in progress was finished or cancelled (every end redraws): the click tool's
      // panel, shown for it, goes, so the side panel shows the brush alone, the active tool.
      if (!segment.active && live === null && clickSession.isOpen()) {
        clickSession.close(ctx);
        ctx.setCursor('none');
      }
      if (segment.active) clickSession.drawOverlay(g, v, ctx);
      drawObjectEdit(g, v, ctx);
      drawCursor(g, v, live?.kind === 'session' ? live.stroke.mode : live?.kind === 'object' ? live.edit.stroke.mode : mode);
    },
  };
}

export const brushTool = makeBrushTool('brush', 'paint');
export const eraserTool = makeBrushTool('eraser', 'erase');
