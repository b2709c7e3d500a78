/**
 * Brush strokes on the click protocol's full-resolution state (pipeline.ts): a stroke sets the
 * probabilities it covers to certainty (1 painted, 0 erased) and redraws the edge prior around
 * it as the contract's binary-mask edge, so the next click both keeps the stroke (the override is
 * put on every later prediction, `overridePlane`) and sees its outline as the previous mask's
 * edge. Everything costs the stroke's box, never the image.
 */
import { OVERRIDE_BACKGROUND, OVERRIDE_OBJECT, intersectBox, rasterizeStroke, type BrushStroke, type OverrideLayer, type OverridePatch } from '../geometry/brush';
import type { PredictionState, StatePatch } from './pipeline';
import { maskEdge } from './postprocess';
import type { BoxXYWH } from './resize';

/** What a stroke changed: the state's patch (its undo) and the override layer's. */
export interface StrokeUndo {
  readonly state: StatePatch;
  readonly override: OverridePatch;
}

function copyPlane(src: Float32Array, width: number, box: BoxXYWH): Float32Array {
  const out = new Float32Array(box.width * box.height);
  for (let r = 0; r < box.height; r++) {
    const at = (box.y + r) * width + box.x;
    out.set(src.subarray(at, at + box.width), r * box.width);
  }
  return out;
}

/**
 * Draws `stroke` into `layer` and `state` (in place). Returns the undo (null when the stroke
 * misses the image).
 */
export function strokeIntoState(state: PredictionState, layer: OverrideLayer, stroke: BrushStroke): StrokeUndo | null {
  const W = state.width, H = state.height, whole = { x: 0, y: 0, width: W, height: H };
  const cover = strokeCover(stroke, whole);
  if (!cover) return null;
  const sb = cover.box;
  // The edge prior changes up to one pixel around the stroke; the 3x3 filter reads one more.
  const eb = intersectBox({ x: sb.x - 1, y: sb.y - 1, width: sb.width + 2, height: sb.height + 2 }, whole)!;
  const wb = intersectBox({ x: sb.x - 2, y: sb.y - 2, width: sb.width + 4, height: sb.height + 4 }, whole)!;
  const undo: StrokeUndo = {
    state: { box: eb, probs: copyPlane(state.probs, W, eb), edges: copyPlane(state.edges, W, eb) },
    override: layer.save(sb),
  };
  layer.draw(stroke);
  const v = stroke.mode === 'paint' ? 1 : 0;
  for (let r = 0; r < sb.height; r++) {
    for (let c = 0; c < sb.width; c++) if (cover.data[r * sb.width + c]) state.probs[(sb.y + r) * W + sb.x + c] = v;
  }
  // The binary mask's edge on the window, written where a pixel or a neighbour was stroked.
  const mask = new Uint8Array(wb.width * wb.height);
  for (let r = 0; r < wb.height; r++) {
    for (let c = 0; c < wb.width; c++) mask[r * wb.width + c] = state.probs[(wb.y + r) * W + wb.x + c] > 0.5 ? 1 : 0;
  }
  const edge = maskEdge(mask, wb.width, wb.height);
  const near = (x: number, y: number): boolean => {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const cx = x + dx - sb.x, cy = y + dy - sb.y;
        if (cx >= 0 && cy >= 0 && cx < sb.width && cy < sb.height && cover.data[cy * sb.width + cx]) return true;
      }
    }
    return false;
  };
  for (let y = eb.y; y < eb.y + eb.height; y++) {
    for (let x = eb.x; x < eb.x + eb.width; x++) if (near(x, y)) state.edges[y * W + x] = edge[(y - wb.y) * wb.width + (x - wb.x)];
  }
  return undo;
}

/** The pixels a stroke covers, on its own box (null: none inside `clip`). */
export function strokeCover(stroke: BrushStroke, clip: BoxXYWH): { box: BoxXYWH; data: Uint8Array } | null {
  const p = stroke.points;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < p.length; i += 2) {
    x0 = Math.min(x0, p[i]);
    x1 = Math.max(x1, p[i]);
    y0 = Math.min(y0, p[i + 1]);
    y1 = Math.max(y1, p[i + 1]);
  }
  const r = stroke.radius;
  const box = intersectBox({ x: Math.floor(x0 - r), y: Math.floor(y0 - r), width: Math.ceil(x1 - x0 + 2 * r) + 2, height: Math.ceil(y1 - y0 + 2 * r) + 2 }, clip);
  if (!box) return null;
  const data = new Uint8Array(box.width * box.height);
  return rasterizeStroke(stroke, box, data, 1) ? { box, data } : null;
}

/** Puts the layer's overrides on a prediction's `box`-sized probability plane (in place). */
export function overridePlane(plane: Float32Array, box: BoxXYWH, layer: OverrideLayer): void {
  const lb = layer.box;
  const part = lb && intersectBox(lb, box);
  if (!part) return;
  for (let r = part.y; r < part.y + part.height; r++) {
    const s = (r - lb.y) * lb.width - lb.x, d = (r - box.y) * box.width - box.x;
    for (let c = part.x; c < part.x + part.width; c++) {
      const v = layer.data[s + c];
      if (v === OVERRIDE_OBJECT) plane[d + c] = 1;
      else if (v === OVERRIDE_BACKGROUND) plane[d + c] = 0;
    }
  }
}
