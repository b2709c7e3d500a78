/**
 * The typed message protocol between the extension host and the editor webview.
 *
 * - One discriminated union per direction (`HostToWebview`, `WebviewToHost`), keyed by `type`.
 * - Handshake: the webview posts `ready` once its script runs; the host posts nothing before it
 *   (messages posted earlier would be lost), then answers with `init`.
 * - Request/reply: `request` carries a `requestId`; the other side answers with one `reply`,
 *   `ok: false` + `error` on failure, which the caller's promise REJECTS with (see `RequestTracker`).
 * - Binary payloads (masks, probability maps) cross as `ArrayBuffer`s, never as JSON arrays; the
 *   image itself reaches the webview by URL (`asWebviewUri`).
 * - The host validates every message it receives (`parseWebviewMessage`): the webview is untrusted.
 *
 * Click segmentation (issue 6) adds its own `segment*` messages to both unions; tools in the
 * webview receive host messages through `HostMessageListener`s (see src/webview/tools.ts).
 */
import type { AnnotationEdit } from './annotation/edits';
import type { AnnotationState } from './annotation/types';
import { Result, err, ok } from './annotation/result';
import { checkEdit, checkId, isIssue } from './annotation/validate';
import { MAX_LABEL_ID, type Label } from './labels';
import { parseSegmentMessage, type SegmentHostMessage, type SegmentWebviewMessage } from './inference/segmentProtocol';
import { isEdgeflowSettingKey } from './inference/settingInMessage';
import { parseSegmentOptions, type RememberedSegmentOptions } from './inference/segmentOptions';

/** The image as the webview needs it. */
export interface ImageInfo {
  /** A webview URI (asWebviewUri) of the image or of a PNG conversion of it. */
  src: string;
  /** File name (base name) of the original image, for display. */
  fileName: string;
  /** Size of the original image in pixels (known from the host's decoder). */
  width: number;
  height: number;
  /** Very large images: `src` is a downscaled preview and these tiles give full resolution. */
  tiles?: ImageTiles;
  /** Set when the image cannot be shown: why, in words (the editor shows it instead of the image). */
  error?: string;
}

/**
 * A Deep Zoom tile pyramid: tile (col, row) of level L is `${base}/${L}/${col}_${row}.${format}?${query}`;
 * level `maxLevel` is the full resolution, each level below halves it (sizes rounded up).
 */
export interface ImageTiles {
  base: string;
  query: string;
  format: 'jpeg' | 'png';
  tileSize: number;
  maxLevel: number;
}

/** Editor settings the webview uses. */
export interface WebviewSettings {
  /** Fill opacity of objects (0..1). */
  fillOpacity: number;
  /** Outline width in screen pixels. */
  outlineWidth: number;
  /** Screen-pixel radius within which a click hits a vertex or the first vertex closes a polygon. */
  hitRadius: number;
}

/** Commands the host forwards from VS Code (palette, keybindings) to the webview. */
export type WebviewCommand =
  | 'fit'
  | 'zoom100'
  | 'zoomIn'
  | 'zoomOut'
  | 'toolSelect'
  | 'toolPolygon'
  | 'toolSegment'
  | 'finishPolygon'
  | 'cancel'
  | 'deleteSelection'
  | 'nextObject'
  | 'previousObject'
  | 'toggleHidden'
  | 'focusClasses'
  | 'toolBrush'
  | 'toolEraser'
  | 'toggleOverlayOpacity';

/** All webview commands (validation and tests). */
export const WEBVIEW_COMMANDS: readonly WebviewCommand[] = [
  'fit',
  'zoom100',
  'zoomIn',
  'zoomOut',
  'toolSelect',
  'toolPolygon',
  'toolSegment',
  'finishPolygon',
  'cancel',
  'deleteSelection',
  'nextObject',
  'previousObject',
  'toggleHidden',
  'focusClasses',
  'toolBrush',
  'toolEraser',
  'toggleOverlayOpacity',
];

// ---------------------------------------------------------------------------------------------
// Host -> webview

/** First message after `ready`: everything the webview needs to show the document. */
export interface InitMessage {
  type: 'init';
  image: ImageInfo;
  state: AnnotationState;
  labels: Label[];
  settings: WebviewSettings;
  /** Translations of the webview's strings (src/shared/webviewStrings.ts), English -> display. */
  strings?: Record<string, string>;
  /** Set when the sidecar could not be read completely: the editor is read-only, with a banner. */
  readOnly?: ReadOnlyInfo;
  /**
   * The tool and the class for new objects last used in any annotator editor of this window:
   * an image opened without remembered state of its own starts with them (next/previous image
   * keep the annotator's tool and class).
   */
  session?: SessionUi;
  /** The click tool's mask options the user last set in this workspace (kept across reloads). */
  segmentOptions?: Partial<RememberedSegmentOptions>;
}
/** The tool and class an annotator editor is using (see `InitMessage.session`). */
export interface SessionUi {
  tool: string;
  activeClassId: number | null;
  /** The overlay opacity toggle (O): 1, 0.5 or 0; absent = 1. Applies to every image. */
  overlayOpacity?: number;
}
/** The document state changed outside the webview (undo, redo, revert, reload from disk). */
export interface StateMessage {
  type: 'state';
  state: AnnotationState;
  /** Why, for the webview to keep or drop its selection. */
  reason: 'undo' | 'redo' | 'revert' | 'reload' | 'edit';
}
/** The labels file changed (from this or another editor, or on disk). */
export interface LabelsMessage {
  type: 'labels';
  labels: Label[];
}
/** A palette command / keybinding for the webview. */
export interface CommandMessage {
  type: 'command';
  command: WebviewCommand;
}
/** Sets the class used for new objects and, when an object is selected, changes its class. */
export interface SelectClassMessage {
  type: 'selectClass';
  classId: number;
}
/** Settings changed. */
export interface SettingsMessage {
  type: 'settings';
  settings: WebviewSettings;
}
/** Answer to a webview request. */
export type ReplyMessage =
  | { type: 'reply'; requestId: number; ok: true; value: unknown }
  | { type: 'reply'; requestId: number; ok: false; error: string };

/** What the read-only banner offers: rewrite with what could be read, start over, open the file. */
export type SidecarAction = 'repair' | 'overwrite' | 'openSidecar';
/** Why the editor is read-only (the sidecar could not be read completely) and what to do. */
export interface ReadOnlyInfo {
  reason: string;
  actions: SidecarAction[];
}
/** The document became read-only (`info`) or editable again (`info: null`). */
export interface ReadOnlyMessage {
  type: 'readOnly';
  info: ReadOnlyInfo | null;
}
/** Everything the host posts. */
export type HostToWebview =
  | InitMessage
  | StateMessage
  | LabelsMessage
  | CommandMessage
  | SelectClassMessage
  | SettingsMessage
  | ReadOnlyMessage
  | SegmentHostMessage
  | ReplyMessage;

// ---------------------------------------------------------------------------------------------
// Webview -> host

/** The webview script is running and listening. */
export interface ReadyMessage {
  type: 'ready';
}
/** One finished user action, to become one VS Code undo step. */
export interface EditMessage {
  type: 'edit';
  edit: AnnotationEdit;
}
/** Zoom and cursor for the status bar. `cursor` is in image pixels, null when outside the image. */
export interface ViewStatusMessage {
  type: 'viewStatus';
  zoom: number;
  cursor: { x: number; y: number } | null;
}
/** UI context the host mirrors into context keys (for `when` clauses of keybindings). */
export interface UiContextMessage {
  type: 'uiContext';
  /** A text input in the webview has focus: single-key shortcuts must not fire. */
  textInputFocus: boolean;
  /** A polygon is being drawn. */
  drawing: boolean;
  /** An object is selected. */
  hasSelection: boolean;
  /** Current tool id. */
  tool: string;
  /** The webview has keyboard focus (single-key shortcuts apply only then). */
  focused: boolean;
  /** The class for new objects (null: no class yet). */
  activeClassId: number | null;
  /** The overlay opacity (see `SessionUi.overlayOpacity`). */
  overlayOpacity?: number;
}
/** The user changed the click tool's mask options: the host remembers them for the next editor. */
export interface SegmentOptionsMessage {
  type: 'segmentOptions';
  options: Partial<RememberedSegmentOptions>;
}
/** The image failed to load or another webview error: logged by the host, shown once. */
export interface WebviewErrorMessage {
  type: 'webviewError';
  message: string;
}
/** The image was decoded and drawn (used to confirm the image size and for tests). */
export interface ImageLoadedMessage {
  type: 'imageLoaded';
  naturalWidth: number;
  naturalHeight: number;
}
/** Requests the webview may make, by method, with their params and results. */
export interface WebviewRequests {
  /** Adds a class to the labels file (creating the file if needed); returns the new label. */
  addLabel: { params: { name: string; color?: string }; result: Label };
  /** Renames/recolours a class. */
  updateLabel: { params: { id: number; name: string; color: string }; result: Label };
  /** Removes a class from the labels file after the user confirms; returns whether it was removed. */
  removeLabel: { params: { id: number }; result: boolean };
  /** Runs a read-only banner action (each asks for confirmation); returns whether the file changed. */
  sidecarAction: { params: { action: SidecarAction }; result: boolean };
  /** Opens the Settings editor at an `edgeflow.*` setting (a model error's "Open Setting"). */
  openSetting: { params: { key: string }; result: boolean };
}
/** Name of a webview request method. */
export type WebviewRequestMethod = keyof WebviewRequests;
/** A request from the webview (answered by a `reply`). */
export type RequestMessage = {
  [M in WebviewRequestMethod]: { type: 'request'; requestId: number; method: M; params: WebviewRequests[M]['params'] };
}[WebviewRequestMethod];

/** Everything the webview posts. */
export type WebviewToHost =
  | ReadyMessage
  | EditMessage
  | ViewStatusMessage
  | UiContextMessage
  | SegmentOptionsMessage
  | WebviewErrorMessage
  | ImageLoadedMessage
  | SegmentWebviewMessage
  | RequestMessage;

// ---------------------------------------------------------------------------------------------
// Validation (host side)

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Longest free text accepted (an error message from the webview). */
export const MAX_STRING = 10_000;
/** Longest class name accepted. */
export const MAX_LABEL_NAME = 200;
/**
 * Most values (array elements and object fields, counted recursively) one edit may carry: about
 * 2 M polygon vertices, far beyond a real image's objects, small enough to validate in ~100 ms.
 */
export const MAX_EDIT_VALUES = 4_000_000;
/** Deepest nesting one edit may have (a batch of replaceAll of objects of regions of rings). */
export const MAX_EDIT_DEPTH = 16;
/** Largest zoom factor the status bar accepts (the webview's own limit is far below). */
export const MAX_ZOOM = 10_000;
/** Largest image side a webview may report (browsers decode far less). */
export const MAX_IMAGE_SIDE = 1_000_000;
/** Cursor positions beyond this magnitude (image pixels) are refused. */
const MAX_CURSOR = 1e7;

function str(v: unknown, max = 200): v is string {
  return typeof v === 'string' && v.length <= max;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A short description of an untrusted value for an error message (never throws: no JSON of cycles or BigInts). */
function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : v === null ? 'null' : typeof v;
}

/** A class name: 1..MAX_LABEL_NAME characters, not only blanks, no control characters. */
function labelName(v: unknown): v is string {
  // eslint-disable-next-line no-control-regex
  return str(v, MAX_LABEL_NAME) && v.trim() !== '' && !/[\u0000-\u001f\u007f]/.test(v);
}

/**
 * Whether `v` stays within `budget` values and `MAX_EDIT_DEPTH` levels and has no cycle.
 * Structured clone can carry cycles and shared references, so this walks with these limits
 * before any other check touches the value (the checks in annotation/validate.ts assume a bounded tree).
 */
export function withinSize(v: unknown, budget = MAX_EDIT_VALUES): boolean {
  let left = budget;
  // Objects on the current path: meeting one again is a cycle, refused at once.
  const path = new Set<object>();
  const walk = (x: unknown, depth: number): boolean => {
    if (typeof x !== 'object' || x === null) return true;
    if (depth > MAX_EDIT_DEPTH || path.has(x)) return false;
    if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) {
      left -= x.byteLength;
      return left >= 0;
    }
    if (Array.isArray(x)) {
      left -= x.length;
      if (left < 0) return false;
      path.add(x);
      for (let i = 0; i < x.length; i++) {
        const e = x[i];
        if (typeof e === 'object' && e !== null && !walk(e, depth + 1)) return false;
      }
      path.delete(x);
      return true;
    }
    const keys = Object.keys(x);
    left -= keys.length;
    if (left < 0) return false;
    path.add(x);
    for (const k of keys) {
      const e = (x as Record<string, unknown>)[k];
      if (typeof e === 'object' && e !== null && !walk(e, depth + 1)) return false;
    }
    path.delete(x);
    return true;
  };
  return walk(v, 0);
}

/**
 * Validates a message from the webview. Returns the typed message or a reason; unknown fields are
 * dropped so nothing unvalidated reaches the host's handlers.
 */
export function parseWebviewMessage(raw: unknown): Result<WebviewToHost, string> {
  if (!isObj(raw)) return err('message is not an object');
  switch (raw.type) {
    case 'ready':
      return ok({ type: 'ready' });
    case 'edit': {
      if (!withinSize(raw.edit)) return err(`invalid edit: more than ${MAX_EDIT_VALUES} values or nested deeper than ${MAX_EDIT_DEPTH}`);
      const e = checkEdit(raw.edit, 'edit');
      if (isIssue(e)) return err(`invalid edit: ${e.path}: ${e.message}`.slice(0, 300));
      return ok({ type: 'edit', edit: e });
    }
    case 'viewStatus': {
      if (!finite(raw.zoom) || raw.zoom <= 0 || raw.zoom > MAX_ZOOM) return err(`viewStatus.zoom must be a number in (0, ${MAX_ZOOM}]`);
      let cursor: { x: number; y: number } | null = null;
      if (raw.cursor !== null) {
        const inRange = (n: unknown): n is number => finite(n) && Math.abs(n) <= MAX_CURSOR;
        if (!isObj(raw.cursor) || !inRange(raw.cursor.x) || !inRange(raw.cursor.y)) return err('viewStatus.cursor must be {x, y} (image pixels) or null');
        cursor = { x: raw.cursor.x, y: raw.cursor.y };
      }
      return ok({ type: 'viewStatus', zoom: raw.zoom, cursor });
    }
    case 'uiContext': {
      const flags = [raw.textInputFocus, raw.drawing, raw.hasSelection, raw.focused];
      if (flags.some((f) => typeof f !== 'boolean') || !str(raw.tool, 64) || !/^[A-Za-z][\w-]*$/.test(raw.tool)) {
        return err('uiContext needs textInputFocus, drawing, hasSelection, focused (booleans) and tool');
      }
      const cls = raw.activeClassId ?? null;
      if (cls !== null && !(Number.isInteger(cls) && (cls as number) >= 1 && (cls as number) <= MAX_LABEL_ID)) {
        return err('uiContext.activeClassId must be a class id or null');
      }
      const opacity = raw.overlayOpacity;
      if (opacity !== undefined && !(typeof opacity === 'number' && opacity >= 0 && opacity <= 1)) return err('uiContext.overlayOpacity must be a number in [0, 1]');
      return ok({
        type: 'uiContext',
        textInputFocus: raw.textInputFocus as boolean,
        drawing: raw.drawing as boolean,
        hasSelection: raw.hasSelection as boolean,
        focused: raw.focused as boolean,
        tool: raw.tool,
        activeClassId: cls as number | null,
        ...(opacity !== undefined ? { overlayOpacity: opacity } : {}),
      });
    }
    case 'segmentOptions': {
      const options = parseSegmentOptions(raw.options);
      if (!options || Object.keys(options).length === 0) return err('segmentOptions.options needs at least one valid option');
      return ok({ type: 'segmentOptions', options });
    }
    case 'webviewError':
      if (!str(raw.message, MAX_STRING)) return err('webviewError.message must be a string');
      return ok({ type: 'webviewError', message: raw.message });
    case 'imageLoaded': {
      const w = checkId(raw.naturalWidth, 'naturalWidth');
      const h = checkId(raw.naturalHeight, 'naturalHeight');
      if (isIssue(w) || isIssue(h) || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE) return err(`imageLoaded needs integer naturalWidth/naturalHeight up to ${MAX_IMAGE_SIDE}`);
      return ok({ type: 'imageLoaded', naturalWidth: w, naturalHeight: h });
    }
    case 'request':
      return parseRequest(raw);
    case 'segmentStart':
    case 'segmentClicks':
    case 'segmentEnd':
    case 'segmentStroke':
    case 'segmentUndoStroke':
      return parseSegmentMessage(raw);
    default:
      return err(`unknown message type ${describe(raw.type)}`);
  }
}

function parseRequest(raw: Record<string, unknown>): Result<WebviewToHost, string> {
  const requestId = checkId(raw.requestId, 'requestId');
  if (isIssue(requestId)) return err('request.requestId must be a non-negative integer');
  const p = raw.params;
  if (!isObj(p)) return err('request.params must be an object');
  const colorOk = (c: unknown) => typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c);
  switch (raw.method) {
    case 'addLabel':
      if (!labelName(p.name) || (p.color !== undefined && !colorOk(p.color))) return err('addLabel needs a name (1-200 characters, no control characters) and an optional #rrggbb colour');
      return ok({ type: 'request', requestId, method: 'addLabel', params: p.color === undefined ? { name: p.name } : { name: p.name, color: p.color as string } });
    case 'updateLabel': {
      const id = checkId(p.id, 'id');
      if (isIssue(id) || !labelName(p.name) || !colorOk(p.color)) return err('updateLabel needs id, name (1-200 characters, no control characters) and #rrggbb colour');
      return ok({ type: 'request', requestId, method: 'updateLabel', params: { id, name: p.name, color: p.color as string } });
    }
    case 'removeLabel': {
      const id = checkId(p.id, 'id');
      if (isIssue(id)) return err('removeLabel needs an id');
      return ok({ type: 'request', requestId, method: 'removeLabel', params: { id } });
    }
    case 'sidecarAction':
      if (p.action !== 'repair' && p.action !== 'overwrite' && p.action !== 'openSidecar') return err('sidecarAction needs repair, overwrite or openSidecar');
      return ok({ type: 'request', requestId, method: 'sidecarAction', params: { action: p.action } });
    case 'openSetting':
      if (!isEdgeflowSettingKey(p.key)) return err('openSetting needs an edgeflow.* setting key');
      return ok({ type: 'request', requestId, method: 'openSetting', params: { key: p.key } });
    default:
      return err(`unknown request method ${describe(raw.method)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Request/reply helper (used by the side that sends requests)

/** Error a request rejects with when the other side replied `ok: false`. */
export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

/**
 * Tracks outstanding requests: `send` posts a request and returns a promise, `handleReply`
 * settles it (rejecting on `ok: false`), `dispose` rejects everything still pending.
 */
export class RequestTracker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: ReturnType<typeof setTimeout> }>();

  constructor(private readonly post: (message: { type: 'request'; requestId: number; method: string; params: unknown }) => void, private readonly timeoutMs = 0) {}

  /** Sends a request; the promise resolves with the reply value or rejects with a RequestError. */
  send<R>(method: string, params: unknown): Promise<R> {
    const requestId = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const entry: { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: ReturnType<typeof setTimeout> } = {
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (this.timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(requestId);
          reject(new RequestError(`${method}: no reply within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      }
      this.pending.set(requestId, entry);
      this.post({ type: 'request', requestId, method, params });
    });
  }

  /** Settles the request a reply answers; returns false for an unknown request id. */
  handleReply(reply: ReplyMessage): boolean {
    const p = this.pending.get(reply.requestId);
    if (!p) return false;
    this.pending.delete(reply.requestId);
    if (p.timer) clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new RequestError(reply.error));
    return true;
  }

  /** Number of requests awaiting a reply. */
  get size(): number {
    return this.pending.size;
  }

  /** Rejects all pending requests (the other side went away). */
  dispose(): void {
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new RequestError('connection closed'));
    }
    this.pending.clear();
  }
}
