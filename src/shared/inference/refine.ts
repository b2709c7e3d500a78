/**
 * Refining an existing object with clicks (issue 30, bug 2). The model only knows an object
 * through its clicks and the previous mask's edge; an object that was finished earlier (or drawn
 * as a polygon) comes with neither clicks nor a mask the model made, and a single click on a part
 * it misses made the model answer with that part alone (a teddy of 22,872 px² became a 1,330 px²
 * ear). Two measures, both measured on GrabCut objects with a quarter cut off (or a spill added)
 * and one simulated click (test/unit/inference/refineGrabCut.test.ts):
 *
 * - **Anchors**: a few positive clicks spread over the object's interior go to the model before
 *   the user's clicks (never shown, never in the click list), so the model sees the object as
 *   the user's earlier clicks would have shown it. Anchors near a negative click of the user are
 *   dropped (the user said that part is background).
 * - **Local edits**: the answer changes the object only in the regions the user's clicks point
 *   at: what the model adds is kept where it is connected to a positive click, what it removes
 *   where it is connected to a negative click; everywhere else the object stays as it was.
 *   So a positive click can only grow the object and a negative click only shrink it. An edit
 *   reaches at most 2.5 times its click's distance to the object's old edge, so a region the
 *   model spills into background (or cuts out of the object) far from the click stays as it was.
 *
 * Measured with the shipped model on 14 GrabCut objects x 4 sides, a quarter cut off or a spill
 * added, one simulated click (111 cases): before, a positive click left IoU 0.78 -> 0.15 on
 * average (the 40 cut cases of 10 of these objects) and a negative click deleted the object
 * (IoU 0); now IoU rises on average by 0.109 (median 0.095) and falls in no case. Earlier
 * variants (anchors on the lobes' rims): without anchors +0.086; reach 3 or 4: 2 and 7 cases
 * fall; no reach limit: 11 fall; 5 anchors instead of 3: no better.
 */
import { squaredDistanceTransform } from '../clicker';
import type { ClickXY } from './clicks';
import type { BoxXYWH } from './resize';

/** At most this many anchors (the sampling stops earlier on compact objects). */
export const MAX_ANCHORS = 3;
/** The anchors are found on a copy of the mask at most this many pixels on its longer side. */
const ANCHOR_GRID = 512;

/**
 * Positive anchor clicks inside `mask` (0/1, `width` x `height`): the most interior pixel first,
 * then, among pixels at least a quarter of the largest inscribed radius from the boundary, the
 * one with the largest product of its distance to the anchors taken and its own distance to the
 * boundary (the centre of the next lobe), stopping when that one would lie within the largest
 * radius of an anchor already taken. Each anchor carries its inscribed radius (for `anchorsFor`). Work is on a grid
 * of at most 512 px, so a 12-megapixel object costs a few milliseconds.
 */
export function refineAnchors(mask: Uint8Array, width: number, height: number, max = MAX_ANCHORS): (ClickXY & { radius: number })[] {
  const step = Math.max(1, Math.ceil(Math.max(width, height) / ANCHOR_GRID));
  const gw = Math.ceil(width / step), gh = Math.ceil(height / step);
  const grid = new Uint8Array(gw * gh);
  for (let r = 0; r < gh; r++) {
    const y = Math.min(height - 1, r * step + (step >> 1));
    for (let c = 0; c < gw; c++) grid[r * gw + c] = mask[y * width + Math.min(width - 1, c * step + (step >> 1))] ? 1 : 0;
  }
  const d = squaredDistanceTransform(grid, gw, gh);
  let top = 0;
  for (let i = 0; i < d.length; i++) if (d[i] > top) top = d[i];
  if (top === 0) return [];
  const floor = top / 16; // (a quarter of the radius)^2
  const candidates: number[] = [];
  for (let i = 0; i < d.length; i++) if (d[i] >= floor) candidates.push(i);
  const nearest = new Float64Array(candidates.length).fill(Infinity);
  const out: (ClickXY & { radius: number })[] = [];
  while (out.length < max) {
    let best = -1, score = -1;
    // Far from the anchors taken and deep inside: the centre of the next lobe, not its rim.
    for (let k = 0; k < candidates.length; k++) {
      const s = out.length === 0 ? d[candidates[k]] : nearest[k] * d[candidates[k]];
      if (s > score) {
        score = s;
        best = k;
      }
    }
    if (best < 0 || (out.length > 0 && nearest[best] < top)) break;
    const i = candidates[best], gx = i % gw, gy = (i - gx) / gw;
    out.push({
      x: Math.min(width - 0.5, gx * step + step / 2), y: Math.min(height - 0.5, gy * step + step / 2), positive: true, radius: Math.sqrt(d[i]) * step,
    });
    for (let k = 0; k < candidates.length; k++) {
      const j = candidates[k], dx = (j % gw) - gx, dy = ((j - (j % gw)) / gw) - gy;
      const q = dx * dx + dy * dy;
      if (q < nearest[k]) nearest[k] = q;
    }
  }
  return out;
}

/**
 * The anchors that go to the model with `clicks`: those with no negative click of the user
 * inside their inscribed circle (at least 16 px), without their radius.
 */
export function anchorsFor(anchors: readonly (ClickXY & { radius: number })[], clicks: readonly ClickXY[]): ClickXY[] {
  const out: ClickXY[] = [];
  for (const a of anchors) {
    const r = Math.max(16, a.radius);
    if (!clicks.some((c) => !c.positive && (c.x - a.x) ** 2 + (c.y - a.y) ** 2 < r * r)) out.push({ x: a.x, y: a.y, positive: true });
  }
  return out;
}

/** How far an edit reaches, in multiples of its click's distance to the object's edge. */
const REACH = 2.5;
/** The smallest distance that sets the reach (a click right on the edge still edits a little). */
const MIN_EDGE_DISTANCE = 8;

/**
 * Distance from (`cx`, `cy`) (box pixels) to the nearest pixel of `prev` on `box` that is object
 * (`object`: p > 0.5) or background; the box's size when there is none.
 */
function edgeDistance(prev: Float32Array, prevWidth: number, box: BoxXYWH, cx: number, cy: number, object: boolean): number {
  let best = Infinity;
  for (let r = 0; r < box.height; r++) {
    const dy2 = (r - cy) * (r - cy);
    if (dy2 >= best) continue;
    const src = (box.y + r) * prevWidth + box.x;
    for (let c = 0; c < box.width; c++) {
      if (prev[src + c] > 0.5 !== object) continue;
      const d2 = dy2 + (c - cx) * (c - cx);
      if (d2 < best) best = d2;
    }
  }
  return best === Infinity ? Math.max(box.width, box.height) : Math.sqrt(best);
}

/**
 * Keeps the model's answer `plane` (probabilities on `box`, in place) only where the user's
 * clicks ask for a change: pixels the answer turns on (p > 0.5 where `prev` was <= 0.5) in a
 * 4-connected region holding a positive click (or one of its 8 neighbours), and pixels it turns
 * off in a region holding a negative click. Every other pixel gets `prev` back (the full-image
 * map of width `prevWidth`, the state before this click), so the threshold slider moves only the
 * edited parts. Clicks outside `box` change nothing.
 */
export function keepLocalEdits(plane: Float32Array, box: BoxXYWH, prev: Float32Array, prevWidth: number, clicks: readonly ClickXY[]): void {
  const { width: w, height: h } = box;
  const n = w * h;
  // 1: turned on, 2: turned off, 0: unchanged side of 0.5.
  const change = new Uint8Array(n);
  for (let r = 0; r < h; r++) {
    const src = (box.y + r) * prevWidth + box.x;
    for (let c = 0; c < w; c++) {
      const was = prev[src + c] > 0.5, now = plane[r * w + c] > 0.5;
      if (now !== was) change[r * w + c] = now ? 1 : 2;
    }
  }
  const keep = new Uint8Array(n);
  const stack: number[] = [];
  for (const click of clicks) {
    const cx = Math.floor(click.x) - box.x, cy = Math.floor(click.y) - box.y;
    const kind = click.positive ? 1 : 2;
    // The edit's reach: REACH times the click's distance to the object's edge as it was.
    const reach = REACH * Math.max(MIN_EDGE_DISTANCE, edgeDistance(prev, prevWidth, box, cx, cy, click.positive));
    const reach2 = reach * reach;
    const inReach = (i: number): boolean => {
      const dx = (i % w) - cx, dy = ((i - (i % w)) / w) - cy;
      return dx * dx + dy * dy <= reach2;
    };
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx, y = cy + dy;
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const i = y * w + x;
        if (change[i] === kind && !keep[i]) {
          keep[i] = 1;
          stack.push(i);
        }
      }
    }
    while (stack.length) {
      const i = stack.pop()!, x = i % w;
      const visit = (j: number): void => {
        if (change[j] === kind && !keep[j] && inReach(j)) {
          keep[j] = 1;
          stack.push(j);
        }
      };
      if (x > 0) visit(i - 1);
      if (x < w - 1) visit(i + 1);
      if (i >= w) visit(i - w);
      if (i + w < n) visit(i + w);
    }
  }
  for (let r = 0; r < h; r++) {
    const src = (box.y + r) * prevWidth + box.x;
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      // Outside the edited regions the object stays exactly as it was, whatever the threshold.
      if (!keep[i]) plane[i] = prev[src + c];
    }
  }
}
