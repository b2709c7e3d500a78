import type { Editor } from '../editor';
import { t } from '../l10n';
import { useStore } from './hooks';
import { ObjectAttributes } from './ObjectAttributes';

/** The objects of the image, top of the drawing order first. */
export function ObjectsList({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  const objects = [...store.objects].reverse();
  return (
    <section class="panel objects" aria-label={t('Objects')}>
      <h2>
        {t('Objects')} <span class="count" data-testid="object-count">{store.objects.length}</span>
      </h2>
      {objects.length === 0 && <p class="empty">{t('No objects yet. Click an object with the click segmentation tool (S), or outline one with the polygon tool (P).')}</p>}
      <ul data-testid="objects-list" role="listbox" aria-label={t('Objects')}>
        {objects.map((o) => {
          const selected = store.selection?.id === o.id;
          return (
            <li
              key={o.id}
              class={`row${selected ? ' selected' : ''}${o.hidden ? ' hidden' : ''}`}
              role="option"
              aria-selected={selected}
              data-testid={`object-row-${o.id}`}
              data-object-id={o.id}
              tabIndex={0}
              onClick={() => editor.revealObject(o.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && e.target === e.currentTarget) editor.revealObject(o.id);
              }}
            >
              <span class="swatch" style={{ background: store.classColor(o.classId) }} />
              <span class="object-id">#{o.id}</span>
              <select
                class="object-class"
                data-testid={`object-class-${o.id}`}
                aria-label={t('Class of object {0}', o.id)}
                value={String(o.classId)}
                onClick={(e) => e.stopPropagation()}
                onChange={(e) => editor.setObjectClass(o.id, Number((e.currentTarget as HTMLSelectElement).value))}
              >
                {!store.labels.some((l) => l.id === o.classId) && <option value={String(o.classId)}>{store.className(o.classId)}</option>}
                {store.labels.map((l) => (
                  <option key={l.id} value={String(l.id)}>
                    {l.name}
                  </option>
                ))}
              </select>
              <button
                class="icon-button"
                title={o.hidden ? t('Show') : t('Hide')}
                aria-label={o.hidden ? t('Show object {0}', o.id) : t('Hide object {0}', o.id)}
                data-testid={`object-visibility-${o.id}`}
                onClick={(e) => {
                  e.stopPropagation();
                  editor.toggleHidden(o.id);
                }}
              >
                <span class={`codicon codicon-${o.hidden ? 'eye-closed' : 'eye'}`} />
              </button>
              <button
                class="icon-button"
                title={t('Delete')}
                aria-label={t('Delete object {0}', o.id)}
                data-testid={`object-delete-${o.id}`}
                onClick={(e) => {
                  e.stopPropagation();
                  editor.deleteObject(o.id);
                }}
              >
                <span class="codicon codicon-trash" />
              </button>
            </li>
          );
        })}
      </ul>
      {store.selectedObject && <ObjectAttributes editor={editor} object={store.selectedObject} />}
    </section>
  );
}
