/**
 * One Predictor per open image: the decoded image lives in the shared inference worker, and each
 * click runs the models/README.md protocol there (whole image for the first click, focus crop
 * afterwards, the previous prediction's edges as the prior). A newer request supersedes a
 * pending one: its promise resolves `undefined` and its result is never shown.
 */
import { performance } from 'node:perf_hooks';
import type { BrushStroke } from '../../shared/geometry/brush';
import type { ClickXY } from '../../shared/inference/clicks';
import { DEFAULT_TARGET_SIZE } from '../../shared/inference/pipeline';
import type { BoxXYWH, RgbImage } from '../../shared/inference/resize';
import type { ClickTimings, DeviceSetting, ProbabilityPatch, SessionInfo, WorkerReply } from './messages';
import type { InferenceSessionHandle, SessionPool } from './sessionPool';
import type { MultiPolygonXY } from '../../shared/annotation';
import { rasterizeMultiPolygon } from '../../shared/geometry/polygon';
import { isIdentity, toFullBox, toWorkingClicks, toWorkingMask, toWorkingRegions, toWorkingStroke, type WorkingScale } from '../../shared/inference/workingImage';

/** Settings a Predictor runs with. */
export interface PredictorOptions {
  /** Absolute path of an ONNX file following models/README.md. */
  readonly modelPath: string;
  readonly device: DeviceSetting;
  /** Longer side of the model input (default 400). */
  readonly targetSize?: number;
  /** false = ablation for benchmarks: no focus crop, every click sees the whole image. */
  readonly focusCrop?: boolean;
  /**
   * The contract's mirror averaging (default true): each click also runs the model on the
   * mirrored inputs and averages the two, for better masks at about twice the model time.
   */
  readonly mirror?: boolean;
  /**
   * The image given is a downscaled working copy of a larger one (see shared/inference/workingImage.ts):
   * clicks, refinement masks and predictions are then in the full image's pixels.
   */
  readonly working?: WorkingScale;
}

/** The outcome of one click (or of an undo). */
export interface Prediction extends ProbabilityPatch {
  /** Clicks the probabilities reflect. */
  readonly clickCount: number;
  /** The focus crop the model saw (image pixels); empty for an undo. */
  readonly crop: BoxXYWH;
  /** Padded model input size. */
  readonly modelWidth: number;
  readonly modelHeight: number;
  readonly timings: ClickTimings;
  /** Host-side round trip in ms, queueing excluded. */
  readonly totalMs: number;
  /**
   * Set when the image is a working copy: `data` is on the copy's grid of this size, spread over
   * `box` (full-image pixels), not one value per box pixel.
   */
  readonly sample?: { readonly width: number; readonly height: number };
}

let nextImageId = 1;

type Job = {
  readonly send: () => Promise<WorkerReply>;
  /** Predictions may be skipped for a newer one; state changes (undo, new object) never are. */
  readonly supersedable: boolean;
  /** A stroke (see `enqueueInOrder`). */
  readonly ordered?: boolean;
  readonly generation: number;
  readonly resolve: (p: Prediction | undefined) => void;
  readonly reject: (e: Error) => void;
};

/** Click-to-mask inference for one image. */
export class Predictor {
  private readonly imageId = nextImageId++;
  private generation = 0;
  private queue: Job[] = [];
  private busy = false;
  private disposed = false;
  readonly targetSize: number;
  private readonly focusCrop: boolean;
  readonly mirror: boolean;

  private constructor(
    private readonly pool: SessionPool,
    private readonly session: InferenceSessionHandle,
    readonly width: number,
    readonly height: number,
    options: PredictorOptions,
  ) {
    this.targetSize = options.targetSize ?? DEFAULT_TARGET_SIZE;
    this.focusCrop = options.focusCrop ?? true;
    this.mirror = options.mirror ?? true;
    this.working = options.working && !isIdentity(options.working) ? options.working : undefined;
  }

  private readonly working: WorkingScale | undefined;

  /**
   * Loads (or reuses) the session and hands the decoded image to the worker. The image's buffer
   * is transferred: `image.data` is unusable afterwards.
   */
  static async open(pool: SessionPool, image: RgbImage, options: PredictorOptions): Promise<Predictor> {
    const session = pool.acquire(options.modelPath, options.device);
    const p = new Predictor(pool, session, image.width, image.height, options);
    try {
      await session.ready;
      const data = image.data.byteOffset === 0 && image.data.byteLength === image.data.buffer.byteLength
        ? image.data.buffer as ArrayBuffer
        : image.data.slice().buffer as ArrayBuffer;
      await session.request({ type: 'setImage', id: 0, imageId: p.imageId, width: image.width, height: image.height, data }, [data]);
    } catch (e) {
      pool.release(session);
      throw e;
    }
    return p;
  }

  /** The execution provider in use and whether it fell back. */
  get info(): Promise<SessionInfo> {
    return this.session.ready;
  }

  /**
   * Predicts for all `clicks` of the current object (the latest click last), starting from the
   * state the previous prediction left. Resolves `undefined` when a newer request superseded it.
   */
  predict(clicks: readonly ClickXY[]): Promise<Prediction | undefined> {
    if (clicks.length === 0) return Promise.reject(new Error('predict: no clicks'));
    const list = (this.working ? toWorkingClicks(clicks, this.working) : clicks).map((c) => ({ x: c.x, y: c.y, positive: c.positive }));
    return this.enqueue(true, () => this.session.request({ type: 'predict', id: 0, imageId: this.imageId, clicks: list, targetSize: this.targetSize, focus: this.focusCrop, mirror: this.mirror }));
  }

  /**
   * Undo: returns to the prediction for `clicks` (the clicks that remain). When that state was
   * never computed (its click was superseded) it is predicted again.
   */
  async rewind(clicks: readonly ClickXY[]): Promise<Prediction | undefined> {
    const k = clicks.length;
    const r = await this.enqueue(false, () => this.session.request({ type: 'rewind', id: 0, imageId: this.imageId, clickCount: k }));
    if (r && r.clickCount < k) return this.predict(clicks);
    return r;
  }

  /**
   * A brush stroke (full-image pixels) on the current object: the worker's state keeps painted
   * pixels object and erased ones background through later clicks (issue 30). It neither
   * supersedes a click in progress nor is superseded: it runs after it, in order.
   */
  async stroke(stroke: BrushStroke): Promise<void> {
    const w = this.working;
    const s = w ? toWorkingStroke(stroke, w) : stroke;
    await this.enqueueInOrder(() => this.session.request({ type: 'stroke', id: 0, imageId: this.imageId, stroke: s }));
  }

  /**
   * Undoes the newest stroke (no click came after it) and answers the probabilities without it
   * (the webview's last answer may hold the stroke, baked in by a later click that was undone).
   */
  undoStroke(): Promise<Prediction | undefined> {
    return this.enqueueInOrder(() => this.session.request({ type: 'undoStroke', id: 0, imageId: this.imageId }));
  }

  /**
   * Starts a new object: `mask` = null for a fresh one, or the rasterised mask (0/1, full image)
   * of an existing object to refine, whose edge becomes the prior of the first click.
   */
  async startObject(mask: Uint8Array | null): Promise<void> {
    if (mask && this.working) mask = toWorkingMask(mask, this.working);
    return this.setState(mask);
  }

  /**
   * `startObject` from an object's outline (full-image pixels): the worker rasterises it at the
   * size it holds, off the extension host's main thread, and on a very large image's working copy
   * the full-resolution mask (1 byte a pixel, 400 MB at 20000x20000) is never made.
   */
  async startObjectFrom(regions: MultiPolygonXY | null): Promise<void> {
    if (!regions) return this.setState(null);
    const w = this.working;
    const sent = w ? toWorkingRegions(regions, w) : regions;
    await this.enqueue(false, () => this.session.request({ type: 'setState', id: 0, imageId: this.imageId, mask: null, regions: sent }));
  }

  private async setState(mask: Uint8Array | null): Promise<void> {
    if (mask && mask.length !== this.width * this.height) throw new Error(`startObject: mask has ${mask.length} pixels, expected ${this.width * this.height}`);
    const buf = mask ? (mask.slice().buffer as ArrayBuffer) : null;
    await this.enqueue(false, () => this.session.request({ type: 'setState', id: 0, imageId: this.imageId, mask: buf }, buf ? [buf] : []));
  }

  /**
   * Queues a stroke: it keeps the answer of the prediction before it valid (no new generation),
   * and no later click supersedes a click queued before it, so the worker sees clicks and
   * strokes in the webview's order (its undo history must match the webview's).
   */
  private enqueueInOrder(send: () => Promise<WorkerReply>): Promise<Prediction | undefined> {
    if (this.disposed) return Promise.reject(new Error('the predictor was closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ send, supersedable: false, ordered: true, generation: this.generation, resolve, reject });
      void this.pump();
    });
  }

  private enqueue(supersedable: boolean, send: () => Promise<WorkerReply>): Promise<Prediction | undefined> {
    if (this.disposed) return Promise.reject(new Error('the predictor was closed'));
    const generation = ++this.generation;
    // Queued predictions that have not started yet are superseded outright (those queued before a
    // stroke still run: the stroke's undo step follows theirs).
    let keep = 0;
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i].ordered) keep = i + 1;
    for (const j of this.queue.slice(keep)) if (j.supersedable) j.resolve(undefined);
    this.queue = this.queue.filter((j, i) => i < keep || !j.supersedable);
    return new Promise((resolve, reject) => {
      this.queue.push({ send, supersedable, generation, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.busy = true;
    const t0 = performance.now();
    try {
      const r = await job.send();
      const totalMs = performance.now() - t0;
      if (job.generation !== this.generation) job.resolve(undefined); // stale (or a stroke): never drawn
      else if (r.type === 'prediction') {
        // On a working copy the probabilities stay on its grid (an object covering a 400 MP image
        // would otherwise be 400 MB); the box and crop are in full-image pixels.
        const w = this.working;
        const sampled = w && r.box.width > 0 && r.box.height > 0;
        job.resolve({
          clickCount: r.clickCount, box: w ? toFullBox(r.box, w) : r.box, data: new Uint8Array(r.data), crop: w ? toFullBox(r.crop, w) : r.crop,
          modelWidth: r.modelWidth, modelHeight: r.modelHeight, timings: r.timings, totalMs,
          ...(sampled ? { sample: { width: r.box.width, height: r.box.height } } : {}),
        });
      } else job.resolve(undefined);
    } catch (e) {
      job.reject(e as Error);
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  /** Frees the image in the worker and gives the session back to the pool. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const j of this.queue) j.resolve(undefined);
    this.queue = [];
    this.session.request({ type: 'dropImage', id: 0, imageId: this.imageId }).catch(() => undefined);
    this.pool.release(this.session);
  }
}

/** Expands a prediction's 8-bit box to a full-image 0/1 mask at `threshold` (0..1). */
export function predictionToMask(p: ProbabilityPatch & { sample?: { width: number; height: number } }, width: number, height: number, threshold = 0.5): Uint8Array {
  const mask = new Uint8Array(width * height);
  const t = threshold * 255;
  const { box, data } = p;
  if (p.sample) {
    // A working copy's grid: each box pixel takes the sample it falls in.
    const { width: gw, height: gh } = p.sample;
    for (let r = 0; r < box.height; r++) {
      const row = (box.y + r) * width + box.x;
      const sr = Math.min(gh - 1, Math.floor(((r + 0.5) * gh) / box.height)) * gw;
      for (let c = 0; c < box.width; c++) if (data[sr + Math.min(gw - 1, Math.floor(((c + 0.5) * gw) / box.width))] > t) mask[row + c] = 1;
    }
    return mask;
  }
  for (let r = 0; r < box.height; r++) {
    const row = (box.y + r) * width + box.x;
    for (let c = 0; c < box.width; c++) if (data[r * box.width + c] > t) mask[row + c] = 1;
  }
  return mask;
}
