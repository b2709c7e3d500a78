/**
 * Pure vertex-level edits on a multipolygon, used by the polygon tools: each returns a NEW
 * multipolygon (the input is never mutated), so a tool can show a preview and commit one
 * `setGeometry` edit with before/after at the end of the gesture.
 */
import type { MultiPolygonXY, RingXY } from './types';
import { nearestEdge, pointInMultiPolygon } from '../geometry/polygon';

/** Addresses a ring: region index and -1 for the outer ring or the hole index. */
export interface RingRef {
  region: number;
  /** -1 = outer ring, >= 0 = hole index. */
  ring: number;
}

/** Addresses a vertex of a ring. */
export interface VertexRef extends RingRef {
  index: number;
}

/** The ring a reference points at, or undefined. */
export function getRing(regions: MultiPolygonXY, ref: RingRef): RingXY | undefined {
  const r = regions[ref.region];
  if (!r) return undefined;
  return ref.ring < 0 ? r.outer : r.holes[ref.ring];
}

function withRing(regions: MultiPolygonXY, ref: RingRef, ring: RingXY): MultiPolygonXY {
  return regions.map((r, i) => {
    if (i !== ref.region) return { outer: r.outer.slice(), holes: r.holes.map((h) => h.slice()) };
    if (ref.ring < 0) return { outer: ring, holes: r.holes.map((h) => h.slice()) };
    return { outer: r.outer.slice(), holes: r.holes.map((h, k) => (k === ref.ring ? ring : h.slice())) };
  });
}

/** Moves one vertex to (x, y). */
export function moveVertex(regions: MultiPolygonXY, v: VertexRef, x: number, y: number): MultiPolygonXY {
  const ring = getRing(regions, v);
  if (!ring || v.index < 0 || v.index >= ring.length >> 1) throw new Error(`moveVertex: no vertex ${JSON.stringify(v)}`);
  const next = ring.slice();
  next[2 * v.index] = x;
  next[2 * v.index + 1] = y;
  return withRing(regions, v, next);
}

/** Inserts a vertex (x, y) after vertex `afterIndex` (i.e. on edge afterIndex -> afterIndex+1). */
export function insertVertex(regions: MultiPolygonXY, ref: RingRef, afterIndex: number, x: number, y: number): MultiPolygonXY {
  const ring = getRing(regions, ref);
  if (!ring || afterIndex < 0 || afterIndex >= ring.length >> 1) throw new Error(`insertVertex: no edge ${afterIndex}`);
  const next = ring.slice();
  next.splice(2 * afterIndex + 2, 0, x, y);
  return withRing(regions, ref, next);
}

/**
 * Deletes a vertex. A ring left with fewer than 3 vertices disappears with it: a hole is removed,
 * an outer ring removes its region. Returns `null` when nothing would remain of the object.
 */
export function deleteVertex(regions: MultiPolygonXY, v: VertexRef): MultiPolygonXY | null {
  const ring = getRing(regions, v);
  if (!ring || v.index < 0 || v.index >= ring.length >> 1) throw new Error(`deleteVertex: no vertex ${JSON.stringify(v)}`);
  if (ring.length > 6) {
    const next = ring.slice();
    next.splice(2 * v.index, 2);
    return withRing(regions, v, next);
  }
  if (v.ring >= 0) {
    return regions.map((r, i) =>
      i === v.region ? { outer: r.outer.slice(), holes: r.holes.filter((_, k) => k !== v.ring).map((h) => h.slice()) } : { outer: r.outer.slice(), holes: r.holes.map((h) => h.slice()) },
    );
  }
  const rest = regions.filter((_, i) => i !== v.region).map((r) => ({ outer: r.outer.slice(), holes: r.holes.map((h) => h.slice()) }));
  return rest.length ? rest : null;
}

/** Nearest vertex of any ring within `radius` (image units), or undefined. */
export function hitVertex(regions: MultiPolygonXY, x: number, y: number, radius: number): (VertexRef & { distance: number }) | undefined {
  let best: (VertexRef & { distance: number }) | undefined;
  regions.forEach((r, ri) => {
    [r.outer, ...r.holes].forEach((ring, k) => {
      for (let i = 0; i < ring.length >> 1; i++) {
        const d = Math.hypot(ring[2 * i] - x, ring[2 * i + 1] - y);
        if (d <= radius && (!best || d < best.distance)) best = { region: ri, ring: k - 1, index: i, distance: d };
      }
    });
  });
  return best;
}

/** Nearest edge of any ring within `radius`: the ring, the edge's first vertex, and the closest point. */
export function hitEdge(
  regions: MultiPolygonXY,
  x: number,
  y: number,
  radius: number,
): (RingRef & { edge: number; x: number; y: number; distance: number }) | undefined {
  let best: (RingRef & { edge: number; x: number; y: number; distance: number }) | undefined;
  regions.forEach((r, ri) => {
    [r.outer, ...r.holes].forEach((ring, k) => {
      const e = nearestEdge(ring, x, y);
      if (e && e.distance <= radius && (!best || e.distance < best.distance)) {
        best = { region: ri, ring: k - 1, edge: e.edge, x: e.x, y: e.y, distance: e.distance };
      }
    });
  });
  return best;
}

/** Whether (x, y) hits the shape: inside it, or within `radius` of its outline. */
export function hitShape(regions: MultiPolygonXY, x: number, y: number, radius: number): boolean {
  return pointInMultiPolygon(x, y, regions) || hitEdge(regions, x, y, radius) !== undefined;
}
