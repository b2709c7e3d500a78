import type { Editor } from '../editor';
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
        {getTools().map((t) => (
          <IconButton key={t.id} icon={t.icon} title={t.title} testid={`tool-${t.id}`} active={store.toolId === t.id} onClick={() => editor.setTool(t.id)} />
        ))}
      </div>
      <div class="group">
        <label class="field" title={sel ? 'Class of the selected object' : 'Class for new objects'}>
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
            {classValue === null && <option value="">(no class)</option>}
            {classValue !== null && !store.labels.some((l) => l.id === classValue) && <option value={String(classValue)}>{store.className(classValue)}</option>}
            {store.labels.map((l, i) => (
              <option key={l.id} value={String(l.id)}>
                {i < 9 ? `${i + 1}  ` : ''}
                {l.name}
              </option>
            ))}
            <option value="__add__">Add class…</option>
          </select>
        </label>
      </div>
      <div class="group">
        <IconButton icon="screen-full" title="Zoom to fit (F)" testid="zoom-fit" onClick={() => editor.fit()} />
        <IconButton icon="zoom-out" title="Zoom out (-)" testid="zoom-out" onClick={() => editor.zoomBy(0.8)} />
        <button class="text-button" title="Zoom to 100 % (0)" data-testid="zoom-100" onClick={() => editor.zoom100()}>
          <span data-testid="zoom-level">{store.zoomPercent} %</span>
        </button>
        <IconButton icon="zoom-in" title="Zoom in (=)" testid="zoom-in" onClick={() => editor.zoomBy(1.25)} />
      </div>
      <div class="group adjust">
        <label class="field" title="Brightness (display only)">
          <span class="codicon codicon-lightbulb" />
          <input
            type="range"
            min="10"
            max="300"
            step="5"
            value={store.brightness}
            data-testid="brightness"
            aria-label="Brightness"
            onInput={(e) => editor.setAdjustments(Number((e.currentTarget as HTMLInputElement).value), store.contrast)}
          />
        </label>
        <label class="field" title="Contrast (display only)">
          <span class="codicon codicon-color-mode" />
          <input
            type="range"
            min="10"
            max="300"
            step="5"
            value={store.contrast}
            data-testid="contrast"
            aria-label="Contrast"
            onInput={(e) => editor.setAdjustments(store.brightness, Number((e.currentTarget as HTMLInputElement).value))}
          />
        </label>
        <IconButton
          icon="discard"
          title="Reset brightness and contrast"
          testid="adjust-reset"
          disabled={store.brightness === 100 && store.contrast === 100}
          onClick={() => editor.setAdjustments(100, 100)}
        />
      </div>
    </div>
  );
}
