// The webview's tools are DOM-free apart from types, so their gestures are tested here with a fake
// ToolContext: every finished gesture must produce exactly one document edit.
import * as assert from 'node:assert/strict';
import type { AnnotationEdit } from '../../../src/shared/annotation';
import { EditorStore } from '../../../src/webview/store';
import type { ToolContext, ToolPointerEvent } from '../../../src/webview/tools';
import { polygonTool } from '../../../src/webview/tools/polygonTool';
import { selectTool } from '../../../src/webview/tools/selectTool';

function setup(scale = 1) {
  const store = new EditorStore();
  store.image = { src: 'x', fileName: 'x.png', width: 200, height: 100 };
  store.labels = [{ id: 3, name: 'car', color: '#ff0000' }];
  store.activeClassId = 3;
  const edits: AnnotationEdit[] = [];
  const notices: string[] = [];
  const ctx: ToolContext = {
    store,
    host: undefined as never,
    view: () => ({ scale, tx: 0, ty: 0 }),
    hitRadius: () => store.settings.hitRadius / scale,
    commit: (e) => {
      store.model.apply(e);
      edits.push(e);
      store.sanitize();
      return true;
    },
    requestRender: () => undefined,
    changed: () => undefined,
    setCursor: () => undefined,
    notify: (m) => notices.push(m),
    setTool: () => undefined,
    classForNewObject: async () => store.activeClassId ?? 1,
  };
  return { store, ctx, edits, notices };
}

const ev = (x: number, y: number, extra: Partial<ToolPointerEvent> = {}): ToolPointerEvent => ({
  x, y, sx: x, sy: y, button: 0, buttons: 1, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...extra,
});
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('webview tools', () => {
  afterEach(() => {
    // Tools keep module state between gestures; reset it.
    const { ctx } = setup();
    polygonTool.deactivate?.(ctx);
    selectTool.deactivate?.(ctx);
  });

  it('polygon: clicks then a click on the first vertex make ONE addObject with the active class', async () => {
    const { ctx, edits, store } = setup();
    for (const [x, y] of [[10, 10], [50, 10], [50, 40], [10, 40]]) polygonTool.pointerDown!(ev(x, y), ctx);
    assert.equal(polygonTool.isBusy!(), true);
    polygonTool.pointerDown!(ev(12, 11), ctx); // within the hit radius of the first vertex
    await tick();
    assert.equal(edits.length, 1);
    assert.equal(edits[0].kind, 'addObject');
    const o = store.objects[0];
    assert.deepEqual([o.classId, o.regions[0].outer], [3, [10, 10, 50, 10, 50, 40, 10, 40]]);
    assert.deepEqual(store.selection, { id: o.id });
    assert.equal(polygonTool.isBusy!(), false);
  });

  it('polygon: Enter (command or key) finishes once; too few vertices only warn; clamps to the image', async () => {
    const { ctx, edits, notices } = setup();
    polygonTool.pointerDown!(ev(10, 10), ctx);
    polygonTool.pointerDown!(ev(20, 10), ctx);
    polygonTool.command!('finishPolygon', ctx);
    await tick();
    assert.equal(edits.length, 0);
    assert.equal(notices.length, 1);
    polygonTool.pointerDown!(ev(250, -5), ctx); // outside: clamped to (200, 0)
    assert.ok(polygonTool.keyDown!({ key: 'Enter', altKey: false, ctrlKey: false, metaKey: false } as KeyboardEvent, ctx));
    polygonTool.command!('finishPolygon', ctx); // the same Enter, forwarded to VS Code: nothing left
    await tick();
    assert.equal(edits.length, 1);
    assert.deepEqual((edits[0] as { object: { regions: { outer: number[] }[] } }).object.regions[0].outer, [10, 10, 20, 10, 200, 0]);
    assert.equal(notices.length, 1);
  });

  it('polygon: Backspace and right-click remove the last vertex; Escape cancels', () => {
    const { ctx, edits } = setup();
    polygonTool.pointerDown!(ev(10, 10), ctx);
    polygonTool.pointerDown!(ev(20, 10), ctx);
    polygonTool.pointerDown!(ev(20, 20), ctx);
    assert.ok(polygonTool.command!('deleteSelection', ctx));
    assert.ok(polygonTool.pointerDown!(ev(0, 0, { button: 2 }), ctx));
    assert.equal(polygonTool.isBusy!(), true);
    assert.ok(polygonTool.command!('cancel', ctx));
    assert.equal(polygonTool.isBusy!(), false);
    assert.equal(polygonTool.command!('cancel', ctx), false, 'nothing to cancel: the editor clears the selection');
    assert.equal(edits.length, 0);
  });

  function withSquare() {
    const s = setup();
    s.ctx.commit({ kind: 'addObject', object: { id: 1, classId: 3, regions: [{ outer: [20, 20, 60, 20, 60, 60, 20, 60], holes: [] }], hidden: false }, index: 0 });
    s.edits.length = 0;
    return s;
  }

  it('select: click selects, a drag moves the object as one setGeometry, clamped inside the image', () => {
    const { ctx, edits, store } = withSquare();
    assert.ok(selectTool.pointerDown!(ev(40, 40), ctx));
    assert.deepEqual(store.selection, { id: 1 });
    selectTool.pointerMove!(ev(45, 42), ctx);
    selectTool.pointerMove!(ev(50, 45), ctx);
    selectTool.pointerUp!(ev(50, 45), ctx);
    assert.equal(edits.length, 1);
    assert.deepEqual(store.objects[0].regions[0].outer, [30, 25, 70, 25, 70, 65, 30, 65]);
    selectTool.pointerDown!(ev(40, 40), ctx);
    selectTool.pointerMove!(ev(-100, 40), ctx);
    selectTool.pointerUp!(ev(-100, 40), ctx);
    assert.deepEqual(store.objects[0].regions[0].outer.slice(0, 2), [0, 25], 'stopped at the left edge');
    assert.equal(edits.length, 2);
  });

  it('select: a click without movement makes no edit; a click on empty space clears the selection', () => {
    const { ctx, edits, store } = withSquare();
    selectTool.pointerDown!(ev(40, 40), ctx);
    selectTool.pointerUp!(ev(40, 40), ctx);
    assert.equal(edits.length, 0);
    assert.equal(selectTool.pointerDown!(ev(150, 90), ctx), false, 'not handled: the editor pans');
    assert.equal(store.selection, null);
  });

  it('select: drag a vertex, insert on an edge, Alt+click deletes a vertex: one edit each', () => {
    const { ctx, edits, store } = withSquare();
    selectTool.pointerDown!(ev(40, 40), ctx);
    selectTool.pointerUp!(ev(40, 40), ctx);
    // Drag vertex 2 (60,60) to (70,75).
    selectTool.pointerDown!(ev(61, 59), ctx);
    assert.deepEqual(store.selection, { id: 1, vertex: { region: 0, ring: -1, index: 2 } });
    selectTool.pointerMove!(ev(70, 75), ctx);
    selectTool.pointerUp!(ev(70, 75), ctx);
    assert.deepEqual(store.objects[0].regions[0].outer, [20, 20, 60, 20, 70, 75, 20, 60]);
    // Click the top edge at x=40: inserts (40,20) after vertex 0.
    selectTool.pointerDown!(ev(40, 21), ctx);
    selectTool.pointerUp!(ev(40, 21), ctx);
    assert.deepEqual(store.objects[0].regions[0].outer, [20, 20, 40, 20, 60, 20, 70, 75, 20, 60]);
    // Alt+click the inserted vertex deletes it.
    selectTool.pointerDown!(ev(40, 20, { altKey: true }), ctx);
    assert.deepEqual(store.objects[0].regions[0].outer, [20, 20, 60, 20, 70, 75, 20, 60]);
    assert.deepEqual(edits.map((e) => e.kind), ['setGeometry', 'setGeometry', 'setGeometry']);
  });

  it('select: in a read-only editor objects can be selected but no gesture moves, inserts or deletes', () => {
    const { ctx, edits, store, notices } = withSquare();
    const editsBefore = edits.length;
    store.readOnly = { reason: 'malformed JSON', actions: ['repair', 'overwrite'] };
    // A click selects; dragging the object says why nothing moves, once, and makes no edit.
    assert.equal(selectTool.pointerDown!(ev(40, 40), ctx), true);
    assert.deepEqual(store.selection, { id: 1 });
    selectTool.pointerMove!(ev(41, 40), ctx);
    assert.equal(notices.length, 0, 'a tremor is not a drag');
    selectTool.pointerMove!(ev(70, 75), ctx);
    selectTool.pointerMove!(ev(80, 85), ctx);
    selectTool.pointerUp!(ev(80, 85), ctx);
    assert.equal(notices.length, 1);
    assert.equal(store.preview, null);
    // Pressing a vertex, an edge, or Alt+clicking a vertex: a notice each, nothing starts.
    assert.equal(selectTool.pointerDown!(ev(61, 59), ctx), true);
    selectTool.pointerMove!(ev(70, 75), ctx);
    selectTool.pointerUp!(ev(70, 75), ctx);
    selectTool.pointerDown!(ev(40, 21), ctx);
    selectTool.pointerUp!(ev(40, 21), ctx);
    selectTool.pointerDown!(ev(20, 20, { altKey: true }), ctx);
    assert.equal(notices.length, 4);
    assert.equal(store.preview, null);
    assert.equal(edits.length, editsBefore);
    assert.deepEqual(store.objects[0].regions[0].outer, [20, 20, 60, 20, 60, 60, 20, 60]);
    // Editable again: the same drag moves the vertex.
    store.readOnly = null;
    selectTool.pointerDown!(ev(61, 59), ctx);
    selectTool.pointerMove!(ev(70, 75), ctx);
    selectTool.pointerUp!(ev(70, 75), ctx);
    assert.deepEqual(store.objects[0].regions[0].outer, [20, 20, 60, 20, 70, 75, 20, 60]);
  });

  it('select: hidden objects cannot be hit; the topmost visible object wins', () => {
    const { ctx, store } = withSquare();
    ctx.commit({ kind: 'addObject', object: { id: 2, classId: 3, regions: [{ outer: [30, 30, 80, 30, 80, 80], holes: [] }], hidden: false }, index: 1 });
    selectTool.pointerDown!(ev(55, 40), ctx);
    selectTool.pointerUp!(ev(55, 40), ctx);
    assert.equal(store.selection?.id, 2);
    ctx.commit({ kind: 'setHidden', id: 2, before: false, after: true });
    store.selection = null;
    selectTool.pointerDown!(ev(55, 40), ctx);
    selectTool.pointerUp!(ev(55, 40), ctx);
    assert.equal((store.selection as { id: number } | null)?.id, 1);
  });
});
