/**
 * The select tool: click an object to select it; drag it to move it; drag a vertex of the
 * selected object to move the vertex; click an edge of the selected object to insert a vertex
 * there (and drag it in the same gesture); Alt/Ctrl+click a vertex to delete it. Every gesture is
 * one `setGeometry` edit on pointer-up. In a read-only editor (unreadable sidecar) objects can be
 * selected but no gesture starts: the press that would move or delete something says why instead.
 */
import { MultiPolygonXY, VertexRef, deleteVertex, hitEdge, hitShape, hitVertex, insertVertex, moveVertex } from '../../shared/annotation';
import { multiPolygonBBox, translateMultiPolygon } from '../../shared/geometry/polygon';
import { readOnlyNotice, type Tool, type ToolContext, type ToolPointerEvent } from '../tools';

type Drag =
  | { kind: 'vertex'; id: number; before: MultiPolygonXY; base: MultiPolygonXY; ref: VertexRef; moved: boolean; inserted: boolean }
  | { kind: 'move'; id: number; before: MultiPolygonXY; startX: number; startY: number; startSx: number; startSy: number; moved: boolean }
  /** A press on an object in a read-only editor: it selected the object; dragging only says why nothing moves. */
  | { kind: 'blocked'; startSx: number; startSy: number; notified: boolean };

/** Rounds to the sidecar's 0.01 px grid, so what is shown is exactly what is saved. */
function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Clamps a point to the image rectangle (and rounds it to 0.01 px). */
export function clampToImage(ctx: ToolContext, x: number, y: number): { x: number; y: number } {
  const im = ctx.store.image;
  if (!im) return { x: r2(x), y: r2(y) };
  return { x: r2(Math.min(im.width, Math.max(0, x))), y: r2(Math.min(im.height, Math.max(0, y))) };
}

let drag: Drag | null = null;

function topmostHit(ctx: ToolContext, e: ToolPointerEvent): number | undefined {
  const objs = ctx.store.objects;
  const r = ctx.hitRadius();
  for (let i = objs.length - 1; i >= 0; i--) {
    const o = objs[i];
    if (!o.hidden && hitShape(o.regions, e.x, e.y, r)) return o.id;
  }
  return undefined;
}

export const selectTool: Tool = {
  id: 'select',
  title: 'Select and edit (V)',
  icon: 'inspect',
  order: 0,

  deactivate(ctx) {
    drag = null;
    ctx.store.preview = null;
  },

  pointerDown(e, ctx) {
    if (e.button !== 0) return false;
    const st = ctx.store;
    const r = ctx.hitRadius();
    const sel = st.selectedObject;
    const readOnly = Boolean(st.readOnly);
    if (sel && !sel.hidden) {
      const v = hitVertex(sel.regions, e.x, e.y, r);
      if (readOnly && (v || hitEdge(sel.regions, e.x, e.y, r))) {
        ctx.notify(readOnlyNotice());
        return true;
      }
      if (v) {
        const ref: VertexRef = { region: v.region, ring: v.ring, index: v.index };
        if (e.altKey || e.ctrlKey || e.metaKey) {
          const after = deleteVertex(sel.regions, ref);
          st.selection = { id: sel.id };
          if (after) ctx.commit({ kind: 'setGeometry', id: sel.id, before: sel.regions, after });
          else ctx.commit({ kind: 'removeObject', object: sel, index: ctx.store.model.indexOf(sel.id) });
          return true;
        }
        st.selection = { id: sel.id, vertex: ref };
        drag = { kind: 'vertex', id: sel.id, before: sel.regions, base: sel.regions, ref, moved: false, inserted: false };
        ctx.changed();
        ctx.requestRender();
        return true;
      }
      const edge = hitEdge(sel.regions, e.x, e.y, r);
      if (edge && !(e.altKey || e.ctrlKey || e.metaKey)) {
        const p = clampToImage(ctx, edge.x, edge.y);
        const base = insertVertex(sel.regions, edge, edge.edge, p.x, p.y);
        const ref: VertexRef = { region: edge.region, ring: edge.ring, index: edge.edge + 1 };
        st.selection = { id: sel.id, vertex: ref };
        st.preview = { id: sel.id, regions: base };
        drag = { kind: 'vertex', id: sel.id, before: sel.regions, base, ref, moved: false, inserted: true };
        ctx.changed();
        ctx.requestRender();
        return true;
      }
    }
    const id = topmostHit(ctx, e);
    if (id !== undefined) {
      const o = st.model.getObject(id)!;
      st.selection = { id };
      if (st.labels.some((l) => l.id === o.classId)) st.activeClassId = o.classId;
      drag = readOnly
        ? { kind: 'blocked', startSx: e.sx, startSy: e.sy, notified: false }
        : { kind: 'move', id, before: o.regions, startX: e.x, startY: e.y, startSx: e.sx, startSy: e.sy, moved: false };
      ctx.changed();
      ctx.requestRender();
      return true;
    }
    if (st.selection) {
      st.selection = null;
      ctx.changed();
      ctx.requestRender();
    }
    return false;
  },

  pointerMove(e, ctx) {
    const st = ctx.store;
    if (!drag) {
      const sel = st.selectedObject;
      const r = ctx.hitRadius();
      let cursor = '';
      const editable = !st.readOnly;
      if (sel && !sel.hidden && hitVertex(sel.regions, e.x, e.y, r)) cursor = !editable || e.altKey || e.ctrlKey ? 'not-allowed' : 'move';
      else if (sel && !sel.hidden && hitEdge(sel.regions, e.x, e.y, r)) cursor = editable ? 'copy' : 'not-allowed';
      else if (topmostHit(ctx, e) !== undefined) cursor = 'pointer';
      ctx.setCursor(cursor);
      return;
    }
    if (drag.kind === 'blocked') {
      if (!drag.notified && Math.hypot(e.sx - drag.startSx, e.sy - drag.startSy) >= 3) {
        drag.notified = true;
        ctx.notify(readOnlyNotice());
      }
      return;
    }
    if (drag.kind === 'vertex') {
      const p = clampToImage(ctx, e.x, e.y);
      st.preview = { id: drag.id, regions: moveVertex(drag.base, drag.ref, p.x, p.y) };
      drag.moved = true;
    } else {
      if (!drag.moved && Math.hypot(e.sx - drag.startSx, e.sy - drag.startSy) < 3) return;
      drag.moved = true;
      let dx = e.x - drag.startX;
      let dy = e.y - drag.startY;
      const im = st.image;
      if (im) {
        // Keep the whole object inside the image.
        const b = multiPolygonBBox(drag.before);
        dx = Math.min(im.width - b[2], Math.max(-b[0], dx));
        dy = Math.min(im.height - b[3], Math.max(-b[1], dy));
      }
      dx = r2(dx);
      dy = r2(dy);
      st.preview = { id: drag.id, regions: translateMultiPolygon(drag.before, dx, dy) };
      ctx.setCursor('grabbing');
    }
    ctx.requestRender();
  },

  pointerUp(_e, ctx) {
    const st = ctx.store;
    const d = drag;
    drag = null;
    if (!d || d.kind === 'blocked') return;
    const after = st.preview && st.preview.id === d.id ? st.preview.regions : d.kind === 'vertex' && d.inserted ? d.base : null;
    st.preview = null;
    if (after && (d.moved || (d.kind === 'vertex' && d.inserted))) {
      ctx.commit({ kind: 'setGeometry', id: d.id, before: d.before, after });
    } else {
      ctx.requestRender();
    }
  },

  command(command, ctx) {
    if (command === 'cancel' && drag) {
      drag = null;
      ctx.store.preview = null;
      ctx.requestRender();
      return true;
    }
    return false;
  },

  stateReplaced() {
    drag = null;
  },
};
