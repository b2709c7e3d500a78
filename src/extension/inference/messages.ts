/**
 * Messages between the host-side Predictor/SessionPool and the inference worker (worker.ts).
 * Buffers cross as transferred ArrayBuffers, never copied element by element.
 */
import type { BrushStroke } from '../../shared/geometry/brush';
import type { ClickXY } from '../../shared/inference/clicks';
import type { BoxXYWH } from '../../shared/inference/resize';
import type { MultiPolygonXY } from '../../shared/annotation';

/** `edgeflow.inference.device`. */
export type DeviceSetting = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml';

/** Host -> worker. */
export type WorkerRequest =
  | { type: 'init'; id: number; modelPath: string; device: DeviceSetting; warmup: boolean }
  | { type: 'setImage'; id: number; imageId: number; width: number; height: number; data: ArrayBuffer }
  /**
   * Starts an object: empty (`mask` null, no `regions`), from a 0/1 mask the size of the image the
   * worker holds, or from an object's outline (`regions`, in the worker image's pixels), which the
   * worker rasterises itself (a refine never makes an image-sized mask on the host's main thread).
   */
  | { type: 'setState'; id: number; imageId: number; mask: ArrayBuffer | null; regions?: MultiPolygonXY }
  /** `mirror`: the contract's mirror averaging (a second run on the mirrored inputs). */
  | { type: 'predict'; id: number; imageId: number; clicks: ClickXY[]; targetSize: number; focus: boolean; mirror: boolean }
  | { type: 'rewind'; id: number; imageId: number; clickCount: number }
  /** A brush stroke (worker pixels) on the current object's state, kept through later clicks. */
  | { type: 'stroke'; id: number; imageId: number; stroke: BrushStroke }
  /** Undoes the newest stroke. */
  | { type: 'undoStroke'; id: number; imageId: number }
  | { type: 'dropImage'; id: number; imageId: number }
  /** Times the bare session.run (benchmarks): on `width`x`height` inputs, or on the last prediction's (`last`). */
  | { type: 'bareRun'; id: number; width: number; height: number; repeats: number; last?: boolean };

/** What the worker found out while creating the session. */
export interface SessionInfo {
  /** Execution provider in use: 'cpu', 'cuda', 'dml', 'coreml'. */
  readonly provider: string;
  /** Plain-words reason when a requested/tried GPU provider could not be used; else undefined. */
  readonly fallback?: string;
  /** The providers' own error messages behind `fallback` (for the log). */
  readonly fallbackDetail?: string;
  /** Session creation time (ms). */
  readonly loadMs: number;
  /** Warm-up inference time (ms), 0 without warm-up. */
  readonly warmupMs: number;
}

/** Per-click timings in milliseconds. */
export interface ClickTimings {
  readonly preprocessMs: number;
  readonly runMs: number;
  readonly postprocessMs: number;
  /** Worker-side total for the request. */
  readonly workerMs: number;
}

/**
 * The probability map after a prediction, as 8-bit values (0..255) on the smallest box holding
 * every non-zero value; outside the box the probability is 0. Quantised so that
 * `value >= 128` exactly when the probability is > 0.5.
 */
export interface ProbabilityPatch {
  readonly box: BoxXYWH;
  readonly data: Uint8Array;
}

/** Worker -> host. */
export type WorkerReply =
  | { type: 'ok'; id: number; info?: SessionInfo }
  | { type: 'error'; id: number; message: string }
  | {
    type: 'prediction'; id: number; clickCount: number; box: BoxXYWH; data: ArrayBuffer;
    crop: BoxXYWH; modelWidth: number; modelHeight: number; timings: ClickTimings;
  }
  | { type: 'bareRun'; id: number; times: number[] };
