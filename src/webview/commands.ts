/**
 * Commands forwarded from VS Code (keybindings, palette) or the toolbar: the active tool may take
 * a command first; the rest change the view, the tool or the selection.
 */
import type { WebviewCommand } from '../shared/protocol';
import { deleteVertex } from '../shared/annotation';
import type { Editor } from './editor';
import { nextOverlayOpacity } from './store';

/** Runs one command. */
export function runCommand(editor: Editor, command: WebviewCommand): void {
  if (editor.tool?.command?.(command, editor.ctx)) return;
  switch (command) {
    case 'fit':
      editor.fit();
      return;
    case 'zoom100':
      editor.zoom100();
      return;
    case 'zoomIn':
      editor.zoomBy(1.25);
      return;
    case 'zoomOut':
      editor.zoomBy(0.8);
      return;
    case 'toolSelect':
      editor.setTool('select');
      return;
    case 'toolPolygon':
      editor.setTool('polygon');
      return;
    case 'toolSegment':
      editor.setTool('segment');
      return;
    case 'toolBrush':
      editor.setTool('brush');
      return;
    case 'toolEraser':
      editor.setTool('eraser');
      return;
    case 'toggleOverlayOpacity':
      editor.store.overlayOpacity = nextOverlayOpacity(editor.store.overlayOpacity);
      editor.changed();
      editor.requestRender(false);
      return;
    case 'finishPolygon':
      return;
    case 'cancel':
      editor.selectObject(null);
      return;
    case 'deleteSelection':
      deleteSelection(editor);
      return;
    case 'nextObject':
      cycleSelection(editor, 1);
      return;
    case 'previousObject':
      cycleSelection(editor, -1);
      return;
    case 'toggleHidden':
      if (editor.store.selection) editor.toggleHidden(editor.store.selection.id);
      return;
    case 'focusClasses':
      document.querySelector<HTMLInputElement>('[data-testid="class-add-name"]')?.focus();
      return;
  }
}

/** Deletes the selected vertex (when one is selected) or the selected object. */
function deleteSelection(editor: Editor): void {
  const sel = editor.store.selection;
  const o = editor.store.selectedObject;
  if (!sel || !o) return;
  if (sel.vertex) {
    const after = deleteVertex(o.regions, sel.vertex);
    if (!after) {
      editor.deleteObject(o.id);
      return;
    }
    editor.store.selection = { id: o.id };
    editor.commit({ kind: 'setGeometry', id: o.id, before: o.regions, after });
    return;
  }
  editor.deleteObject(o.id);
}

/** Selects (and reveals) the next or previous visible object in drawing order. */
function cycleSelection(editor: Editor, delta: number): void {
  const visible = editor.store.objects.filter((o) => !o.hidden);
  if (!visible.length) return;
  const i = visible.findIndex((o) => o.id === editor.store.selection?.id);
  const next = i < 0 ? (delta > 0 ? 0 : visible.length - 1) : (i + delta + visible.length) % visible.length;
  editor.revealObject(visible[next].id);
}
