/**
 * Connected components of binary masks (row-major Uint8Array, non-zero = set): labelling,
 * the largest region, and hole filling. Foreground uses 8-connectivity and background
 * 4-connectivity, the pairing that matches the contour tracer (contours.ts), so a component is
 * exactly one outer ring and its holes.
 */

/** 4- or 8-neighbourhood. */
export type Connectivity = 4 | 8;

/** Labels of every pixel (0 = not set, 1..count = component), and each component's area. */
export interface ComponentLabels {
  readonly labels: Int32Array;
  readonly count: number;
  /** areas[k] = pixel count of component k (areas[0] unused, 0). */
  readonly areas: Int32Array;
}

/** Labels the connected components of the pixels where `mask[i] !== 0`. */
export function labelComponents(mask: Uint8Array, width: number, height: number, connectivity: Connectivity = 8): ComponentLabels {
  const n = width * height;
  if (mask.length < n) throw new Error(`labelComponents: mask has ${mask.length} pixels, expected ${n}`);
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const areas: number[] = [0];
  let count = 0;
  for (let seed = 0; seed < n; seed++) {
    if (!mask[seed] || labels[seed]) continue;
    count++;
    let top = 0, area = 0;
    stack[top++] = seed;
    labels[seed] = count;
    while (top > 0) {
      const p = stack[--top];
      area++;
      const r = (p / width) | 0, c = p - r * width;
      const rLo = r > 0 ? -1 : 0, rHi = r < height - 1 ? 1 : 0;
      const cLo = c > 0 ? -1 : 0, cHi = c < width - 1 ? 1 : 0;
      for (let dr = rLo; dr <= rHi; dr++) {
        for (let dc = cLo; dc <= cHi; dc++) {
          if (dr === 0 && dc === 0) continue;
          if (connectivity === 4 && dr !== 0 && dc !== 0) continue;
          const q = p + dr * width + dc;
          if (mask[q] && !labels[q]) {
            labels[q] = count;
            stack[top++] = q;
          }
        }
      }
    }
    areas.push(area);
  }
  return { labels, count, areas: Int32Array.from(areas) };
}

/** Bounding box of the set pixels: [x0, y0, x1, y1) (exclusive ends), or null when none is set. */
function setBounds(mask: Uint8Array, width: number, height: number): [number, number, number, number] | null {
  let y0 = -1, y1 = -1, x0 = width, x1 = 0;
  for (let r = 0; r < height; r++) {
    const row = r * width;
    let first = -1;
    for (let c = 0; c < width; c++) if (mask[row + c]) { first = c; break; }
    if (first < 0) continue;
    if (y0 < 0) y0 = r;
    y1 = r + 1;
    if (first < x0) x0 = first;
    for (let c = width - 1; c >= x1; c--) if (mask[row + c]) { x1 = c + 1; break; }
  }
  return y0 < 0 ? null : [x0, y0, x1, y1];
}

/**
 * Horizontal runs of one pixel value inside a box, row by row, with union-find over the runs
 * (roots are always the smallest run index, i.e. the component's first run in raster order).
 */
class RunSets {
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  parent = new Int32Array(1024);
  count = 0;

  add(s: number, e: number): void {
    if (this.count === this.start.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
      this.start = grow(this.start); this.end = grow(this.end); this.parent = grow(this.parent);
    }
    this.start[this.count] = s;
    this.end[this.count] = e;
    this.parent[this.count] = this.count;
    this.count++;
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) { p[i] = p[p[i]]; i = p[i]; }
    return i;
  }

  union(a: number, b: number): void {
    a = this.find(a); b = this.find(b);
    if (a < b) this.parent[b] = a; else if (b < a) this.parent[a] = b;
  }

  /** Points every run straight at its root: one ascending pass, as a parent never follows its child. */
  flatten(): Int32Array {
    const p = this.parent;
    for (let k = 0; k < this.count; k++) p[k] = p[p[k]];
    return p;
  }
}

/**
 * Runs of `mask[i] !== 0` (want = true) or `mask[i] === 0` (want = false) inside the box, joined
 * across rows: 8-connected runs touch when they overlap or meet diagonally, 4-connected ones only
 * when they overlap. rowFirst[r - y0] .. rowFirst[r - y0 + 1] are row r's runs.
 */
function scanRuns(
  mask: Uint8Array, width: number, box: [number, number, number, number], want: boolean, connectivity: Connectivity,
): { runs: RunSets; rowFirst: Int32Array } {
  const [x0, y0, x1, y1] = box;
  const runs = new RunSets();
  const rowFirst = new Int32Array(y1 - y0 + 1);
  const slack = connectivity === 8 ? 1 : 0;
  for (let r = y0; r < y1; r++) {
    const row = r * width;
    const first = runs.count;
    rowFirst[r - y0] = first;
    let c = row + x0;
    const stop = row + x1;
    if (want) {
      while (c < stop) {
        while (c < stop && mask[c] === 0) c++;
        if (c === stop) break;
        const s = c;
        while (c < stop && mask[c] !== 0) c++;
        runs.add(s - row, c - row);
      }
    } else {
      while (c < stop) {
        while (c < stop && mask[c] !== 0) c++;
        if (c === stop) break;
        const s = c;
        while (c < stop && mask[c] === 0) c++;
        runs.add(s - row, c - row);
      }
    }
    if (r === y0) continue;
    // Merge with the previous row's runs (both lists are sorted by start).
    let i = rowFirst[r - y0 - 1], j = first;
    const iEnd = first, jEnd = runs.count;
    const st = runs.start, en = runs.end;
    let joined = -1; // the run of this row that last got a parent from the row above
    while (i < iEnd && j < jEnd) {
      if (st[i] < en[j] + slack && st[j] < en[i] + slack) {
        if (joined !== j) { runs.parent[j] = runs.find(i); joined = j; } else runs.union(i, j);
      }
      if (en[i] < en[j]) i++; else j++;
    }
  }
  rowFirst[y1 - y0] = runs.count;
  return { runs, rowFirst };
}

/** A copy of `mask` (0/1) keeping only its largest 8-connected region (ties: the first found). */
export function keepLargestRegion(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const box = setBounds(mask, width, height);
  if (!box) return out;
  const { runs, rowFirst } = scanRuns(mask, width, box, true, 8);
  const root = runs.flatten();
  const area = new Float64Array(runs.count);
  for (let k = 0; k < runs.count; k++) area[root[k]] += runs.end[k] - runs.start[k];
  // Roots are each component's first run in raster order, so the first strict maximum is the
  // first component found by a raster scan.
  let best = 0;
  for (let k = 1; k < runs.count; k++) if (area[k] > area[best]) best = k;
  const [, y0, , y1] = box;
  for (let r = y0; r < y1; r++) {
    const row = r * width;
    for (let k = rowFirst[r - y0]; k < rowFirst[r - y0 + 1]; k++) {
      if (root[k] === best) out.fill(1, row + runs.start[k], row + runs.end[k]);
    }
  }
  return out;
}

/** A copy of `mask` (0/1) with every background region that does not touch the border filled. */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n);
  const box = setBounds(mask, width, height);
  if (!box) return out;
  // Background outside the set pixels' box always reaches the border, and so does background on
  // the box's edge; a hole is a 4-connected background region inside the box that touches neither.
  const [x0, y0, x1, y1] = box;
  const { runs, rowFirst } = scanRuns(mask, width, box, false, 4);
  const root = runs.flatten();
  const open = new Uint8Array(runs.count);
  for (let r = y0; r < y1; r++) {
    const edgeRow = r === y0 || r === y1 - 1;
    for (let k = rowFirst[r - y0]; k < rowFirst[r - y0 + 1]; k++) {
      if (edgeRow || runs.start[k] === x0 || runs.end[k] === x1) open[root[k]] = 1;
    }
  }
  // Everything in the box is object except background that reaches the border.
  for (let r = y0; r < y1; r++) {
    const row = r * width;
    out.fill(1, row + x0, row + x1);
    for (let k = rowFirst[r - y0]; k < rowFirst[r - y0 + 1]; k++) {
      if (open[root[k]]) out.fill(0, row + runs.start[k], row + runs.end[k]);
    }
  }
  return out;
}
