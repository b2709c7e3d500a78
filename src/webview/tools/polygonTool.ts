/**
 * The manual polygon tool (works without any model): click to place vertices; click the first
 * vertex or run "Finish Polygon" (Enter) to close; Backspace/Delete or right-click removes the
 * last vertex; Escape cancels. The finished polygon becomes one `addObject` edit with the active
 * class (a first class "object" is created when the labels file has none).
 */
import { t } from '../l10n';
import type { Tool, ToolContext } from '../tools';
import { clampToImage } from './selectTool';

let draft: number[] = [];
let hover: { x: number; y: number } | null = null;
let finishing = false;

function firstVertexNear(ctx: ToolContext, x: number, y: number): boolean {
  if (draft.length < 6) return false;
  const v = ctx.view();
  const dx = (draft[0] - x) * v.scale;
  const dy = (draft[1] - y) * v.scale;
  return Math.hypot(dx, dy) <= ctx.store.settings.hitRadius;
}

async function finish(ctx: ToolContext): Promise<void> {
  // Nothing to finish (e.g. Enter handled in the webview, then the same key as a VS Code command).
  if (finishing || draft.length === 0) return;
  if (draft.length < 6) {
    ctx.notify(t('A polygon needs at least 3 vertices.'));
    return;
  }
  const ring = draft;
  finishing = true;
  try {
    const classId = await ctx.classForNewObject();
    const edit = ctx.store.model.makeAdd(classId, [{ outer: ring, holes: [] }]);
    draft = [];
    if (ctx.commit(edit) && edit.kind === 'addObject') ctx.store.selection = { id: edit.object.id };
    ctx.changed();
  } catch (e) {
    ctx.notify(t('Could not add the polygon: {0}', (e as Error).message));
  } finally {
    finishing = false;
    ctx.requestRender();
  }
}

export const polygonTool: Tool = {
  id: 'polygon',
  title: 'Draw polygon (P)',
  icon: 'edit',
  order: 10,

  activate(ctx) {
    ctx.setCursor('crosshair');
  },

  deactivate(ctx) {
    draft = [];
    hover = null;
    ctx.setCursor('');
  },

  isBusy() {
    return draft.length > 0;
  },

  pointerDown(e, ctx) {
    if (e.button === 2) {
      if (!draft.length) return false;
      draft.length -= 2;
      ctx.changed();
      ctx.requestRender();
      return true;
    }
    if (e.button !== 0) return false;
    if (firstVertexNear(ctx, e.x, e.y)) {
      void finish(ctx);
      return true;
    }
    const p = clampToImage(ctx, e.x, e.y);
    const n = draft.length;
    if (n >= 2) {
      const v = ctx.view();
      // A second click on the same spot is a double-click, not a new vertex.
      if (Math.hypot((draft[n - 2] - p.x) * v.scale, (draft[n - 1] - p.y) * v.scale) < 2) return true;
    }
    const wasEmpty = draft.length === 0;
    draft.push(p.x, p.y);
    if (wasEmpty) {
      ctx.store.selection = null;
      ctx.changed();
    }
    ctx.requestRender();
    return true;
  },

  pointerMove(e, ctx) {
    hover = clampToImage(ctx, e.x, e.y);
    ctx.setCursor('crosshair');
    if (draft.length) ctx.requestRender();
  },

  keyDown(e, ctx) {
    if (!draft.length || e.altKey || e.ctrlKey || e.metaKey) return false;
    if (e.key === 'Enter') {
      void finish(ctx);
      return true;
    }
    if (e.key === 'Escape' || e.key === 'Backspace' || e.key === 'Delete') {
      // Backspace / Delete: the last vertex (a draft of one vertex goes with it).
      if (e.key === 'Escape') draft = [];
      else draft.length -= 2;
      ctx.changed();
      ctx.requestRender();
      return true;
    }
    return false;
  },

  command(command, ctx) {
    switch (command) {
      case 'finishPolygon':
        void finish(ctx);
        return true;
      case 'cancel':
        if (!draft.length) return false;
        draft = [];
        ctx.changed();
        ctx.requestRender();
        return true;
      case 'deleteSelection':
        if (!draft.length) return false;
        draft.length -= 2;
        ctx.changed();
        ctx.requestRender();
        return true;
      default:
        return false;
    }
  },

  drawOverlay(g, v, ctx) {
    if (!draft.length) return;
    const color = ctx.store.activeClassId !== null ? ctx.store.classColor(ctx.store.activeClassId) : '#ffcc00';
    const pts: [number, number][] = [];
    for (let i = 0; i < draft.length; i += 2) pts.push([draft[i] * v.scale + v.tx, draft[i + 1] * v.scale + v.ty]);
    g.lineWidth = 2;
    g.strokeStyle = color;
    g.beginPath();
    g.moveTo(pts[0][0], pts[0][1]);
    for (const [x, y] of pts.slice(1)) g.lineTo(x, y);
    if (hover) {
      const closing = firstVertexNear(ctx, hover.x, hover.y);
      g.lineTo(closing ? pts[0][0] : hover.x * v.scale + v.tx, closing ? pts[0][1] : hover.y * v.scale + v.ty);
    }
    g.stroke();
    pts.forEach(([x, y], i) => {
      const first = i === 0;
      const r = first && hover && firstVertexNear(ctx, hover.x, hover.y) ? 7 : first ? 5 : 3.5;
      g.beginPath();
      g.arc(x, y, r, 0, Math.PI * 2);
      g.fillStyle = first ? color : '#ffffff';
      g.fill();
      g.strokeStyle = first ? '#ffffff' : color;
      g.lineWidth = 1.5;
      g.stroke();
    });
  },
};
