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

/** A copy of `mask` (0/1) keeping only its largest 8-connected region (ties: the first found). */
export function keepLargestRegion(mask: Uint8Array, width: number, height: number): Uint8Array {
  const { labels, count, areas } = labelComponents(mask, width, height, 8);
  const out = new Uint8Array(width * height);
  if (count === 0) return out;
  let best = 1;
  for (let k = 2; k <= count; k++) if (areas[k] > areas[best]) best = k;
  for (let i = 0; i < out.length; i++) out[i] = labels[i] === best ? 1 : 0;
  return out;
}

/** A copy of `mask` (0/1) with every background region that does not touch the border filled. */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n);
  // Flood the background from the border (4-connected); whatever is not reached is object.
  const outside = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  const push = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let c = 0; c < width; c++) {
    push(c);
    push((height - 1) * width + c);
  }
  for (let r = 0; r < height; r++) {
    push(r * width);
    push(r * width + width - 1);
  }
  while (top > 0) {
    const p = stack[--top];
    const r = (p / width) | 0, c = p - r * width;
    if (r > 0) push(p - width);
    if (r < height - 1) push(p + width);
    if (c > 0) push(p - 1);
    if (c < width - 1) push(p + 1);
  }
  for (let i = 0; i < n; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
