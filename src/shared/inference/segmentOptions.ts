/**
 * The click tool's mask options as the host remembers them (workspace state) and hands to the
 * next editor: threshold, keep largest region, fill holes, simplification tolerance, automatic
 * first-click threshold. The webview is untrusted and the stored value may come from an older
 * version: `parseSegmentOptions` keeps only the fields that are valid.
 */

/** The remembered options (the webview's `SegmentOptions`). */
export interface RememberedSegmentOptions {
  threshold: number;
  keepLargest: boolean;
  fillHoles: boolean;
  tolerance: number;
  autoFirst: boolean;
}

/** The threshold slider's range (SegmentPanel.tsx). */
export const THRESHOLD_RANGE = [0.05, 0.95] as const;
/** The simplification slider's range in image pixels. */
export const TOLERANCE_RANGE = [0, 5] as const;

const inRange = (v: unknown, [lo, hi]: readonly [number, number]): v is number => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

/**
 * The valid fields of `raw` (possibly none), or null when `raw` is not an object. Out-of-range
 * numbers and non-booleans are dropped, not clamped: the default applies to them.
 */
export function parseSegmentOptions(raw: unknown): Partial<RememberedSegmentOptions> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const out: Partial<RememberedSegmentOptions> = {};
  if (inRange(r.threshold, THRESHOLD_RANGE)) out.threshold = r.threshold;
  if (inRange(r.tolerance, TOLERANCE_RANGE)) out.tolerance = r.tolerance;
  for (const k of ['keepLargest', 'fillHoles', 'autoFirst'] as const) {
    if (typeof r[k] === 'boolean') out[k] = r[k];
  }
  return out;
}
