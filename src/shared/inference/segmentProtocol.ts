/**
 * Click-segmentation messages of the host/webview protocol (src/shared/protocol.ts includes them
 * in its unions and validates the webview's with `parseSegmentMessage`).
 *
 * A segmentation *session* is one object being clicked (a new one, or an existing one being
 * refined); the webview numbers sessions so results of an abandoned session are never drawn.
 * The webview keeps the click list and sends it whole; finishing is an ordinary document edit
 * (`addObject` / `setGeometry`) the webview commits itself.
 */
import { err, ok, type Result } from '../annotation/result';
import { MAX_BRUSH_RADIUS, MAX_STROKE_POINTS, MIN_BRUSH_RADIUS, type BrushStroke } from '../geometry/brush';
import type { ClickXY } from './clicks';

/** Most clicks one object may take (the NoC protocol stops at 20; people go further). */
export const MAX_SEGMENT_CLICKS = 200;

// Webview -> host

/** Starts a session: a new object, or refining the existing object `refineObjectId`. */
export interface SegmentStartMessage {
  type: 'segmentStart';
  session: number;
  refineObjectId: number | null;
}
/** The session's clicks after a click (`undo: false`) or after undoing the last one (`undo: true`). */
export interface SegmentClicksMessage {
  type: 'segmentClicks';
  session: number;
  clicks: ClickXY[];
  undo: boolean;
}
/** The session ended (finished or cancelled): the host may drop its state. */
export interface SegmentEndMessage {
  type: 'segmentEnd';
  session: number;
}

/**
 * A brush stroke on the session's mask (image pixels): the host's state keeps painted pixels
 * object and erased ones background through every later click, until the stroke is undone.
 * Only the stroke crosses (a polyline and a radius), never a mask; no result comes back (the
 * webview has drawn the stroke already).
 */
export interface SegmentStrokeMessage {
  type: 'segmentStroke';
  session: number;
  stroke: BrushStroke;
}
/** Undoes the session's newest stroke (no click came after it). */
export interface SegmentUndoStrokeMessage {
  type: 'segmentUndoStroke';
  session: number;
}

/** Everything click segmentation posts to the host. */
export type SegmentWebviewMessage = SegmentStartMessage | SegmentClicksMessage | SegmentEndMessage | SegmentStrokeMessage | SegmentUndoStrokeMessage;

// Host -> webview

/**
 * Probabilities after a click (or an undo): `data` holds box.width*box.height bytes (0..255,
 * row-major) on `box` (image pixels); elsewhere the probability is 0. Empty box = no object.
 */
export interface SegmentResultMessage {
  type: 'segmentResult';
  session: number;
  clickCount: number;
  box: { x: number; y: number; width: number; height: number };
  data: ArrayBuffer;
  /**
   * Very large images: `data` holds sample.width*sample.height values spread over `box` (the
   * working copy's grid, see src/shared/inference/workingImage.ts) instead of one per box pixel.
   */
  sample?: { width: number; height: number };
  /** Milliseconds from the click reaching the host to the result. */
  ms: number;
}
/** Model/device state for the click tool's busy indicator and messages. */
export interface SegmentStatusMessage {
  type: 'segmentStatus';
  session: number;
  state: 'loading' | 'ready' | 'busy' | 'error';
  /** Device in use, in words ("CPU", "CUDA"). */
  device?: string;
  /** Error text (state 'error') or a one-time fallback notice. */
  message?: string;
}

/** Everything click segmentation posts to the webview. */
export type SegmentHostMessage = SegmentResultMessage | SegmentStatusMessage;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSession(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

/** Validates a segmentation message from the (untrusted) webview; unknown fields are dropped. */
export function parseSegmentMessage(raw: Record<string, unknown>): Result<SegmentWebviewMessage, string> {
  if (!isSession(raw.session)) return err(`${String(raw.type)}.session must be a non-negative integer`);
  const session = raw.session;
  switch (raw.type) {
    case 'segmentStart': {
      const r = raw.refineObjectId;
      if (r !== null && !(typeof r === 'number' && Number.isInteger(r) && r >= 0)) return err('segmentStart.refineObjectId must be an object id or null');
      return ok({ type: 'segmentStart', session, refineObjectId: r });
    }
    case 'segmentClicks': {
      if (typeof raw.undo !== 'boolean') return err('segmentClicks.undo must be a boolean');
      if (!Array.isArray(raw.clicks) || raw.clicks.length > MAX_SEGMENT_CLICKS) return err(`segmentClicks.clicks must be an array of at most ${MAX_SEGMENT_CLICKS} clicks`);
      const clicks: ClickXY[] = [];
      for (const c of raw.clicks) {
        if (!isObj(c) || typeof c.x !== 'number' || typeof c.y !== 'number' || !Number.isFinite(c.x) || !Number.isFinite(c.y) || typeof c.positive !== 'boolean') {
          return err('segmentClicks.clicks[] must be {x, y, positive}');
        }
        clicks.push({ x: c.x, y: c.y, positive: c.positive });
      }
      if (!raw.undo && clicks.length === 0) return err('segmentClicks needs at least one click');
      return ok({ type: 'segmentClicks', session, clicks, undo: raw.undo });
    }
    case 'segmentEnd':
      return ok({ type: 'segmentEnd', session });
    case 'segmentStroke': {
      const stroke = parseStroke(raw.stroke);
      return typeof stroke === 'string' ? err(`segmentStroke.stroke ${stroke}`) : ok({ type: 'segmentStroke', session, stroke });
    }
    case 'segmentUndoStroke':
      return ok({ type: 'segmentUndoStroke', session });
    default:
      return err(`unknown segmentation message ${typeof raw.type === 'string' ? JSON.stringify(raw.type.slice(0, 40)) : typeof raw.type}`);
  }
}

/** A brush stroke from the webview, or what is wrong with it (the bounds are the host's to check). */
export function parseStroke(raw: unknown): BrushStroke | string {
  if (!isObj(raw)) return 'must be {mode, radius, points}';
  if (raw.mode !== 'paint' && raw.mode !== 'erase') return 'mode must be "paint" or "erase"';
  const r = raw.radius;
  if (typeof r !== 'number' || !Number.isFinite(r) || r < MIN_BRUSH_RADIUS || r > MAX_BRUSH_RADIUS) return `radius must be a number in [${MIN_BRUSH_RADIUS}, ${MAX_BRUSH_RADIUS}]`;
  const p = raw.points;
  if (!Array.isArray(p) || p.length < 2 || p.length % 2 !== 0 || p.length > 2 * MAX_STROKE_POINTS) return `points must hold 1 to ${MAX_STROKE_POINTS} x, y pairs`;
  for (const v of p) if (typeof v !== 'number' || !Number.isFinite(v)) return 'points must be finite numbers';
  return { mode: raw.mode, radius: r, points: (p as number[]).slice() };
}
