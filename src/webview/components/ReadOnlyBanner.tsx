import type { Editor } from '../editor';
import { t } from '../l10n';
import { useStore } from './hooks';

/**
 * Shown while the sidecar could not be read completely: why the editor is read-only, and the
 * actions the host offers (each asks for confirmation there; a backup copy is always kept).
 */
export function ReadOnlyBanner({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  const info = store.readOnly;
  if (!info) return null;
  return (
    <div class="readonly-banner" role="alert" data-testid="readonly-banner">
      <span class="codicon codicon-lock" aria-hidden="true" />
      <strong>{t('Read-only')}</strong>
      <span class="reason" data-testid="readonly-reason">
        {info.reason}
      </span>
      {info.actions.includes('repair') && (
        <button data-testid="readonly-repair" title={t('Rewrite the file with the objects shown here (a backup copy is kept)')} onClick={() => void editor.requests.sidecarAction('repair')}>
          {t('Repair…')}
        </button>
      )}
      {info.actions.includes('overwrite') && (
        <button data-testid="readonly-overwrite" title={t('Start over with no annotations (the file is moved aside as a backup)')} onClick={() => void editor.requests.sidecarAction('overwrite')}>
          {t('Overwrite…')}
        </button>
      )}
      {info.actions.includes('openSidecar') && (
        <button data-testid="readonly-open" title={t('Open the annotation file in a text editor')} onClick={() => void editor.requests.sidecarAction('openSidecar')}>
          {t('Open File')}
        </button>
      )}
    </div>
  );
}
