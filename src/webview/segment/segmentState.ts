/**
 * The click-segmentation session in the webview: the clicks of the object being segmented, the
 * latest probabilities from the host, and the live mask/polygon options. Observable by the panel.
 * Runtime-neutral apart from an OffscreenCanvas-free overlay built on demand by the tool.
 */
import { applyOverride, bakeOverride, OverrideLayer, unionBox, type BrushStroke, type OverridePatch } from '../../shared/geometry/brush';
import type { ClickXY } from '../../shared/inference/clicks';
import type { BoxXYWH } from '../../shared/inference/resize';
import { maskFromProbabilities, polygonsFromMask, previewProbabilities, sampleGrid, type Polygonized, type ProbabilityBox } from '../../shared/inference/polygonize';
import { autoThresholdByte, thresholdOfByte, type MaskOptions } from '../../shared/inference/postprocess';
import { isIdentity, toFullBox, toWorkingBox, workingSize, type WorkingScale } from '../../shared/inference/workingImage';

/** A brush stroke of the session, with what it overwrote (its undo). */
export interface SessionStroke {
  readonly stroke: BrushStroke;
  /** Clicks there were when it was made: it is undone before any of them. */
  readonly clickCount: number;
  /** What each part of the stroke overwrote, in drawing order (undo restores them backwards). */
  readonly before: OverridePatch[];
}

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
  /**
   * The user's brush strokes (painted = object, erased = background), kept across clicks and put
   * on every mask after the mask options. Null until the first stroke of the session. On the
   * segmentation grid (`startStrokes`): the image's pixels, or a very large image's working copy.
   */
  override: OverrideLayer | null = null;
  /**
   * Set when the image is segmented on a downscaled working copy (over WORKING_PIXELS): the host's
   * results come on its grid (`sample`), and the strokes are drawn on it too, mapped as the host
   * maps them (`toWorkingStroke`), so the preview and the host's state agree pixel for pixel.
   */
  working: WorkingScale | null = null;
  /** The session's strokes in order, for undo (Backspace undoes a stroke or a click, newest first). */
  strokes: SessionStroke[] = [];
  /**
   * `result` with the strokes baked in (255 painted, 0 erased), on the box that also holds every
   * painted pixel: what the mask options, the tracing and the IoU see.
   */
  effective: ProbabilityBox | null = null;
  /**
   * A live stroke changed the mask only in this box since the overlay was last drawn (the overlay
   * then repaints just that box); null when the whole mask must be redrawn.
   */
  liveDirty: BoxXYWH | null = null;
  /** Bumped by every full mask computation (the overlay's rebuild key; `revision` also counts live strokes). */
  maskRevision = 0;
  /** How many clicks `result` answers (it can lag `clicks` while the next click is running). */
  resultClicks = 0;
  /** The mask the options make of `result` (drawn at once). */
  mask: {
    box: ProbabilityBox['box'];
    data: Uint8Array;
    area: number;
    grid: { width: number; height: number };
    /** `box` on the segmentation grid (the strokes' coordinates): `box` itself unless on a working copy. */
    gridBox: BoxXYWH;
  } | null = null;
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

  /**
   * The mask only (cheap): the polygon follows with `recomputePolygon`. `grow`: a live stroke left
   * the mask's box, which grows to the stroke layer's box (see `effectiveBox`).
   */
  recomputeMask(grow = false): void {
    const r = this.result;
    const auto = r && this.options.autoFirst && this.refineId === null && this.resultClicks === 1;
    if (auto && this.autoCache?.of !== r) this.autoCache = { of: r, value: thresholdOfByte(autoThresholdByte(r.data)) };
    this.autoThreshold = auto ? this.autoCache!.value : null;
    const e = (this.effective = this.effectiveBox(grow));
    if (e) {
      const m = maskFromProbabilities(e, this.maskOptions());
      const grid = sampleGrid(e), gridBox = this.gridBox(e);
      let area = m.area;
      // The strokes are the user's word: after the options (a painted island survives "keep largest").
      if (this.override) area = Math.round(m.area + applyOverride(m.mask, gridBox, 0, this.override) * sampleArea(e));
      this.mask = { box: e.box, data: m.mask, area, grid, gridBox };
    } else this.mask = null;
    this.liveDirty = null;
    this.maskRevision++;
    this.revision++;
  }

  /**
   * Starts the session's stroke layer for an image of `width` x `height` (no-op when it has one):
   * on the working copy's grid when the host segments one (the same size rule as the host's).
   */
  startStrokes(width: number, height: number): OverrideLayer {
    if (this.override) return this.override;
    const w = workingSize(width, height);
    this.working = isIdentity(w) ? null : w;
    return (this.override = new OverrideLayer(w.width, w.height));
  }

  /** A probability box's box on the segmentation grid (see `mask.gridBox`). */
  private gridBox(p: ProbabilityBox): BoxXYWH {
    const w = this.working;
    if (!p.sample || !w) return p.box;
    const b = toWorkingBox(p.box, w);
    return { x: b.x, y: b.y, width: p.sample.width, height: p.sample.height };
  }

  /**
   * `result` with the strokes baked in, on `result.box` grown to hold the painted pixels, on the
   * segmentation grid (a working copy's result and strokes are both on the copy's grid).
   * `grow`: on the stroke layer's own box, which grows by half its size at a time, so a stroke
   * painting outwards recomputes the whole mask a few times, not on every pointer move; when the
   * stroke ends, the mask goes back to the painted pixels' tight box.
   */
  private effectiveBox(grow: boolean): ProbabilityBox | null {
    const r = this.result, o = this.override, w = this.working;
    if (!o || o.empty) return r;
    const paint = o.paintBox && grow ? o.box : o.paintBox;
    const rb = r && r.box.width > 0 && r.box.height > 0 ? this.gridBox(r) : null;
    const box = unionBox(rb, paint);
    if (!box) return r;
    const data = rb ? bakeOverride(r!.data, rb, box, o) : bakeOverride(new Uint8Array(0), { x: 0, y: 0, width: 0, height: 0 }, box, o);
    return w ? { box: toFullBox(box, w), data, sample: { width: box.width, height: box.height } } : { box, data };
  }

  /**
   * A stroke drawn `dirty` into `override` while dragging: when the mask already covers that box,
   * only it is updated (the overlay repaints just it; the polygon is traced when the stroke ends),
   * else the mask is recomputed on a grown box.
   */
  strokeLive(dirty: BoxXYWH): void {
    const m = this.mask, o = this.override, g = m?.gridBox;
    const inside = m && o && g && dirty.x >= g.x && dirty.y >= g.y
      && dirty.x + dirty.width <= g.x + g.width && dirty.y + dirty.height <= g.y + g.height;
    if (!inside) {
      this.recomputeMask(true);
      return;
    }
    m.area = Math.max(0, Math.round(m.area + applyOverride(m.data, g, 0, o, dirty) * sampleArea(m)));
    this.liveDirty = unionBox(this.liveDirty, dirty);
    this.revision++;
  }

  /**
   * Traces the polygons of the current mask exactly (no-op when they are up to date), or with
   * `preview` on a coarser grid when the box is very large (the outline shown while clicking).
   */
  recomputePolygon(preview = false): void {
    if (this.polyRevision === this.revision && (preview || !this.polyPreview)) return;
    const r = this.effective, m = this.mask;
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
    this.override = null;
    this.working = null;
    this.strokes = [];
    this.effective = null;
    this.liveDirty = null;
    this.mask = null;
    this.poly = null;
    this.polyPreview = false;
    this.revision++;
    this.polyRevision = this.revision;
    if (this.status === 'busy') this.status = 'ready';
  }
}

/** Image pixels per sample of a probability box or mask (1 unless on a working copy's grid). */
function sampleArea(p: { box: BoxXYWH; sample?: { width: number; height: number }; grid?: { width: number; height: number } }): number {
  const g = p.sample ?? p.grid;
  return g && g.width > 0 && g.height > 0 ? (p.box.width * p.box.height) / (g.width * g.height) : 1;
}

/** The newest undo step of a session: its last stroke when none of its clicks came after it. */
export function lastStepIsStroke(s: Pick<SegmentState, 'strokes' | 'clicks'>): boolean {
  const last = s.strokes[s.strokes.length - 1];
  return last !== undefined && last.clickCount >= s.clicks.length;
}

/** The one session of this webview (one image per webview). */
export const segment = new SegmentState();
