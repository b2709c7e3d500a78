/**
 * The tool plug-in point. A tool receives pointer events in image coordinates, can draw an
 * overlay, react to forwarded commands (finish/cancel/delete) and to host messages, and commits
 * finished actions as ONE document edit each through `ToolContext.commit`.
 *
 * Built-in tools: `select` (select, move, vertex edit) and `polygon` (manual drawing). Other
 * features register theirs with `registerTool` from their own folder (e.g. src/webview/segment/
 * for click segmentation) and are imported once from main.tsx; the toolbar lists every tool.
 */
import type { AnnotationEdit } from '../shared/annotation';
import type { HostToWebview, WebviewCommand } from '../shared/protocol';
import type { HostConnection } from './host';
import type { EditorStore } from './store';
import type { ViewTransform } from './view';
import { t } from './l10n';

/** The message shown when an edit is attempted in a read-only editor (unreadable sidecar). */
export function readOnlyNotice(): string {
  return t('Read-only: the annotation file could not be read. Use Repair or Overwrite in the banner.');
}

/** A pointer event translated to image coordinates. */
export interface ToolPointerEvent {
  /** Image pixel coordinates (float). */
  x: number;
  y: number;
  /** Canvas CSS pixel coordinates. */
  sx: number;
  sy: number;
  /** 0 left, 1 middle, 2 right (as PointerEvent.button; -1 for moves without a button change). */
  button: number;
  /** Buttons held (PointerEvent.buttons). */
  buttons: number;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** What tools may use. */
export interface ToolContext {
  readonly store: EditorStore;
  readonly host: HostConnection;
  /** Current view transform. */
  view(): ViewTransform;
  /** Hit radius in IMAGE pixels (the setting is in screen pixels). */
  hitRadius(): number;
  /** Applies an edit locally and sends it to the host (one undo step). Returns false if it did not fit. */
  commit(edit: AnnotationEdit): boolean;
  /** Schedules a redraw of the canvas. */
  requestRender(): void;
  /** Notifies UI subscribers and the host's context keys (selection/drawing changed). */
  changed(): void;
  /** Sets the canvas cursor (CSS cursor value). */
  setCursor(cursor: string): void;
  /** Shows a short message in the editor. */
  notify(message: string): void;
  /** Switches tool. */
  setTool(id: string): void;
  /** Class id for a new object: the active class, creating a first class when there is none. */
  classForNewObject(): Promise<number>;
}

/** A tool. All hooks are optional. */
export interface Tool {
  /** Unique id (also used in the `edgeflow.tool` context key and data-testid `tool-<id>`). */
  readonly id: string;
  /** Tooltip text. */
  readonly title: string;
  /** Codicon name, e.g. "edit". */
  readonly icon: string;
  /** Toolbar order (smaller first). */
  readonly order?: number;
  activate?(ctx: ToolContext): void;
  /** `next`: the tool taking over (the click tool hands its object in progress to the brush). */
  deactivate?(ctx: ToolContext, next?: string): void;
  /** Returns true when it handled the press (otherwise a left-drag on empty space pans). */
  pointerDown?(e: ToolPointerEvent, ctx: ToolContext): boolean;
  pointerMove?(e: ToolPointerEvent, ctx: ToolContext): void;
  pointerUp?(e: ToolPointerEvent, ctx: ToolContext): void;
  /** The pointer left the canvas (a cursor the tool draws itself goes). */
  pointerLeave?(ctx: ToolContext): void;
  /**
   * Handles a key pressed in the webview; returns true when handled. A handled key is not
   * forwarded to VS Code (input.ts), so its keybinding's command never follows: a late command
   * would act on whatever the user started since (issue 30: Escape then a quick click cancelled
   * the new object). The same action still comes as a command from the palette or a rebound key.
   */
  keyDown?(e: KeyboardEvent, ctx: ToolContext): boolean;
  /** A wheel turn over the canvas; returns true when the tool took it (the view then does not zoom). */
  wheel?(e: WheelEvent, ctx: ToolContext): boolean;
  /** Handles a forwarded command; returns true when handled. */
  command?(command: WebviewCommand, ctx: ToolContext): boolean;
  /** Draws on the overlay in SCREEN coordinates (CSS pixels), after the objects. */
  drawOverlay?(g: CanvasRenderingContext2D, view: ViewTransform, ctx: ToolContext): void;
  /** True while a multi-step action is in progress (drives the `edgeflow.drawing` context key). */
  isBusy?(): boolean;
  /** Sees every host message (for tools with their own protocol, e.g. segmentation results). */
  hostMessage?(message: HostToWebview, ctx: ToolContext): void;
  /** The document state was replaced (undo/redo/revert/reload): drop stale in-progress work. */
  stateReplaced?(ctx: ToolContext): void;
}

const registry = new Map<string, Tool>();

/** Registers a tool (replacing one with the same id). */
export function registerTool(tool: Tool): void {
  registry.set(tool.id, tool);
}

/** All registered tools in toolbar order. */
export function getTools(): Tool[] {
  return [...registry.values()].sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
}

/** A tool by id. */
export function getTool(id: string): Tool | undefined {
  return registry.get(id);
}
