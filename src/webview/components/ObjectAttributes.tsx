/**
 * The selected object's attributes (issue 30), under the objects list: one control per attribute
 * its class declares in the labels file (checkbox, drop-down, text field), then the values it
 * holds that the class does not declare (another tool's, or kept from its previous class), shown
 * as they are with a button to remove each. Every change is one document edit (one undo step).
 */
import { useEffect, useState } from 'preact/hooks';
import { getAttribute, type AnnotationObject, type AttributeValue } from '../../shared/annotation';
import { MAX_ATTRIBUTE_TEXT } from '../../shared/annotation/attributes';
import { undeclaredAttributes, type AttributeSpec } from '../../shared/labelAttributes';
import type { Editor } from '../editor';
import { t } from '../l10n';

/** The attribute controls of `object`. */
export function ObjectAttributes({ editor, object }: { editor: Editor; object: AnnotationObject }) {
  const store = editor.store;
  const label = store.labels.find((l) => l.id === object.classId);
  const specs = label?.attributes ?? [];
  const others = undeclaredAttributes(object.attributes, specs);
  const set = (name: string, value: AttributeValue | null) => editor.setObjectAttribute(object.id, name, value);
  return (
    <div class="attributes" role="group" aria-label={t('Attributes of object {0}', object.id)} data-testid="object-attributes">
      <h3>
        {t('Attributes')} <span class="object-id">#{object.id}</span>
      </h3>
      {specs.length === 0 && others.length === 0 && (
        <p class="empty" data-testid="attributes-empty">{t('The class {0} declares no attributes (see the labels file).', store.className(object.classId))}</p>
      )}
      {specs.map((s) => (
        <AttributeControl key={`${object.id}\u0000${s.name}`} spec={s} stored={getAttribute(object.attributes, s.name)} onSet={(v) => set(s.name, v)} />
      ))}
      {others.length > 0 && (
        <div class="attr-others" data-testid="attributes-other">
          <div class="attr-others-title" title={t('Values this class does not declare: kept, saved and exported as they are')}>
            {t('Other attributes')}
          </div>
          {others.map(([name, value]) => (
            <div class="attr attr-other" key={name} data-testid={`attr-other-${name}`}>
              <span class="attr-name" title={name}>{name}</span>
              <span class="attr-value" title={String(value)}>{typeof value === 'boolean' ? (value ? t('yes') : t('no')) : value}</span>
              <button class="icon-button" title={t('Remove attribute {0}', name)} aria-label={t('Remove attribute {0}', name)} onClick={() => set(name, null)}>
                <span class="codicon codicon-close" />
              </button>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** One declared attribute: its stored value, or the declaration's default when none is stored. */
function AttributeControl({ spec, stored, onSet }: { spec: AttributeSpec; stored: AttributeValue | undefined; onSet: (v: AttributeValue) => void }) {
  const value = stored ?? spec.default;
  const id = `attr-${spec.name}`;
  const testId = `attr-${spec.name}`;
  if (spec.type === 'boolean') {
    return (
      <label class="attr attr-boolean" title={spec.name}>
        <input
          type="checkbox"
          data-testid={testId}
          checked={value === true}
          onChange={(e) => onSet((e.currentTarget as HTMLInputElement).checked)}
          // Space toggles the box, as in any form: the canvas's Space-to-pan (input.ts) must not take it.
          onKeyDown={(e) => e.key === ' ' && e.stopPropagation()}
        />
        <span class="attr-name">{spec.name}</span>
      </label>
    );
  }
  if (spec.type === 'choice') {
    const current = String(value);
    return (
      <div class="attr">
        <label class="attr-name" for={id} title={spec.name}>{spec.name}</label>
        <select id={id} data-testid={testId} value={current} onChange={(e) => onSet((e.currentTarget as HTMLSelectElement).value)}>
          {/* A stored value the declaration no longer lists stays visible (and selected) until changed. */}
          {!spec.options!.includes(current) && <option value={current}>{current}</option>}
          {spec.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
    );
  }
  return (
    <div class="attr">
      <label class="attr-name" for={id} title={spec.name}>{spec.name}</label>
      <TextAttribute id={id} testId={testId} value={String(value)} onCommit={onSet} />
    </div>
  );
}

/** A text field committed on Enter or when it loses focus; Escape puts the stored text back. */
function TextAttribute({ id, testId, value, onCommit }: { id: string; testId: string; value: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  // The document changed (undo, another edit): show its value.
  useEffect(() => setDraft(value), [value]);
  const commit = (text: string) => {
    if (text !== value) onCommit(text);
  };
  return (
    <input
      type="text"
      id={id}
      data-testid={testId}
      value={draft}
      maxLength={MAX_ATTRIBUTE_TEXT}
      spellcheck={false}
      onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
      onKeyDown={(e) => {
        // Keys typed here are text, never the editor's shortcuts (input.ts `isTyping` skips them).
        if (e.key === 'Enter') {
          e.preventDefault();
          commit((e.currentTarget as HTMLInputElement).value);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          const el = e.currentTarget as HTMLInputElement;
          // Back to the stored text first, so the blur that follows commits nothing.
          el.value = value;
          setDraft(value);
          el.blur();
        }
      }}
      onBlur={(e) => commit((e.currentTarget as HTMLInputElement).value)}
    />
  );
}
