/**
 * A 0/1 mask as a tinted canvas, one canvas pixel per mask sample, drawn over the mask's box:
 * rebuilt whole when the mask changes, or repainted only in a box while a brush stroke is dragged
 * (a 24-megapixel mask is never repainted per pointer move).
 */
import type { BoxXYWH } from '../../shared/inference/resize';

function hexToRgb(c: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(c);
  const v = m ? parseInt(m[1], 16) : 0xffcc00;
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Alpha of the tint (of 255) at overlay opacity 1. */
const TINT_ALPHA = 120;
/**
 * The tint is the class colour mixed with this much white (bug 6): a red mask on a red object
 * still lightens it visibly; the dark+light outline (`contrastStroke`) does the rest on any image.
 */
const TINT_WHITE = 0.4;

export class MaskCanvas {
  readonly canvas = document.createElement('canvas');
  /** What the canvas shows (the owner's cache key). */
  key: unknown = null;
  private colour = 0;

  /** Redraws the whole `width` x `height` mask in `color`. */
  full(mask: Uint8Array, width: number, height: number, color: string, key: unknown): void {
    const canvas = this.canvas;
    canvas.width = width;
    canvas.height = height;
    this.colour = packed(color);
    this.key = key;
    if (width === 0 || height === 0) return;
    const g = canvas.getContext('2d')!;
    const img = g.createImageData(width, height);
    const px = new Uint32Array(img.data.buffer, img.data.byteOffset, width * height);
    const c = this.colour;
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) px[i] = c;
    g.putImageData(img, 0, 0);
  }

  /** Repaints `dirty` (mask pixels, relative to the mask's box origin) from `mask`. */
  partial(mask: Uint8Array, width: number, dirty: BoxXYWH): void {
    const g = this.canvas.getContext('2d')!;
    const img = g.createImageData(dirty.width, dirty.height);
    const px = new Uint32Array(img.data.buffer, img.data.byteOffset, dirty.width * dirty.height);
    const c = this.colour;
    for (let r = 0; r < dirty.height; r++) {
      const at = (dirty.y + r) * width + dirty.x, out = r * dirty.width;
      for (let k = 0; k < dirty.width; k++) if (mask[at + k] !== 0) px[out + k] = c;
    }
    g.putImageData(img, dirty.x, dirty.y);
  }
}

/** The tint colour as one 32-bit store (RGBA bytes in the platform's own order). */
function packed(color: string): number {
  const rgba = Uint8Array.from([...hexToRgb(color).map((v) => Math.round(v + (255 - v) * TINT_WHITE)), TINT_ALPHA]);
  return new Uint32Array(rgba.buffer)[0];
}

/**
 * Strokes the current path twice, dark and wide under light and narrow, so an outline reads on
 * any image (issue 30, bug 6: a red mask on a red teddy was invisible); `dash` dashes the light
 * line only.
 */
export function contrastStroke(g: CanvasRenderingContext2D, width = 1.5, dash: number[] = []): void {
  g.save();
  g.setLineDash([]);
  g.lineWidth = width + 2.5;
  g.strokeStyle = 'rgba(0, 0, 0, 0.85)';
  g.stroke();
  g.setLineDash(dash);
  g.lineWidth = width;
  g.strokeStyle = '#ffffff';
  g.stroke();
  g.restore();
}
