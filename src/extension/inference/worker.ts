/**
 * The inference worker thread: owns one ONNX Runtime session (one model file on one device)
 * and the full-resolution images and probability maps of every Predictor that uses it, so the
 * extension host's main thread only posts clicks and receives 8-bit probability patches.
 */
import { availableParallelism } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { ClickXY } from '../../shared/inference/clicks';
import {
  applyPatch, averageMirrored, emptyPredictionState, mirrorRows, outputIntoMap, outputToPatch, outputToPlane, pastePlane, prepareInput, ResizedImageCache, stateFromMask,
  type InputBuffers, type PredictionState, type StatePatch,
} from '../../shared/inference/pipeline';
import type { BoxXYWH, RgbImage } from '../../shared/inference/resize';
import { OverrideLayer, type OverridePatch } from '../../shared/geometry/brush';
import { rasterizeMultiPolygon } from '../../shared/geometry/polygon';
import { anchorsFor, keepLocalEdits, refineAnchors } from '../../shared/inference/refine';
import { overridePlane, strokeIntoState } from '../../shared/inference/strokeState';
import type { DeviceSetting, SessionInfo, WorkerReply, WorkerRequest } from './messages';
import { assertModelContract } from '../modelCheck';
import { gpuCandidates, libraryProbe, ortBindingDir, providerLibraryName, type GpuChoice } from './gpuProviders';

interface ImageEntry {
  image: RgbImage;
  /** Resized image tensors by crop (the whole image for every object's first click). */
  images: ResizedImageCache;
  /** null until the first click of an object (or a refine start). */
  state: PredictionState | null;
  /** The object being clicked on started from an existing object's mask (a refine). */
  refining: boolean;
  /** A refine's anchor clicks inside the object's mask (`refineAnchors`), sent before the user's. */
  anchors: (ClickXY & { radius: number })[];
  /**
   * Undo patches, newest last, of clicks and brush strokes in the order the webview made them
   * (a stroke's entry has `override`, the stroke layer's patch); `clickCount` is the count
   * before the step; `undo` null: there was no state before it.
   */
  history: { clickCount: number; undo: StatePatch | null; override?: OverridePatch }[];
  /** The brush strokes of the object in progress (issue 30), put on every later prediction. */
  override: OverrideLayer | null;
  clickCount: number;
  /** Tight box of every probability >= 0.5/255 in `state` (null: none). */
  support: BoxXYWH | null;
  /** `state.probs` quantised to bytes, kept up to date region by region. */
  bytes: ByteMap | null;
}

/**
 * The probabilities as bytes (>= 128 exactly when p > 0.5) with per-row and per-column counts of
 * non-zero bytes, so a click costs work proportional to its crop, not to the photo.
 */
class ByteMap {
  readonly q: Uint8Array;
  private readonly rowCount: Int32Array;
  private readonly colCount: Int32Array;

  constructor(readonly width: number, readonly height: number) {
    this.q = new Uint8Array(width * height);
    this.rowCount = new Int32Array(height);
    this.colCount = new Int32Array(width);
  }

  /**
   * Re-quantises `box` from `probs`: the full-resolution map, or (`local`) a box-sized plane
   * holding just the box.
   */
  update(probs: Float32Array, box: BoxXYWH, local = false): void {
    const { q, width: W, rowCount, colCount } = this;
    for (let r = box.y; r < box.y + box.height; r++) {
      const row = r * W;
      const src = local ? (r - box.y) * box.width - box.x : row;
      let delta = 0;
      for (let c = box.x; c < box.x + box.width; c++) {
        const p = probs[src + c];
        let v = (p * 255 + 0.5) | 0;
        if (p > 0.5) {
          if (v < 128) v = 128;
        } else if (v > 127) v = 127;
        const old = q[row + c];
        if ((old === 0) !== (v === 0)) {
          const d = v === 0 ? -1 : 1;
          delta += d;
          colCount[c] += d;
        }
        q[row + c] = v;
      }
      rowCount[r] += delta;
    }
  }

  /** Tight box of the non-zero bytes, or null. */
  bounds(): BoxXYWH | null {
    const first = (a: Int32Array) => a.findIndex((n) => n > 0);
    const last = (a: Int32Array) => {
      for (let i = a.length - 1; i >= 0; i--) if (a[i] > 0) return i;
      return -1;
    };
    const y0 = first(this.rowCount);
    if (y0 < 0) return null;
    const y1 = last(this.rowCount), x0 = first(this.colCount), x1 = last(this.colCount);
    return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  }

  /** A copy of `box`. */
  extract(box: BoxXYWH): Uint8Array {
    const out = new Uint8Array(box.width * box.height);
    for (let r = 0; r < box.height; r++) {
      const at = (box.y + r) * this.width + box.x;
      out.set(this.q.subarray(at, at + box.width), r * box.width);
    }
    return out;
  }
}

let session: ort.InferenceSession | undefined;
/**
 * Undo patches kept per image at most (bytes); older ones are dropped (undo then re-predicts).
 * A click on a 12-megapixel photo can rewrite ~60 MB of full-resolution maps.
 */
const HISTORY_BYTES = 96 * 1024 * 1024;
const images = new Map<number, ImageEntry>();
/** The outputs a click needs (the coarse mask is not copied out of the runtime). */
const FETCHES = ['mask_logits', 'edge_logits'];

/** Click and edge planes by padded size, reused from click to click (a few sizes kept). */
const inputBuffers = new Map<string, InputBuffers>();
function buffersFor(padWidth: number, padHeight: number): InputBuffers {
  const key = `${padWidth}x${padHeight}`;
  let b = inputBuffers.get(key);
  if (b) inputBuffers.delete(key);
  else b = { clicks: new Float32Array(2 * padWidth * padHeight), prevEdge: new Float32Array(padWidth * padHeight) };
  inputBuffers.set(key, b);
  if (inputBuffers.size > 4) inputBuffers.delete(inputBuffers.keys().next().value!);
  return b;
}

/** The feeds of the last prediction (the latency benchmark's bare run repeats them). */
let lastFeeds: Record<string, ort.Tensor> | undefined;

const PROVIDER_NAMES: Record<string, string> = { cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML', cpu: 'CPU' };

/** The GPU providers `auto` tries here, decided once per worker (gpuProviders.ts). */
let gpuChoice: GpuChoice | undefined;
function autoProviders(): GpuChoice {
  gpuChoice ??= gpuCandidates({ platform: process.platform, backends: ort.listSupportedBackends(), providerLibraryPresent: libraryProbe(ortBindingDir()) });
  return gpuChoice;
}

async function createSession(
  modelPath: string, device: DeviceSetting,
): Promise<{ s: ort.InferenceSession; provider: string; fallback?: string; fallbackDetail?: string }> {
  // One click at a time through one graph: all cores for the operators, none for parallel
  // branches; the arena and memory patterns let a repeated input size reuse its buffers. Idle
  // intra-op threads do not spin: between clicks (and while the worker pastes the result back
  // and the host draws it) spinning threads took the cores those need; measured on 2 busy cores,
  // both the click and the bare run got faster without it.
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: availableParallelism(), interOpNumThreads: 1,
    enableCpuMemArena: true, enableMemPattern: true, extra: { session: { 'intra_op.allow_spinning': '0' } },
  };
  const failures: string[] = [];
  let tries = device === 'auto' ? autoProviders().tries : device === 'cpu' ? [] : [device];
  // A provider asked for by name whose library is missing cannot load: say so without letting
  // ONNX Runtime print its own error on every load.
  if (device !== 'auto' && autoProviders().missingLibrary.includes(device)) {
    failures.push(`${PROVIDER_NAMES[device] ?? device}: not tried, its provider library (${providerLibraryName(device, process.platform)}) is not installed with onnxruntime-node`);
    tries = [];
  }
  for (const p of tries) {
    try {
      // Errors of a provider that cannot load are reported in the fallback message, not logged.
      const s = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: [p], logSeverityLevel: 4 });
      return { s, provider: p };
    } catch (e) {
      failures.push(`${PROVIDER_NAMES[p] ?? p}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const s = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
  let fallback: string | undefined;
  const missing = device === 'auto' ? autoProviders().missingLibrary.map((p) => `${PROVIDER_NAMES[p] ?? p}: not tried, its provider library (${providerLibraryName(p, process.platform)}) is not installed with onnxruntime-node`) : [];
  const detail = failures.length || missing.length ? [...failures, ...missing].join('; ') : undefined;
  if (device !== 'auto' && device !== 'cpu') {
    fallback = `EdgeFlow runs on the CPU: the ${PROVIDER_NAMES[device] ?? device} device was asked for in "edgeflow.inference.device" but this ONNX Runtime could not use it (details in the EdgeFlow log).`;
  } else if (device === 'auto') {
    fallback = failures.length
      ? `EdgeFlow runs on the CPU: no GPU could be used (${failures.map((f) => f.split(':')[0]).join(', ')} tried; details in the EdgeFlow log).`
      : 'EdgeFlow runs on the CPU: this ONNX Runtime offers no GPU provider on this machine.';
  }
  return { s, provider: 'cpu', fallback, fallbackDetail: detail };
}

function feeds(image: Float32Array, clicks: Float32Array, prevEdge: Float32Array, w: number, h: number): Record<string, ort.Tensor> {
  return {
    image: new ort.Tensor('float32', image, [1, 3, h, w]),
    clicks: new ort.Tensor('float32', clicks, [1, 2, h, w]),
    prev_edge: new ort.Tensor('float32', prevEdge, [1, 1, h, w]),
  };
}

function requireSession(): ort.InferenceSession {
  if (!session) throw new Error('inference worker: no model loaded');
  return session;
}

function requireImage(id: number): ImageEntry {
  const e = images.get(id);
  if (!e) throw new Error(`inference worker: unknown image ${id}`);
  return e;
}

/** The smallest box holding both boxes (either may be null). */
function unionBox(a: BoxXYWH | null, b: BoxXYWH | null): BoxXYWH | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

const EMPTY_BOX: BoxXYWH = { x: 0, y: 0, width: 0, height: 0 };

/**
 * Re-quantises `changed` (the region a click or an undo rewrote) and returns the bytes on the
 * non-zero bounding box, recording that box as the support.
 */
function quantise(entry: ImageEntry, changed: BoxXYWH | null, plane?: Float32Array): { box: BoxXYWH; data: Uint8Array } {
  const state = entry.state;
  if (!state) {
    entry.support = null;
    entry.bytes = null;
    return { box: EMPTY_BOX, data: new Uint8Array(0) };
  }
  if (!entry.bytes) {
    entry.bytes = new ByteMap(state.width, state.height);
    const whole = { x: 0, y: 0, width: state.width, height: state.height };
    // The rest of the map comes from the state (a refined object's mask); `plane` covers `changed` only.
    const covers = changed && changed.width === state.width && changed.height === state.height;
    if (!plane || !covers) entry.bytes.update(state.probs, whole);
    if (!plane) changed = null;
  }
  if (changed) {
    if (plane) entry.bytes.update(plane, changed, true);
    else entry.bytes.update(state.probs, changed);
  }
  entry.support = entry.bytes.bounds();
  if (!entry.support) return { box: EMPTY_BOX, data: new Uint8Array(0) };
  return { box: entry.support, data: entry.bytes.extract(entry.support) };
}

/** What a handled request answers, and work to do right after the answer is posted. */
interface Handled {
  reply: WorkerReply;
  transfer: ArrayBuffer[];
  /** Runs after the reply is posted and before the next request (off the click's critical path). */
  after?: () => void;
}

async function predict(msg: Extract<WorkerRequest, { type: 'predict' }>): Promise<Handled> {
  const t0 = performance.now();
  const s = requireSession();
  const entry = requireImage(msg.imageId);
  const clicks: ClickXY[] = msg.clicks;
  // A refine: the object's anchors go first, the user's clicks after (the newest last).
  const modelClicks = entry.refining ? [...anchorsFor(entry.anchors, clicks), ...clicks] : clicks;
  const prep = prepareInput(entry.image, modelClicks, entry.state, msg.targetSize, {
    prevSupport: entry.support ?? EMPTY_BOX, focus: msg.focus, images: entry.images, buffers: buffersFor,
    // Clicks 2 and 3 of a new object crop only if the crop zooms in 2x; click 2 also only if the
    // crop is not upsampled (models/README.md, inference protocol).
    firstFocus: !entry.refining && (clicks.length === 2 || clicks.length === 3),
    firstFocusNoUpscale: clicks.length === 2,
  });
  const t1 = performance.now();
  const g = prep.geometry;
  lastFeeds = feeds(prep.image, prep.clicks, prep.prevEdge, g.padWidth, g.padHeight);
  const out = await s.run(lastFeeds, FETCHES);
  let maskLogits = out.mask_logits.data as Float32Array;
  let edgeLogits = out.edge_logits.data as Float32Array;
  if (msg.mirror) {
    // The contract's mirror averaging: the same click on the mirrored inputs, mirrored back.
    const w = g.padWidth;
    const m = await s.run(feeds(mirrorRows(prep.image, w), mirrorRows(prep.clicks, w), mirrorRows(prep.prevEdge, w), w, g.padHeight), FETCHES);
    maskLogits = averageMirrored(maskLogits, m.mask_logits.data as Float32Array, w);
    edgeLogits = averageMirrored(edgeLogits, m.edge_logits.data as Float32Array, w);
    for (const t of Object.values(m)) t.dispose?.();
  } else {
    edgeLogits = edgeLogits.slice(); // read after the output tensors are disposed
  }
  const t2 = performance.now();
  const hadState = entry.state !== null;
  if (!entry.state) entry.state = emptyPredictionState(entry.image.width, entry.image.height);
  const state = entry.state;
  // The answer needs only the new probabilities on the crop: they are quantised from a crop-sized
  // plane, and pasted into the full-resolution maps (keeping the old values for undo) after the
  // answer is posted, as is the edge map, which only the next click needs.
  const probs = outputToPlane(g, maskLogits);
  // A refine changes the object only where the user's clicks point (a click outside it grows it).
  if (entry.refining && hadState) keepLocalEdits(probs, g.box, state.probs, state.width, clicks);
  // The user's strokes win over the model (issue 30).
  if (entry.override) overridePlane(probs, g.box, entry.override);
  const undo: { box: BoxXYWH; probs: Float32Array; edges: Float32Array } = { box: g.box, probs: new Float32Array(0), edges: new Float32Array(0) };
  for (const t of Object.values(out)) t.dispose?.();
  entry.history.push({ clickCount: entry.clickCount, undo: hadState ? undo : null });
  const patchBytes = (b: BoxXYWH): number => 8 * b.width * b.height;
  let bytes = 0;
  for (const h of entry.history) bytes += h.undo ? patchBytes(h.undo.box) : 0;
  while (bytes > HISTORY_BYTES && entry.history.length > 1) {
    const dropped = entry.history.shift()!;
    bytes -= dropped.undo ? patchBytes(dropped.undo.box) : 0;
  }
  entry.clickCount = clicks.length;
  const q = quantise(entry, g.box, probs);
  const t3 = performance.now();
  const reply: WorkerReply = {
    type: 'prediction', id: msg.id, clickCount: entry.clickCount, box: q.box, data: q.data.buffer as ArrayBuffer,
    crop: g.box, modelWidth: g.padWidth, modelHeight: g.padHeight,
    timings: { preprocessMs: t1 - t0, runMs: t2 - t1, postprocessMs: t3 - t2, workerMs: t3 - t0 },
  };
  const after = (): void => {
    undo.probs = pastePlane(state.probs, state.width, g.box, probs);
    undo.edges = outputIntoMap(g, edgeLogits, state.edges, state.width);
  };
  return { reply, transfer: [reply.data], after };
}

/** Restores the newest state whose click count is <= `clickCount`. */
function rewind(msg: Extract<WorkerRequest, { type: 'rewind' }>): WorkerReply {
  const entry = requireImage(msg.imageId);
  let search: BoxXYWH | null = null;
  // Down to 0 clicks (Reset) the strokes made before the first click go too.
  while ((entry.clickCount > msg.clickCount || msg.clickCount === 0) && entry.history.length > 0) {
    const h = entry.history.pop()!;
    if (h.undo && entry.state) {
      applyPatch(entry.state, h.undo);
      search = unionBox(search, h.undo.box);
    } else entry.state = null;
    if (h.override) entry.override?.restore(h.override);
    entry.clickCount = h.clickCount;
  }
  if (entry.clickCount > msg.clickCount) {
    entry.state = null;
    entry.clickCount = 0;
  }
  const q = quantise(entry, search);
  return {
    type: 'prediction', id: msg.id, clickCount: entry.clickCount, box: q.box, data: q.data.buffer as ArrayBuffer,
    crop: { x: 0, y: 0, width: 0, height: 0 }, modelWidth: 0, modelHeight: 0,
    timings: { preprocessMs: 0, runMs: 0, postprocessMs: 0, workerMs: 0 },
  };
}

/** A brush stroke on the object in progress: one undo step, like a click. */
function stroke(msg: Extract<WorkerRequest, { type: 'stroke' }>): WorkerReply {
  const entry = requireImage(msg.imageId);
  const { width, height } = entry.image;
  const hadState = entry.state !== null;
  entry.state ??= emptyPredictionState(width, height);
  entry.override ??= new OverrideLayer(width, height);
  const undo = strokeIntoState(entry.state, entry.override, msg.stroke);
  // A stroke off the image is still a step: the webview undoes it like any other.
  entry.history.push({ clickCount: entry.clickCount, undo: hadState ? (undo?.state ?? null) : null, override: undo?.override ?? entry.override.save(EMPTY_BOX) });
  quantise(entry, undo?.state.box ?? null);
  return { type: 'ok', id: msg.id };
}

/** Undoes the newest step, which must be a stroke, and answers the probabilities without it. */
function undoStroke(msg: Extract<WorkerRequest, { type: 'undoStroke' }>): WorkerReply {
  const entry = requireImage(msg.imageId);
  const h = entry.history[entry.history.length - 1];
  // Only when the history grew past HISTORY_BYTES and its oldest steps were dropped.
  if (!h?.override) throw new Error('This brush stroke can no longer be undone (the undo history was trimmed).');
  entry.history.pop();
  if (h.undo && entry.state) applyPatch(entry.state, h.undo);
  else entry.state = null;
  entry.override?.restore(h.override);
  const q = quantise(entry, h.undo?.box ?? null);
  return {
    type: 'prediction', id: msg.id, clickCount: entry.clickCount, box: q.box, data: q.data.buffer as ArrayBuffer,
    crop: EMPTY_BOX, modelWidth: 0, modelHeight: 0, timings: { preprocessMs: 0, runMs: 0, postprocessMs: 0, workerMs: 0 },
  };
}

async function handle(msg: WorkerRequest): Promise<Handled> {
  switch (msg.type) {
    case 'init': {
      const t0 = performance.now();
      const created = await createSession(msg.modelPath, msg.device);
      session = created.s;
      // Names, element types, ranks, channels and dynamic H/W against models/README.md, every
      // mismatch named (modelCheck.ts); a failed check releases the session.
      try {
        assertModelContract(msg.modelPath, session.inputMetadata, session.outputMetadata);
      } catch (e) {
        void session.release();
        session = undefined;
        throw e;
      }
      const loadMs = performance.now() - t0;
      let warmupMs = 0;
      if (msg.warmup) {
        const w = 416, h = 320, t1 = performance.now();
        // Run the whole per-click path once on a small image so the JIT has compiled it (and the
        // session has allocated its buffers) before the user's first click.
        const image = { width: w, height: h, data: new Uint8Array(w * h * 3) };
        const prep = prepareInput(image, [{ x: w / 2, y: h / 2, positive: true }], null, w, { buffers: buffersFor });
        const out = await session.run(feeds(prep.image, prep.clicks, prep.prevEdge, prep.geometry.padWidth, prep.geometry.padHeight), FETCHES);
        const patch = outputToPatch(prep.geometry, out.mask_logits.data as Float32Array, out.edge_logits.data as Float32Array);
        applyPatch(emptyPredictionState(w, h), patch);
        for (const t of Object.values(out)) t.dispose?.();
        warmupMs = performance.now() - t1;
      }
      const info: SessionInfo = { provider: created.provider, fallback: created.fallback, fallbackDetail: created.fallbackDetail, loadMs, warmupMs };
      return { reply: { type: 'ok', id: msg.id, info }, transfer: [] };
    }
    case 'setImage':
      const image: RgbImage = { width: msg.width, height: msg.height, data: new Uint8Array(msg.data) };
      images.set(msg.imageId, {
        image, images: new ResizedImageCache(image),
        state: null, refining: false, anchors: [], history: [], clickCount: 0, support: null, bytes: null, override: null,
      });
      return { reply: { type: 'ok', id: msg.id }, transfer: [] };
    case 'setState': {
      const entry = requireImage(msg.imageId);
      const { width, height } = entry.image;
      const mask = msg.regions ? rasterizeMultiPolygon(msg.regions, width, height) : msg.mask ? new Uint8Array(msg.mask) : null;
      if (mask && mask.length !== width * height) throw new Error(`setState: mask has ${mask.length} pixels, expected ${width * height}`);
      entry.state = mask ? stateFromMask(mask, entry.image.width, entry.image.height) : null;
      entry.refining = mask !== null;
      entry.anchors = mask ? refineAnchors(mask, entry.image.width, entry.image.height) : [];
      entry.history = [];
      entry.clickCount = 0;
      entry.bytes = null;
      entry.override = null;
      quantise(entry, null);
      return { reply: { type: 'ok', id: msg.id }, transfer: [] };
    }
    case 'predict':
      return predict(msg);
    case 'rewind': {
      const reply = rewind(msg);
      return { reply, transfer: reply.type === 'prediction' ? [reply.data] : [] };
    }
    case 'stroke':
      return { reply: stroke(msg), transfer: [] };
    case 'undoStroke': {
      const reply = undoStroke(msg);
      return { reply, transfer: reply.type === 'prediction' ? [reply.data] : [] };
    }
    case 'dropImage':
      images.delete(msg.imageId);
      if (images.size === 0) {
        inputBuffers.clear();
        lastFeeds = undefined;
      }
      return { reply: { type: 'ok', id: msg.id }, transfer: [] };
    case 'bareRun': {
      const s = requireSession();
      const { width: w, height: h } = msg;
      // `last`: the very inputs of the last prediction (same size, same values).
      const f = msg.last && lastFeeds ? lastFeeds
        : feeds(new Float32Array(3 * w * h).fill(0.5), new Float32Array(2 * w * h), new Float32Array(w * h), w, h);
      const times: number[] = [];
      for (let i = 0; i < msg.repeats; i++) {
        const t0 = performance.now();
        const out = await s.run(f, FETCHES);
        times.push(performance.now() - t0);
        for (const t of Object.values(out)) t.dispose?.();
      }
      return { reply: { type: 'bareRun', id: msg.id, times }, transfer: [] };
    }
  }
}

// Requests run one at a time, in order: a predict must see the state its predecessor left.
let chain: Promise<void> = Promise.resolve();
parentPort?.on('message', (msg: WorkerRequest) => {
  chain = chain.then(async () => {
    try {
      const { reply, transfer, after } = await handle(msg);
      parentPort!.postMessage(reply, transfer);
      after?.();
    } catch (e) {
      parentPort!.postMessage({ type: 'error', id: msg.id, message: (e as Error).message } satisfies WorkerReply);
    }
  });
});
