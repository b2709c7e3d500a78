/**
 * The brush's side panel: paint or erase, the size, what a stroke edits now, and the polygon cost
 * (vertices, IoU with the mask) of the last edit of a finished object. While an object is being
 * clicked, the click panel below shows the cost of the object in progress.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BrushMode } from '../../shared/geometry/brush';
import { t } from '../l10n';
import { brush } from './brushTool';
import { segment } from './segmentState';

export function BrushPanel({ mode, setSize, setMode }: { mode: BrushMode; setSize: (size: number) => void; setMode: (tool: string) => void }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    brush.listeners.add(fn);
    const off = segment.subscribe(fn);
    return () => {
      brush.listeners.delete(fn);
      off();
    };
  }, []);
  const e = brush.lastEdit;
  return (
    <section class="segment-panel brush-panel" data-testid="brush-panel" data-mode={mode} data-size={brush.size}>
      <h3>
        <span class={`codicon codicon-${mode === 'paint' ? 'edit' : 'clear-all'}`} />
        {mode === 'paint' ? t('Brush') : t('Eraser')}
      </h3>
      <p class="hint">
        {segment.active
          ? t('Strokes edit the object in progress; the next clicks keep them. Backspace undoes a stroke; Space or Enter finishes.')
          : t('Strokes edit the selected object (one undo step each); with nothing selected, painting starts a new object.')}
        {' '}
        {t('Right button or Alt: the other mode · [ ] or Alt+wheel: size · O: overlay opacity.')}
      </p>
      <div class="buttons">
        <button data-testid="brush-mode-paint" class={mode === 'paint' ? 'primary' : ''} onClick={() => setMode('brush')}>{t('Paint (B)')}</button>
        <button data-testid="brush-mode-erase" class={mode === 'erase' ? 'primary' : ''} onClick={() => setMode('eraser')}>{t('Erase (E)')}</button>
      </div>
      <label class="row" title={t('Brush diameter in image pixels')}>
        {t('Size')}
        <input
          type="range" min="1" max="400" step="1" value={Math.min(400, brush.size)} data-testid="brush-size"
          onInput={(ev) => setSize(Number((ev.currentTarget as HTMLInputElement).value))}
        />
        <span class="value" data-testid="brush-size-value">{t('{0} px', String(Math.round(brush.size)))}</span>
      </label>
      {e && (
        <div class={`stats${e.iou < 0.95 ? ' warn' : ''}`} data-testid="brush-stats">
          {t('Object {0}', e.id)}: <span data-testid="brush-vertices">{e.vertexCount}</span> {t('vertices')} · {t('polygon/mask IoU')}{' '}
          <span data-testid="brush-iou">{e.iou.toFixed(3)}</span>
        </div>
      )}
    </section>
  );
}
