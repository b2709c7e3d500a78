/**
 * The per-click inference protocol of models/README.md as pure functions: build the model's
 * three inputs for a click list and the previous full-resolution state, and paste the model's
 * outputs back. The extension host's worker, the NoC benchmark and the tests all run this code.
 */
import { encodeClicks, type ClickXY, type ModelClick } from './clicks';
import { clickToModel, FIRST_FOCUS_MIN_ZOOM, firstFocusRegion, focusBox, inputGeometry, probabilityBounds, type InputGeometry } from './crop';
import { maskEdge, sigmoidInPlace } from './postprocess';
import { resizePlane, resizeRgbToTensor, type BoxXYWH, type RgbImage } from './resize';

/** Default longer side of the model input. */
export const DEFAULT_TARGET_SIZE = 400;

/** Full-resolution probability maps after the last accepted click. */
export interface PredictionState {
  readonly width: number;
  readonly height: number;
  /** Object probability per pixel (0..1). */
  readonly probs: Float32Array;
  /** Edge probability per pixel (0..1); the next click's prior. */
  readonly edges: Float32Array;
}

/** The three model inputs for one click, with the geometry to map the outputs back. */
export interface PreparedInput {
  readonly geometry: InputGeometry;
  /** [1,3,padH,padW] RGB in [0,1]. */
  readonly image: Float32Array;
  /** [1,2,padH,padW] click disks. */
  readonly clicks: Float32Array;
  /** [1,1,padH,padW] 0/1 edge prior. */
  readonly prevEdge: Float32Array;
  /** The clicks that fell inside the crop, in model pixels. */
  readonly modelClicks: readonly ModelClick[];
}

/** Region of the full-resolution maps replaced by one prediction. */
export interface StatePatch {
  readonly box: BoxXYWH;
  readonly probs: Float32Array;
  readonly edges: Float32Array;
}

/** The state a previous binary mask implies: probabilities 0/1 and its contract edge. */
export function stateFromMask(mask: Uint8Array, width: number, height: number): PredictionState {
  const probs = new Float32Array(width * height);
  for (let i = 0; i < probs.length; i++) probs[i] = mask[i] ? 1 : 0;
  const e = maskEdge(mask, width, height);
  const edges = new Float32Array(width * height);
  for (let i = 0; i < edges.length; i++) edges[i] = e[i];
  return { width, height, probs, edges };
}

/** An all-zero state (nothing predicted yet). */
export function emptyPredictionState(width: number, height: number): PredictionState {
  return { width, height, probs: new Float32Array(width * height), edges: new Float32Array(width * height) };
}

/**
 * The resized image tensors of one image, by crop box and model size, so that a crop seen before
 * (every new object's first click sees the whole image; an undo returns to an earlier crop) is
 * not resized again. Least recently used entries are dropped beyond `maxBytes`. A cache belongs
 * to one decoded image: a changed image needs a new cache (the worker makes one per image).
 */
export class ResizedImageCache {
  private readonly entries = new Map<string, Float32Array>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly image: RgbImage, readonly maxBytes = 16 * 1024 * 1024) {}

  /** The [1,3,padH,padW] tensor of `g` (shared: callers must not write to it). */
  get(g: InputGeometry): Float32Array {
    const { box } = g;
    const key = `${box.x},${box.y},${box.width},${box.height}>${g.width}x${g.height}/${g.padWidth}x${g.padHeight}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    const t = resizeRgbToTensor(this.image, box, g.width, g.height, g.padWidth, g.padHeight);
    this.entries.set(key, t);
    this.bytes += t.byteLength;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.bytes -= v.byteLength;
    }
    return t;
  }

  /** Number of cached tensors. */
  get size(): number {
    return this.entries.size;
  }
}

/** Model-input planes reused from click to click (overwritten entirely by `prepareInput`). */
export interface InputBuffers {
  /** [1,2,padH,padW]. */
  readonly clicks: Float32Array;
  /** [1,1,padH,padW]. */
  readonly prevEdge: Float32Array;
}

/** Optional speed-ups of `prepareInput`; results are identical with or without them. */
export interface PrepareOptions {
  /** A box known to hold every pixel of `prev` above 0.5. */
  readonly prevSupport?: BoxXYWH;
  /** false = ablation: every click sees the whole image (the edge prior is still used). */
  readonly focus?: boolean;
  /**
   * This click is one of the first focused ones of a new object (its second or third click; not a
   * click that refines an existing object): the crop is used only if it zooms in enough
   * (FIRST_FOCUS_MIN_ZOOM).
   */
  readonly firstFocus?: boolean;
  /** With `firstFocus`: the crop is used only if it is not upsampled (its longer side >= `target`; click 2). */
  readonly firstFocusNoUpscale?: boolean;
  /** Resized image tensors of this image. */
  readonly images?: ResizedImageCache;
  /** Buffers of the padded size to write the click and edge planes into. */
  readonly buffers?: (padWidth: number, padHeight: number) => InputBuffers;
}

/**
 * Builds the model inputs. `prev` = null for the first click of a new object (whole image);
 * otherwise the focus crop around the previous mask and all clicks.
 */
export function prepareInput(
  image: RgbImage, clicks: readonly ClickXY[], prev: PredictionState | null, target = DEFAULT_TARGET_SIZE,
  o: PrepareOptions = {},
): PreparedInput {
  if (clicks.length === 0) throw new Error('prepareInput: at least one click is needed');
  if (o.images && o.images.image !== image) throw new Error('prepareInput: the resized-image cache belongs to another image');
  const { width: W, height: H } = image;
  let box: BoxXYWH = prev && (o.focus ?? true)
    ? focusBox(probabilityBounds(prev.probs, W, H, 0.5, o.prevSupport), clicks, W, H)
    : { x: 0, y: 0, width: W, height: H };
  if (prev && o.firstFocus) box = firstFocusRegion(box, W, H, FIRST_FOCUS_MIN_ZOOM, o.firstFocusNoUpscale ? target : 0);
  const g = inputGeometry(box, target);
  const tensor = o.images ? o.images.get(g) : resizeRgbToTensor(image, box, g.width, g.height, g.padWidth, g.padHeight);
  const modelClicks: ModelClick[] = [];
  for (const c of clicks) {
    const m = clickToModel(c, g);
    if (m) modelClicks.push(m);
  }
  const plane = g.padWidth * g.padHeight;
  const reuse = o.buffers?.(g.padWidth, g.padHeight);
  if (reuse && (reuse.clicks.length !== 2 * plane || reuse.prevEdge.length !== plane)) throw new Error('prepareInput: input buffers of the wrong size');
  const clickTensor = reuse ? reuse.clicks.fill(0) : new Float32Array(2 * plane);
  encodeClicks(modelClicks, g.padWidth, g.padHeight, clickTensor);
  const prevEdge = reuse ? reuse.prevEdge.fill(0) : new Float32Array(plane);
  if (prev) {
    // Plain bilinear into the top-left of the padded plane, then the contract's > 0.5.
    resizePlane(prev.edges, W, box, g.width, g.height, false, prevEdge, g.padWidth);
    for (let r = 0; r < g.height; r++) {
      for (let i = r * g.padWidth, end = i + g.width; i < end; i++) prevEdge[i] = prevEdge[i] > 0.5 ? 1 : 0;
    }
  }
  return { geometry: g, image: tensor, clicks: clickTensor, prevEdge, modelClicks };
}

/**
 * One output map (mask or edge logits, padded [H,W]) as full-resolution probabilities for the
 * crop: cropped back from the padding, sigmoid, resized to the crop's size with plain bilinear.
 */
export function outputToPlane(geometry: InputGeometry, logits: Float32Array): Float32Array {
  const { box, width, height, padWidth } = geometry;
  const plane = new Float32Array(width * height);
  for (let r = 0; r < height; r++) plane.set(logits.subarray(r * padWidth, r * padWidth + width), r * width);
  sigmoidInPlace(plane);
  return resizePlane(plane, width, { x: 0, y: 0, width, height }, box.width, box.height, false);
}

/**
 * `outputToPlane` straight into the full-resolution map `target` (row stride `targetWidth`) at
 * the crop, without an intermediate crop-sized plane; returns the values it replaced (for undo).
 */
export function outputIntoMap(geometry: InputGeometry, logits: Float32Array, target: Float32Array, targetWidth: number): Float32Array {
  const { box, width, height, padWidth } = geometry;
  const old = new Float32Array(box.width * box.height);
  for (let r = 0; r < box.height; r++) {
    const at = (box.y + r) * targetWidth + box.x;
    old.set(target.subarray(at, at + box.width), r * box.width);
  }
  const plane = new Float32Array(width * height);
  for (let r = 0; r < height; r++) plane.set(logits.subarray(r * padWidth, r * padWidth + width), r * width);
  sigmoidInPlace(plane);
  resizePlane(plane, width, { x: 0, y: 0, width, height }, box.width, box.height, false, target, targetWidth, box.y * targetWidth + box.x);
  return old;
}

/** Both output maps as a patch of the full-resolution state (see `outputToPlane`). */
export function outputToPatch(geometry: InputGeometry, maskLogits: Float32Array, edgeLogits: Float32Array): StatePatch {
  return { box: geometry.box, probs: outputToPlane(geometry, maskLogits), edges: outputToPlane(geometry, edgeLogits) };
}

/** Pastes `plane` (box-sized) into `target` (row stride `width`) and returns what it replaced. */
export function pastePlane(target: Float32Array, width: number, box: BoxXYWH, plane: Float32Array): Float32Array {
  const old = new Float32Array(box.width * box.height);
  for (let r = 0; r < box.height; r++) {
    const at = (box.y + r) * width + box.x;
    const src = r * box.width;
    old.set(target.subarray(at, at + box.width), src);
    target.set(plane.subarray(src, src + box.width), at);
  }
  return old;
}

/** Pastes `patch` into `state` in place and returns what it replaced (the undo patch). */
export function applyPatch(state: PredictionState, patch: StatePatch): StatePatch {
  return {
    box: patch.box,
    probs: pastePlane(state.probs, state.width, patch.box, patch.probs),
    edges: pastePlane(state.edges, state.width, patch.box, patch.edges),
  };
}

/**
 * Mirror averaging (models/README.md): the horizontal mirror of a model tensor, every row of
 * `padWidth` values reversed (the whole padded row, so the zero padding moves to the left), into
 * `out` (a new array unless given; must not be `src`).
 */
export function mirrorRows(src: Float32Array, padWidth: number, out = new Float32Array(src.length)): Float32Array {
  if (src.length % padWidth !== 0 || out.length !== src.length) throw new Error('mirrorRows: sizes do not match the width');
  if (out === src) throw new Error('mirrorRows: cannot mirror in place');
  for (let row = 0; row < src.length; row += padWidth) {
    for (let c = 0, end = row + padWidth - 1; c < padWidth; c++) out[row + c] = src[end - c];
  }
  return out;
}

/**
 * The mirror-averaged logits: `(a + mirror(b)) / 2`, where `b` is the model's output for the
 * mirrored inputs, as a new array. The sum of two float32 values is computed in a double (exact
 * unless their exponents lie 29 apart) and halved exactly, so the one rounding to float32 gives
 * PyTorch's float32 result.
 */
export function averageMirrored(a: Float32Array, b: Float32Array, padWidth: number): Float32Array {
  if (a.length !== b.length) throw new Error('averageMirrored: outputs of different sizes');
  const out = mirrorRows(b, padWidth);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] + out[i]) / 2;
  return out;
}
