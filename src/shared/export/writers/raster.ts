/** Pixel maps the mask formats share: painting an object's crop, VOC's boundary band. */
import type { ObjectRaster } from '../clean';

/** Write `value` wherever the object's crop is set. */
export function paint(target: Uint8Array, width: number, r: ObjectRaster, value: number): void {
  for (let y = 0; y < r.h; y++) {
    const src = y * r.w;
    const dst = (r.y0 + y) * width + r.x0;
    for (let x = 0; x < r.w; x++) if (r.data[src + x]) target[dst + x] = value;
  }
}

/**
 * The VOC-style boundary band: pixels within `width/2` (Chebyshev distance) of a pixel with a
 * different instance value, so the band straddles every object outline.
 */
export function boundaryBand(objectMap: Uint8Array, width: number, height: number, bandWidth: number): Uint8Array {
  const r = Math.max(1, Math.floor(bandWidth / 2));
  // Separable min and max filters over a (2r+1)^2 window; the band is where they differ.
  const minH = new Uint8Array(width * height);
  const maxH = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let lo = 255, hi = 0;
      const a = Math.max(0, x - r), b = Math.min(width - 1, x + r);
      for (let k = a; k <= b; k++) {
        const v = objectMap[row + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      minH[row + x] = lo;
      maxH[row + x] = hi;
    }
  }
  const band = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let lo = 255, hi = 0;
      const a = Math.max(0, y - r), b = Math.min(height - 1, y + r);
      for (let k = a; k <= b; k++) {
        const i = k * width + x;
        if (minH[i] < lo) lo = minH[i];
        if (maxH[i] > hi) hi = maxH[i];
      }
      if (lo !== hi) band[y * width + x] = 1;
    }
  }
  return band;
}
