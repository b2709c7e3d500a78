/**
 * The click tool's side panel: status (device, last click time, busy), the live mask options
 * (threshold, keep largest region, fill holes), the simplification tolerance, and what the
 * polygon costs (vertex count, IoU of the rasterised polygon with the mask).
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../l10n';
import { settingInMessage } from '../../shared/inference/settingInMessage';
import { lastStepIsStroke, segment, type SegmentOptions } from './segmentState';

export interface SegmentPanelActions {
  setOptions(patch: Partial<SegmentOptions>): void;
  undoClick(): void;
  reset(): void;
  finish(): void;
  cancel(): void;
  /** After a model error: asks the host again for the current object's clicks. */
  retry(): void;
  /** Opens the Settings editor at an `edgeflow.*` setting. */
  openSetting(key: string): void;
}

function useSegment(): number {
  const [, setTick] = useState(0);
  useEffect(() => segment.subscribe(() => setTick((t) => t + 1)), []);
  return segment.revision;
}

/**
 * After a MOUSE click on one of the panel's controls, the keyboard focus goes back to the canvas,
 * so Space finishes the object (and Backspace undoes a click) as before the click; otherwise Space
 * would toggle the checkbox or press the button again. A control reached with the keyboard (Tab)
 * keeps the focus: Space toggles a focused checkbox, as everywhere. `detail` is 0 for a click
 * made by the keyboard. Runs after the control's own handlers (the event bubbles up to here).
 */
function returnFocusAfterMouse(e: MouseEvent): void {
  if (e.detail === 0) return;
  const target = e.target as Element | null;
  if (!target?.closest?.('button, input, label')) return;
  document.getElementById('edgeflow-canvas')?.focus({ preventScroll: true });
}

export function SegmentPanel({ actions }: { actions: SegmentPanelActions }) {
  useSegment();
  const s = segment;
  const o = s.options;
  const pos = s.clicks.filter((c) => c.positive).length;
  const neg = s.clicks.length - pos;
  const busy = s.status === 'busy' || s.status === 'loading';
  const error = s.status === 'error' ? (s.message ?? t('Click segmentation failed.')) : null;
  // The header keeps one short line (it never wraps, whatever the time); an error gets its own
  // block below, where it wraps and stays readable.
  const statusText =
    s.status === 'loading' ? t('loading model…')
      : error !== null ? t('Error')
        : s.device ? `${s.device}${s.lastMs !== null ? ` · ${Math.round(s.lastMs)} ms` : ''}` : '';
  const setting = error !== null ? settingInMessage(error) : null;
  const poly = s.polygonFresh ? s.poly : null;
  const lowIoU = poly !== null && poly.iou < 0.95;
  return (
    <section
      class="segment-panel"
      data-testid="segment-panel"
      data-state={s.status}
      data-clicks={s.clicks.length}
      data-strokes={s.strokes.length}
      data-area={s.mask?.area ?? 0}
      data-vertices={s.poly && s.polygonFresh ? s.poly.vertexCount : 0}
      onClick={returnFocusAfterMouse}
    >
      <h3>
        <span class="codicon codicon-sparkle" />
        <span class="segment-title">{s.refineId !== null ? t('Refine object {0}', s.refineId) : t('Click segmentation')}</span>
        <span class={`segment-status${error !== null ? ' error' : ''}`} data-testid="segment-status" title={error ?? s.message ?? statusText}>
          {busy && <span class="codicon codicon-loading spin" />}
          {error !== null && <span class="codicon codicon-error" />}
          <span class="segment-status-text">{statusText}</span>
        </span>
      </h3>
      {error !== null && (
        <div class="segment-error" role="alert" data-testid="segment-error">
          <p class="segment-error-message">{error}</p>
          <p class="segment-error-hint">{t('The polygon tools keep working. Fix the cause, then click the image again or press Retry.')}</p>
          <div class="buttons">
            <button class="primary" data-testid="segment-retry" onClick={() => actions.retry()}>{t('Retry')}</button>
            {setting !== null && (
              <button data-testid="segment-open-setting" title={setting} onClick={() => actions.openSetting(setting)}>{t('Open Setting')}</button>
            )}
          </div>
        </div>
      )}
      <p class="hint">
        {t('Left click: object · Right click or Shift+click: background · Space or Enter: finish · Backspace: undo click · Esc: cancel. Select an object first to refine it with clicks.')}
        {' '}{t('B / E: brush or erase the mask.')}
      </p>
      <div class="buttons">
        <button class="primary" data-testid="segment-finish" disabled={!s.mask || s.mask.area === 0} onClick={() => actions.finish()}>
          {t('Finish')}
        </button>
        <button data-testid="segment-undo" disabled={s.clicks.length === 0 && s.strokes.length === 0} onClick={() => actions.undoClick()}>
          {lastStepIsStroke(s) ? t('Undo stroke') : t('Undo click')}
        </button>
        <button data-testid="segment-reset" disabled={s.clicks.length === 0 && s.strokes.length === 0} onClick={() => actions.reset()}>
          {t('Reset')}
        </button>
        <button data-testid="segment-cancel" disabled={!s.active} onClick={() => actions.cancel()}>
          {t('Cancel')}
        </button>
      </div>
      <label class="row" title={t('Probability above which a pixel belongs to the object')}>
        {t('Threshold')}
        <input
          type="range" min="0.05" max="0.95" step="0.01" value={s.threshold} data-testid="segment-threshold"
          onInput={(e) => {
            const threshold = Number((e.currentTarget as HTMLInputElement).value);
            // Moving the slider while the automatic value shows takes over from it.
            actions.setOptions(s.autoThreshold !== null ? { threshold, autoFirst: false } : { threshold });
          }}
        />
        <span class="value" data-testid="segment-threshold-value">{s.threshold.toFixed(2)}{s.autoThreshold !== null ? ` ${t('auto')}` : ''}</span>
      </label>
      <label class="row" title={t('On the first click of a new object, pick the threshold that best fits its probabilities (one click leaves a large object unsure)')}>
        <input
          type="checkbox" checked={o.autoFirst} data-testid="segment-auto-first"
          onChange={(e) => actions.setOptions({ autoFirst: (e.currentTarget as HTMLInputElement).checked })}
        />
        {t('Automatic threshold on the first click')}
      </label>
      <label class="row">
        <input
          type="checkbox" checked={o.keepLargest} data-testid="segment-keep-largest"
          onChange={(e) => actions.setOptions({ keepLargest: (e.currentTarget as HTMLInputElement).checked })}
        />
        {t('Keep largest region')}
      </label>
      <label class="row" title={t('Turn off for ring-shaped objects (washers, gaskets). Your choice is remembered for every image.')}>
        <input
          type="checkbox" checked={o.fillHoles} data-testid="segment-fill-holes"
          onChange={(e) => actions.setOptions({ fillHoles: (e.currentTarget as HTMLInputElement).checked })}
        />
        {t('Fill holes')}
      </label>
      <label class="row" title={t('Douglas–Peucker tolerance in image pixels (0 = every contour vertex)')}>
        {t('Simplify')}
        <input
          type="range" min="0" max="5" step="0.1" value={o.tolerance} data-testid="segment-tolerance"
          onInput={(e) => actions.setOptions({ tolerance: Number((e.currentTarget as HTMLInputElement).value) })}
        />
        <span class="value">{t('{0} px', o.tolerance.toFixed(1))}</span>
      </label>
      <div
        class={`stats${lowIoU ? ' warn' : ''}`} data-testid="segment-stats" data-preview={poly && s.polyPreview ? 'true' : undefined}
        title={poly && s.polyPreview ? t('Large object: the outline shown while clicking is traced on a coarser grid (≈); finishing traces it at full resolution.') : undefined}
      >
        {poly
          ? <>
            {s.polyPreview ? '≈ ' : ''}<span data-testid="segment-vertices">{poly.vertexCount}</span> {t('vertices')} · {t('polygon/mask IoU')}{' '}
            <span data-testid="segment-iou">{poly.iou.toFixed(3)}</span> · {s.clicks.length === 1 ? t('{0} click ({1}+ / {2}−)', s.clicks.length, pos, neg) : t('{0} clicks ({1}+ / {2}−)', s.clicks.length, pos, neg)}
          </>
          : error !== null ? (s.clicks.length ? t('No mask: the model failed. Your clicks are kept; Retry runs them again.') : t('No mask: the model failed.'))
          : s.mask ? t('tracing the outline…') : s.clicks.length || s.strokes.length ? t('waiting for the model…')
            : s.justFinished ? t('Object done. Left-click the next object to start it; right-click marks background.') : t('No object yet.')}
      </div>
    </section>
  );
}
