/**
 * YOLO segmentation labels (Ultralytics format): one `labels/<image stem>.txt` per image, one line
 * per object: `<class index> x1 y1 x2 y2 ...` with coordinates normalised by the image size, and a
 * `data.yaml` naming the classes. Class indices are 0-based positions in the labels file, in id
 * order. A line holds ONE polygon, so objects with several parts or holes are joined into one ring
 * by zero-width bridges between the rings (the same trick Ultralytics uses when it converts COCO).
 */
import type { MultiPolygonXY, RingXY } from '../annotation/types';

/** Join a region list (outer rings and holes) into one ring by zero-width bridges. */
export function bridgeRings(regions: MultiPolygonXY): RingXY {
  const rings: RingXY[] = [];
  for (const r of regions) {
    if (r.outer.length >= 6) rings.push(r.outer);
    for (const h of r.holes) if (h.length >= 6) rings.push(h);
  }
  if (rings.length === 0) return [];
  let merged = rings[0].slice();
  for (let k = 1; k < rings.length; k++) {
    const ring = rings[k];
    // The closest vertex pair between what is merged so far and the next ring.
    let bi = 0;
    let bj = 0;
    let bd = Infinity;
    const n = merged.length >> 1;
    const m = ring.length >> 1;
    const step = n * m > 4_000_000 ? Math.ceil((n * m) / 4_000_000) : 1;
    for (let i = 0; i < n; i += step) {
      const x = merged[2 * i];
      const y = merged[2 * i + 1];
      for (let j = 0; j < m; j++) {
        const dx = ring[2 * j] - x;
        const dy = ring[2 * j + 1] - y;
        const d = dx * dx + dy * dy;
        if (d < bd) {
          bd = d;
          bi = i;
          bj = j;
        }
      }
    }
    const out: number[] = merged.slice(0, 2 * (bi + 1));
    for (let t = 0; t <= m; t++) {
      const j = (bj + t) % m;
      out.push(ring[2 * j], ring[2 * j + 1]);
    }
    out.push(merged[2 * bi], merged[2 * bi + 1]);
    for (let i = 2 * (bi + 1); i < merged.length; i++) out.push(merged[i]);
    merged = out;
  }
  return merged;
}

/** Format a normalised coordinate: 6 decimals, clamped to [0, 1], no trailing zeros. */
function norm(v: number, size: number): string {
  const x = Math.min(1, Math.max(0, v / size));
  return String(Math.round(x * 1e6) / 1e6);
}

/** One YOLO-seg line for an object; undefined when it has no usable ring. */
export function yoloSegLine(classIndex: number, regions: MultiPolygonXY, width: number, height: number): string | undefined {
  const ring = bridgeRings(regions);
  if (ring.length < 6) return undefined;
  const parts: string[] = [String(classIndex)];
  for (let i = 0; i < ring.length; i += 2) parts.push(norm(ring[i], width), norm(ring[i + 1], height));
  return parts.join(' ');
}

/** Quote a YAML scalar when it is not a plain safe word. */
export function yamlString(s: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_ .\/-]*$/.test(s) && !/\s$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

/** `data.yaml` for Ultralytics: dataset root, one image folder per split, class names by index. */
export function yoloDataYaml(splitDirs: ReadonlyMap<string, string>, names: readonly string[]): string {
  const lines = ['# YOLO segmentation dataset written by EdgeFlow Annotator', 'path: .'];
  for (const [split, dir] of splitDirs) lines.push(`${yamlString(split)}: ${yamlString(dir)}`);
  lines.push(`nc: ${names.length}`);
  lines.push('names:');
  names.forEach((n, i) => lines.push(`  ${i}: ${yamlString(n)}`));
  return lines.join('\n') + '\n';
}
