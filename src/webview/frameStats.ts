/**
 * Frame statistics of canvas redraws: the draw time of the last frames and the interval between
 * consecutive frames while interacting. Read by the test/debug API only (debugApi.ts).
 */

/** Rolling frame statistics of canvas redraws (milliseconds of draw work per frame). */
export interface FrameStats {
  /** Frames drawn since the last reset. */
  frames: number;
  /** Mean / 95th percentile / max draw time over the last `window` frames. */
  avgMs: number;
  p95Ms: number;
  maxMs: number;
  /** Mean interval between consecutive frames while interacting (display-rate bound). */
  avgIntervalMs: number;
  window: number;
}

/** How many recent frames the statistics cover. */
export const FRAME_WINDOW = 120;

/** Records one sample per drawn frame and summarises the last FRAME_WINDOW of them. */
export class FrameRecorder {
  private drawTimes: number[] = [];
  private intervals: number[] = [];
  private lastFrameAt = 0;
  private framesDrawn = 0;

  /** One drawn frame: `drawMs` of draw work, at animation-frame time `frameTime`. */
  record(drawMs: number, frameTime: number): void {
    this.drawTimes.push(drawMs);
    if (this.drawTimes.length > FRAME_WINDOW) this.drawTimes.shift();
    // A longer gap is idle time between interactions, not a frame interval.
    if (this.lastFrameAt && frameTime - this.lastFrameAt < 250) {
      this.intervals.push(frameTime - this.lastFrameAt);
      if (this.intervals.length > FRAME_WINDOW) this.intervals.shift();
    }
    this.lastFrameAt = frameTime;
    this.framesDrawn++;
  }

  /** The statistics of the frames recorded since the last reset (see FrameStats). */
  stats(): FrameStats {
    const d = this.drawTimes.slice().sort((a, b) => a - b);
    return {
      frames: this.framesDrawn,
      avgMs: round3(mean(d)),
      p95Ms: round3(d.length ? p95(d) : 0),
      maxMs: round3(d.length ? d[d.length - 1] : 0),
      avgIntervalMs: round3(mean(this.intervals)),
      window: FRAME_WINDOW,
    };
  }

  /** Forgets every recorded frame. */
  reset(): void {
    this.drawTimes = [];
    this.intervals = [];
    this.framesDrawn = 0;
    this.lastFrameAt = 0;
  }
}

/** Mean of `xs`, 0 for none. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0;
}

/** 95th percentile of ascending, non-empty `sorted` (nearest rank, rounded down). */
export function p95(sorted: readonly number[]): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
}

/** `x` rounded to 3 decimals. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
