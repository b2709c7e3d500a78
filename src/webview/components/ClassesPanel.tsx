import { useState } from 'preact/hooks';
import type { Editor } from '../editor';
import { t } from '../l10n';
import { useStore } from './hooks';
import type { Label } from '../../shared/labels';

function LabelRow({ editor, label, index, active }: { editor: Editor; label: Label; index: number; active: boolean }) {
  const [name, setName] = useState(label.name);
  const [editing, setEditing] = useState(false);
  const commitName = () => {
    setEditing(false);
    const n = name.trim();
    if (n && n !== label.name) void editor.requests.updateLabel(label.id, n, label.color);
    else setName(label.name);
  };
  return (
    <li class={`row${active ? ' selected' : ''}`} data-testid={`class-row-${label.id}`} data-class-id={label.id} onClick={() => editor.selectClass(label.id)}>
      <input
        type="color"
        class="color"
        value={label.color}
        title={t('Class colour')}
        aria-label={t('Colour of {0}', label.name)}
        data-testid={`class-color-${label.id}`}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => void editor.requests.updateLabel(label.id, label.name, (e.currentTarget as HTMLInputElement).value)}
      />
      {editing ? (
        <input
          class="name-input"
          value={name}
          data-testid={`class-name-${label.id}`}
          aria-label={t('Class name')}
          ref={(el) => el?.focus()}
          onClick={(e) => e.stopPropagation()}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          onBlur={commitName}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commitName();
            if (e.key === 'Escape') {
              setName(label.name);
              setEditing(false);
            }
          }}
        />
      ) : (
        <span
          class="name"
          title={t('Double-click to rename')}
          data-testid={`class-label-${label.id}`}
          onDblClick={(e) => {
            e.stopPropagation();
            setName(label.name);
            setEditing(true);
          }}
        >
          {label.name}
        </span>
      )}
      <span class="hint" title={index < 9 ? t('Key {0} picks this class', index + 1) : undefined}>{index < 9 ? index + 1 : ''}</span>
      <span class="object-id">id {label.id}</span>
      <button
        class="icon-button"
        title={t('Remove class from the labels file')}
        aria-label={t('Remove class {0}', label.name)}
        data-testid={`class-remove-${label.id}`}
        onClick={(e) => {
          e.stopPropagation();
          void editor.requests.removeLabel(label.id);
        }}
      >
        <span class="codicon codicon-close" />
      </button>
    </li>
  );
}

/** The workspace classes (labels file), editable. */
export function ClassesPanel({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  const [newName, setNewName] = useState('');
  const add = () => {
    const n = newName.trim();
    if (!n) return;
    setNewName('');
    void editor.requests.addLabel(n);
  };
  return (
    <section class="panel classes" aria-label={t('Classes')}>
      <h2>
        {t('Classes')} <span class="count">{store.labels.length}</span>
      </h2>
      {/* Room for the rows there are, up to about five (styles.css: .panel.classes ul). */}
      <ul data-testid="classes-list" style={{ '--class-rows': Math.min(store.labels.length, 5) }}>
        {store.labels.map((l, i) => (
          <LabelRow key={`${l.id}:${l.name}`} editor={editor} label={l} index={i} active={store.activeClassId === l.id} />
        ))}
      </ul>
      <form
        class="add-class"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <input
          value={newName}
          placeholder={t('New class name')}
          aria-label={t('New class name')}
          data-testid="class-add-name"
          id="edgeflow-class-add-name"
          onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="text-button" data-testid="class-add-button" disabled={!newName.trim()}>
          <span class="codicon codicon-add" /> {t('Add')}
        </button>
      </form>
    </section>
  );
}
