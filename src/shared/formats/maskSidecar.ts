/**
 * The optional class-id mask sidecar, `<image file name>.mask.png`: an 8-bit palette PNG the size
 * of the image whose pixel values are class ids (0 = background). Objects are painted in drawing
 * order (later objects win where they overlap), by pixel centre (geometry/polygon.ts), hidden
 * objects included (hiding is display-only). The palette maps each class id to its labels-file
 * colour (0 = black, unknown ids grey), so the file also previews well in any image viewer.
 * A tEXt chunk `Software: EdgeFlow Annotator` marks the file as ours (provenance check before
 * overwriting).
 */
import type { AnnotationState } from '../annotation/types';
import { type DeflateFn, crc32, encodePng8 } from '../export/png';
import { rasterizeMultiPolygonInto } from '../geometry/polygon';
import { type Label, hexToRgb } from '../labels';

/** tEXt keyword/value that marks our mask files. */
export const MASK_PROVENANCE_KEYWORD = 'Software';
export const MASK_PROVENANCE_VALUE = 'EdgeFlow Annotator';

/** Row-major class-id map of the state (0 = background). */
export function buildClassIdMask(state: AnnotationState, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const o of state.objects) {
    if (o.classId < 1 || o.classId > 255) continue;
    rasterizeMultiPolygonInto(m, width, height, o.regions, o.classId);
  }
  return m;
}

/** 256-entry RGB palette: class colours at their ids, 0 black, unused ids grey. */
export function classPalette(labels: readonly Label[]): Uint8Array {
  const p = new Uint8Array(256 * 3).fill(128);
  p[0] = p[1] = p[2] = 0;
  for (const l of labels) {
    if (l.id < 1 || l.id > 255) continue;
    const [r, g, b] = hexToRgb(l.color);
    p[l.id * 3] = r;
    p[l.id * 3 + 1] = g;
    p[l.id * 3 + 2] = b;
  }
  return p;
}

function textChunk(keyword: string, value: string): Uint8Array {
  const body = new TextEncoder().encode(`${keyword}\0${value}`);
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  out.set([0x74, 0x45, 0x58, 0x74], 4); // "tEXt"
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Encodes the mask sidecar PNG (palette, provenance tEXt after IHDR). */
export function encodeMaskSidecar(
  state: AnnotationState,
  labels: readonly Label[],
  width: number,
  height: number,
  deflate: DeflateFn,
): Uint8Array {
  const png = encodePng8({ width, height, data: buildClassIdMask(state, width, height), palette: classPalette(labels) }, deflate);
  // Signature (8) + IHDR chunk (12 + 13): insert the text chunk right after IHDR.
  const at = 8 + 25;
  const text = textChunk(MASK_PROVENANCE_KEYWORD, MASK_PROVENANCE_VALUE);
  const out = new Uint8Array(png.length + text.length);
  out.set(png.subarray(0, at), 0);
  out.set(text, at);
  out.set(png.subarray(at), at + text.length);
  return out;
}

/** True when `bytes` is a PNG carrying our provenance tEXt chunk. Never throws. */
export function isOurMaskPng(bytes: Uint8Array): boolean {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  while (p + 12 <= bytes.length) {
    const len = v.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    if (p + 12 + len > bytes.length) return false;
    if (type === 'tEXt') {
      const text = new TextDecoder('latin1').decode(bytes.subarray(p + 8, p + 8 + len));
      if (text === `${MASK_PROVENANCE_KEYWORD}\0${MASK_PROVENANCE_VALUE}`) return true;
    }
    if (type === 'IDAT' || type === 'IEND') return false;
    p += 12 + len;
  }
  return false;
}
