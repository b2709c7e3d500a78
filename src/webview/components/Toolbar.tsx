import type { Editor } from '../editor';
import { t } from '../l10n';
import { getTools } from '../tools';
import { useStore } from './hooks';

function IconButton(props: { icon: string; title: string; testid: string; onClick: () => void; active?: boolean; disabled?: boolean }) {
  return (
    <button
      class={`icon-button${props.active ? ' active' : ''}`}
      title={props.title}
      aria-label={props.title}
      aria-pressed={props.active === undefined ? undefined : props.active}
      data-testid={props.testid}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <span class={`codicon codicon-${props.icon}`} />
    </button>
  );
}

/** Tools, zoom, display adjustments and the class for new objects. */
export function Toolbar({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  const sel = store.selectedObject;
  const classValue = sel ? sel.classId : store.activeClassId;
  return (
    <div class="toolbar" role="toolbar" data-testid="toolbar">
      <div class="group">
        {getTools().map((tool) => (
          <IconButton key={tool.id} icon={tool.icon} title={t(tool.title)} testid={`tool-${tool.id}`} active={store.toolId === tool.id} onClick={() => editor.setTool(tool.id)} />
        ))}
      </div>
      <div class="group">
        <label class="field" title={`${sel ? t('Class of the selected object') : t('Class for new objects')}${classValue !== null ? `: ${store.className(classValue)}` : ''}`}>
          <span class="codicon codicon-tag" />
          <select
            data-testid="class-select"
            id="edgeflow-class-select"
            value={classValue === null ? '' : String(classValue)}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              if (v === '__add__') {
                (e.currentTarget as HTMLSelectElement).value = classValue === null ? '' : String(classValue);
                editor.runCommand('focusClasses');
              } else if (v !== '') editor.selectClass(Number(v));
            }}
          >
            {classValue === null && <option value="">{t('(no class)')}</option>}
            {classValue !== null && !store.labels.some((l) => l.id === classValue) && <option value={String(classValue)}>{store.className(classValue)}</option>}
            {store.labels.map((l, i) => (
              <option key={l.id} value={String(l.id)}>
                {i < 9 ? `${i + 1} · ` : ''}
                {l.name}
              </option>
            ))}
            <option value="__add__">{t('Add class…')}</option>
          </select>
        </label>
      </div>
      <div class="group">
        <IconButton icon="screen-full" title={t('Zoom to fit (F)')} testid="zoom-fit" onClick={() => editor.fit()} />
        <IconButton icon="zoom-out" title={t('Zoom out (-)')} testid="zoom-out" onClick={() => editor.zoomBy(0.8)} />
        <button class="text-button" title={t('Zoom to 100 % (0)')} data-testid="zoom-100" onClick={() => editor.zoom100()}>
          <span data-testid="zoom-level">{store.zoomPercent} %</span>
        </button>
        <IconButton icon="zoom-in" title={t('Zoom in (=)')} testid="zoom-in" onClick={() => editor.zoomBy(1.25)} />
      </div>
      <div class="group">
        <button
          class="text-button" data-testid="overlay-opacity" title={t('Overlay opacity (O): {0} %', String(Math.round(store.overlayOpacity * 100)))}
          onClick={() => editor.runCommand('toggleOverlayOpacity')}
        >
          <span class={`codicon codicon-${store.overlayOpacity > 0 ? 'eye' : 'eye-closed'}`} /> {Math.round(store.overlayOpacity * 100)} %
        </button>
      </div>
      <div class="group adjust">
        <label class="field" title={`${t('Brightness (display only)')}: ${store.brightness} %`}>
          <span class="codicon codicon-lightbulb" />
          <input
            type="range"
            min="10"
            max="300"
            step="5"
            value={store.brightness}
            data-testid="brightness"
            aria-label={t('Brightness')}
            onInput={(e) => editor.setAdjustments(Number((e.currentTarget as HTMLInputElement).value), store.contrast)}
          />
          <span class="adjust-value" data-testid="brightness-value">{store.brightness} %</span>
        </label>
        <label class="field" title={`${t('Contrast (display only)')}: ${store.contrast} %`}>
          <span class="codicon codicon-color-mode" />
          <input
            type="range"
            min="10"
            max="300"
            step="5"
            value={store.contrast}
            data-testid="contrast"
            aria-label={t('Contrast')}
            onInput={(e) => editor.setAdjustments(store.brightness, Number((e.currentTarget as HTMLInputElement).value))}
          />
          <span class="adjust-value" data-testid="contrast-value">{store.contrast} %</span>
        </label>
        <IconButton
          icon="discard"
          title={t('Reset brightness and contrast')}
          testid="adjust-reset"
          disabled={store.brightness === 100 && store.contrast === 100}
          onClick={() => editor.setAdjustments(100, 100)}
        />
      </div>
    </div>
  );
}
