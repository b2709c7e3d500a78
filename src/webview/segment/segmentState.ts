/**
 * The click-segmentation session in the webview: the clicks of the object being segmented, the
 * latest probabilities from the host, and the live mask/polygon options. Observable by the panel.
 * Runtime-neutral apart from an OffscreenCanvas-free overlay built on demand by the tool.
 */
import type { ClickXY } from '../../shared/inference/clicks';
import { maskFromProbabilities, polygonsFromMask, previewProbabilities, sampleGrid, type Polygonized, type ProbabilityBox } from '../../shared/inference/polygonize';
import { autoThresholdByte, thresholdOfByte, type MaskOptions } from '../../shared/inference/postprocess';

/** Host/model state shown by the busy indicator. */
export type SegmentStatus = 'idle' | 'loading' | 'busy' | 'ready' | 'error';

/** Live options of the click tool (applied without re-running the model). */
export interface SegmentOptions extends MaskOptions {
  /** Douglas–Peucker tolerance in image pixels. */
  tolerance: number;
  /**
   * The first click of a new object is thresholded automatically (`autoThresholdByte`: the
   * expected-IoU threshold, at most 0.5) instead of at `threshold`: one click on a large object
   * gives probabilities of 0.2–0.5 over most of it. Later clicks use `threshold`.
   */
  autoFirst: boolean;
}

/**
 * Largest region and hole filling are on by default: one click should give one object without
 * stray fragments, saved as a polygon (a pinhole would turn it into RLE); most objects have no
 * holes, and a false hole from an unsure pixel is the commoner error. Ring-shaped parts (washers,
 * gaskets) need "Fill holes" off (issue 30): the user's choice of every option is remembered per
 * workspace by the host (workspace state) and applies to every image and session afterwards
 * (`init.segmentOptions`), so turning it off once is enough. Decision: keep the default on.
 */
export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = { threshold: 0.5, keepLargest: true, fillHoles: true, tolerance: 1, autoFirst: true };

export class SegmentState {
  /** Session number; every new object (or refinement) gets the next one. */
  session = 0;
  /** True between the first click of an object and finish/cancel. */
  active = false;
  /** The object being refined, or null for a new object. */
  refineId: number | null = null;
  clicks: ClickXY[] = [];
  result: ProbabilityBox | null = null;
  /** How many clicks `result` answers (it can lag `clicks` while the next click is running). */
  resultClicks = 0;
  /** The mask the options make of `result` (drawn at once). */
  mask: { box: ProbabilityBox['box']; data: Uint8Array; area: number; grid: { width: number; height: number } } | null = null;
  /** Its polygons; traced just after the mask is drawn, see `polygonFresh`. */
  poly: Polygonized | null = null;
  /**
   * True when `poly` is the outline shown while clicking on a box too large to trace on every
   * click: traced on a coarser grid (`previewProbabilities`); finishing traces exactly.
   */
  polyPreview = false;
  /** The revision `poly` was traced for. */
  private polyRevision = -1;
  options: SegmentOptions = { ...DEFAULT_SEGMENT_OPTIONS };
  /** The automatic threshold in force for `result` (first click of a new object), else null. */
  autoThreshold: number | null = null;
  /** `autoThreshold` of the last first-click result it was computed for (once per result). */
  private autoCache: { of: ProbabilityBox; value: number } | null = null;
  status: SegmentStatus = 'idle';
  device = '';
  /** Milliseconds of the last click (host side). */
  lastMs: number | null = null;
  message: string | null = null;
  /** Increments whenever the polygon/mask changes (the overlay cache key). */
  revision = 0;
  /** True from finishing an object until the next one starts or is cancelled: the panel says what comes next. */
  justFinished = false;
  private listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Recomputes mask and polygons from the latest probabilities and options. */
  recompute(): void {
    this.recomputeMask();
    this.recomputePolygon();
  }

  /** The threshold the mask is made with: the automatic one on a new object's first click. */
  get threshold(): number {
    return this.autoThreshold ?? this.options.threshold;
  }

  private maskOptions(): SegmentOptions {
    return this.autoThreshold === null ? this.options : { ...this.options, threshold: this.autoThreshold };
  }

  /** The mask only (cheap): the polygon follows with `recomputePolygon`. */
  recomputeMask(): void {
    const r = this.result;
    const auto = r && this.options.autoFirst && this.refineId === null && this.resultClicks === 1;
    if (auto && this.autoCache?.of !== r) this.autoCache = { of: r, value: thresholdOfByte(autoThresholdByte(r.data)) };
    this.autoThreshold = auto ? this.autoCache!.value : null;
    if (r) {
      const m = maskFromProbabilities(r, this.maskOptions());
      this.mask = { box: r.box, data: m.mask, area: m.area, grid: sampleGrid(r) };
    } else this.mask = null;
    this.revision++;
  }

  /**
   * Traces the polygons of the current mask exactly (no-op when they are up to date), or with
   * `preview` on a coarser grid when the box is very large (the outline shown while clicking).
   */
  recomputePolygon(preview = false): void {
    if (this.polyRevision === this.revision && (preview || !this.polyPreview)) return;
    const r = this.result, m = this.mask;
    const coarse = r && m && preview ? previewProbabilities(r) : r;
    const o = this.maskOptions();
    if (!r || !m) this.poly = null;
    else if (coarse === r) this.poly = polygonsFromMask(r, m.data, m.area, o, o.tolerance);
    else {
      const cm = maskFromProbabilities(coarse!, o);
      this.poly = { ...polygonsFromMask(coarse!, cm.mask, cm.area, o, o.tolerance), mask: m.data, area: m.area };
    }
    this.polyPreview = coarse !== r;
    this.polyRevision = this.revision;
  }

  /** True when `poly` belongs to the current mask. */
  get polygonFresh(): boolean {
    return this.polyRevision === this.revision;
  }

  /** Clears the current object (keeps options and device). */
  clear(): void {
    this.active = false;
    this.refineId = null;
    this.clicks = [];
    this.result = null;
    this.resultClicks = 0;
    this.autoThreshold = null;
    this.mask = null;
    this.poly = null;
    this.polyPreview = false;
    this.revision++;
    this.polyRevision = this.revision;
    if (this.status === 'busy') this.status = 'ready';
  }
}

/** The one session of this webview (one image per webview). */
export const segment = new SegmentState();
