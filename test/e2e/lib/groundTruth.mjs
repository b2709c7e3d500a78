// Ground-truth masks of the evaluation photos (../shared/datasets/eval, never copied into the
// repository) for the scenarios that segment real photos with the shipped model: the clicks a
// careful user makes (the NoC protocol's: the centre of the largest error), what the editor shows
// read back from its overlay canvas, and polygons rasterised to compare with the truth.
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './codeServer.mjs';

/** The GrabCut evaluation set (images/ and masks/), where the shared data is checked out. */
export const GRABCUT = join(ROOT, '../shared/datasets/eval/GrabCut');

/** Chamfer (3-4) distance of every pixel where `inside(i)` holds to the nearest pixel where it does not. */
export function distanceInside(width, height, inside) {
  const d = new Float64Array(width * height);
  const big = 1e9;
  for (let i = 0; i < d.length; i++) d[i] = inside(i) ? big : 0;
  const at = (x, y) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (d[i]) d[i] = Math.min(d[i], at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (d[i]) d[i] = Math.min(d[i], at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  }
  return d;
}

/** The pixel of a region farthest from its border (the click a careful user, and the NoC protocol, makes); `d` in pixels. */
export function farthest(width, height, inside) {
  const d = distanceInside(width, height, inside);
  let best = { x: 0, y: 0, d: 0 };
  for (let i = 0; i < d.length; i++) if (d[i] / 3 > best.d) best = { x: i % width, y: Math.floor(i / width), d: d[i] / 3 };
  return best;
}

/**
 * The ground-truth mask of a photo (`masks/<name>.png`, object where > 127): `{data, width,
 * height, click, area}`, `click` being the first click (the object's innermost pixel).
 */
export async function groundTruth(name, dir = GRABCUT) {
  const { data, info } = await sharp(join(dir, 'masks', `${name}.png`)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const click = farthest(width, height, (i) => data[i] > 127);
  let area = 0;
  for (let i = 0; i < width * height; i++) if (data[i] > 127) area++;
  return { data, width, height, click, area };
}

/** Rasterises `regions` (flat rings, image pixels; holes by even-odd) at pixel centres into a 0/1 mask. */
export function rasterize(regions, width, height) {
  const mask = new Uint8Array(width * height);
  for (const region of regions) {
    for (const ring of [region.outer, ...(region.holes ?? [])]) {
      for (let y = 0; y < height; y++) {
        const cy = y + 0.5;
        const xs = [];
        for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
          const [xi, yi, xj, yj] = [ring[i], ring[i + 1], ring[j], ring[j + 1]];
          if (yi > cy !== yj > cy) xs.push(((xj - xi) * (cy - yi)) / (yj - yi) + xi);
        }
        xs.sort((p, q) => p - q);
        for (let k = 0; k + 1 < xs.length; k += 2) {
          for (let x = Math.max(0, Math.ceil(xs[k] - 0.5)); x < Math.min(width, Math.ceil(xs[k + 1] - 0.5)); x++) mask[y * width + x] ^= 1;
        }
      }
    }
  }
  return mask;
}

/** `regions` compared with the ground truth: `{mask, area, tp, fp, iou}`. */
export function overlap(regions, gt) {
  const mask = rasterize(regions, gt.width, gt.height);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    if (gt.data[i] > 127) tp++;
    else fp++;
  }
  return { mask, area: tp + fp, tp, fp, iou: tp / (gt.area + fp) };
}

/** The next corrective click of the NoC protocol: the centre of the larger error (missed object or extra background). */
export function nextClick(mask, gt) {
  const fn = farthest(gt.width, gt.height, (i) => gt.data[i] > 127 && !mask[i]);
  const fp = farthest(gt.width, gt.height, (i) => gt.data[i] <= 127 && mask[i]);
  return fn.d >= fp.d ? { ...fn, positive: true } : { ...fp, positive: false };
}

/** What the editor shows as the mask: the overlay canvas read back at every image pixel's centre (alpha > 0). */
export async function overlayMask(frame, gt) {
  const bits = await frame.evaluate(([width, height]) => {
    const canvas = document.querySelector('[data-testid="overlay-canvas"]');
    const { scale, tx, ty } = window.__edgeflowDebug.view;
    const k = canvas.width / canvas.getBoundingClientRect().width;
    const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const cx = Math.floor(((x + 0.5) * scale + tx) * k);
        const cy = Math.floor(((y + 0.5) * scale + ty) * k);
        out.push(cx >= 0 && cy >= 0 && cx < canvas.width && cy < canvas.height && rgba[(cy * canvas.width + cx) * 4 + 3] > 0 ? 1 : 0);
      }
    }
    return out.join('');
  }, [gt.width, gt.height]);
  return Uint8Array.from(bits, (c) => (c === '1' ? 1 : 0));
}

/** IoU of a 0/1 mask with the ground truth. */
export function maskIoU(mask, gt) {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const g = gt.data[i] > 127;
    if (mask[i] && g) inter++;
    if (mask[i] || g) union++;
  }
  return inter / union;
}
