/**
 * Pointer, wheel, keyboard and focus input of the editor: panning (middle button, Space + left
 * button, a left drag the tool does not take), wheel zoom, pointer events handed to the active tool
 * in image coordinates, and which part of the webview has focus (for the host's context keys).
 */
import type { Editor } from './editor';
import { ToolPointerEvent, readOnlyNotice } from './tools';
import { ViewTransform, panBy, screenToImage, wheelZoomFactor, zoomAt } from './view';

export class InputController {
  /** Space is held: the left button pans. */
  private spaceDown = false;
  private pan: { pointerId: number; sx: number; sy: number; view: ViewTransform } | null = null;
  /** The pointer whose down event the active tool took (it gets the matching up event). */
  private toolPointer: number | null = null;
  /** The webview has keyboard focus. */
  focused = document.hasFocus();
  /** A text field in the webview has focus (single-key shortcuts must not fire). */
  textInputFocus = false;

  constructor(private readonly editor: Editor) {
    window.addEventListener('focus', () => this.setFocused(true));
    window.addEventListener('blur', () => this.setFocused(false));
    document.addEventListener('focusin', () => this.updateTextFocus());
    document.addEventListener('focusout', () => setTimeout(() => this.updateTextFocus(), 0));
    // On the document, not the window: VS Code's webview host listens on the window (bubbling) to
    // forward every key to the workbench's keybindings, and a key the tool took here must not come
    // back later as a command (see onKeyDown).
    document.addEventListener('keydown', (e) => this.onKeyDown(e));
    window.addEventListener('keyup', (e) => this.onKeyUp(e));
  }

  /** Listens to the canvas container's pointer and wheel events; returns the function that stops. */
  attach(container: HTMLElement): () => void {
    const down = (e: PointerEvent) => this.onPointerDown(e);
    const move = (e: PointerEvent) => this.onPointerMove(e);
    const up = (e: PointerEvent) => this.onPointerUp(e);
    const leave = () => {
      this.editor.setCursorPos(null);
      this.editor.tool?.pointerLeave?.(this.editor.ctx);
    };
    const wheel = (e: WheelEvent) => this.onWheel(e);
    const menu = (e: Event) => e.preventDefault();
    // Middle-button auto-scroll would fight our panning.
    const middle = (e: MouseEvent) => e.button === 1 && e.preventDefault();
    container.addEventListener('pointerdown', down);
    container.addEventListener('pointermove', move);
    container.addEventListener('pointerup', up);
    container.addEventListener('pointercancel', up);
    container.addEventListener('pointerleave', leave);
    container.addEventListener('wheel', wheel, { passive: false });
    container.addEventListener('contextmenu', menu);
    container.addEventListener('mousedown', middle);
    return () => {
      container.removeEventListener('pointerdown', down);
      container.removeEventListener('pointermove', move);
      container.removeEventListener('pointerup', up);
      container.removeEventListener('pointercancel', up);
      container.removeEventListener('pointerleave', leave);
      container.removeEventListener('wheel', wheel);
      container.removeEventListener('contextmenu', menu);
      container.removeEventListener('mousedown', middle);
    };
  }

  private toolEvent(e: PointerEvent): ToolPointerEvent {
    const rect = this.editor.container!.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const p = screenToImage(this.editor.view, sx, sy);
    return { x: p.x, y: p.y, sx, sy, button: e.button, buttons: e.buttons, shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey };
  }

  private onPointerDown(e: PointerEvent): void {
    const ed = this.editor;
    const container = ed.container;
    if (!container || !ed.imageReady) return;
    container.focus({ preventScroll: true });
    const te = this.toolEvent(e);
    if (e.button === 1 || (e.button === 0 && this.spaceDown)) {
      this.startPan(e);
      return;
    }
    if (e.button !== 0 && e.button !== 2) return;
    if (ed.store.readOnly && ed.store.toolId !== 'select') {
      // Nothing can be drawn into a read-only document: say so now, not after the drawing.
      ed.notify(readOnlyNotice());
      if (e.button === 0) this.startPan(e);
      return;
    }
    const handled = ed.tool?.pointerDown?.(te, ed.ctx) ?? false;
    if (handled) {
      this.toolPointer = e.pointerId;
      container.setPointerCapture(e.pointerId);
      e.preventDefault();
    } else if (e.button === 0) {
      this.startPan(e);
    }
  }

  private startPan(e: PointerEvent): void {
    const container = this.editor.container!;
    this.pan = { pointerId: e.pointerId, sx: e.clientX, sy: e.clientY, view: this.editor.view };
    container.setPointerCapture(e.pointerId);
    container.style.cursor = 'grabbing';
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    const ed = this.editor;
    if (!ed.container) return;
    const te = this.toolEvent(e);
    ed.setCursorPos(te);
    if (this.pan && e.pointerId === this.pan.pointerId) {
      ed.setView(panBy(this.pan.view, e.clientX - this.pan.sx, e.clientY - this.pan.sy));
      return;
    }
    ed.tool?.pointerMove?.(te, ed.ctx);
  }

  private onPointerUp(e: PointerEvent): void {
    const ed = this.editor;
    if (!ed.container) return;
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.pan = null;
      ed.container.style.cursor = this.spaceDown ? 'grab' : '';
      return;
    }
    if (this.toolPointer === e.pointerId) {
      this.toolPointer = null;
      ed.tool?.pointerUp?.(this.toolEvent(e), ed.ctx);
    }
  }

  private onWheel(e: WheelEvent): void {
    const ed = this.editor;
    if (!ed.container) return;
    e.preventDefault();
    if (ed.tool?.wheel?.(e, ed.ctx)) return;
    const rect = ed.container.getBoundingClientRect();
    const unit = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? rect.height : 1;
    // Ctrl+wheel (trackpad pinch) zooms like the wheel; shift+wheel pans horizontally.
    if (e.shiftKey && !e.ctrlKey) {
      ed.setView(panBy(ed.view, -e.deltaY * unit, 0));
      return;
    }
    ed.setView(zoomAt(ed.view, wheelZoomFactor(e.deltaY * unit), e.clientX - rect.left, e.clientY - rect.top));
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (isTyping(e.target)) return;
    // Single-key shortcuts come as commands from VS Code's keybindings (so users can rebind
    // them). Handled here: Space-to-pan, and what the active tool takes (Enter/Escape/Backspace
    // while drawing, so finishing never waits for the context-key round trip). A key the tool
    // took stops here: VS Code never sees it, so its keybinding's command does not arrive a few
    // hundred milliseconds later to cancel, finish or undo the NEXT object the user started
    // meanwhile (issue 30). The commands still come from the palette or a rebound key.
    const ed = this.editor;
    if (ed.tool?.keyDown?.(e, ed.ctx)) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (e.code === 'Space') {
      e.preventDefault();
      if (!this.spaceDown) {
        this.spaceDown = true;
        if (ed.container && !this.pan) ed.container.style.cursor = 'grab';
      }
    }
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.code === 'Space') {
      this.spaceDown = false;
      const container = this.editor.container;
      if (container && !this.pan) container.style.cursor = '';
    }
  }

  private setFocused(f: boolean): void {
    this.focused = f;
    if (!f) this.spaceDown = false;
    this.editor.postUiContext();
  }

  private updateTextFocus(): void {
    this.textInputFocus = isTyping(document.activeElement);
    this.editor.postUiContext();
  }
}

/** Whether keys pressed in `target` are text input (so they are not shortcuts). */
export function isTyping(target: EventTarget | null): boolean {
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

/**
 * Whether the user is typing into a text input of this webview right now: a shortcut's command
 * that arrives now came from a key meant as text (issue 30). A command from the palette finds the
 * webview without focus and still runs.
 */
export function typingNow(): boolean {
  return document.hasFocus() && isTyping(document.activeElement);
}
