import { useEffect, useRef } from 'preact/hooks';
import type { Editor } from '../editor';
import { ClassesPanel } from './ClassesPanel';
import { t } from '../l10n';
import { useStore } from './hooks';
import { ObjectsList } from './ObjectsList';
import { ReadOnlyBanner } from './ReadOnlyBanner';
import { Toolbar } from './Toolbar';

/** The whole editor: toolbar, canvas, side panel. */
export function App({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  return (
    <div class="app">
      <Toolbar editor={editor} />
      <ReadOnlyBanner editor={editor} />
      <div class="main">
        <CanvasView editor={editor} />
        <aside class="side" data-testid="side-panel">
          <ObjectsList editor={editor} />
          <ClassesPanel editor={editor} />
        </aside>
      </div>
      {store.notice && (
        <div class="notice" role="status" data-testid="notice">
          {store.notice}
        </div>
      )}
    </div>
  );
}

/** The two stacked canvases; the image layer carries the brightness/contrast filter. */
function CanvasView({ editor }: { editor: Editor }) {
  const store = useStore(editor.store);
  const container = useRef<HTMLDivElement>(null);
  const imageCanvas = useRef<HTMLCanvasElement>(null);
  const overlayCanvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => editor.attach(container.current!, imageCanvas.current!, overlayCanvas.current!), [editor]);
  // No filter at all at 100 %/100 %: even an identity CSS filter costs a compositing pass per frame.
  const filter = store.brightness === 100 && store.contrast === 100 ? 'none' : `brightness(${store.brightness}%) contrast(${store.contrast}%)`;
  return (
    <div class="canvas-wrap" ref={container} tabIndex={0} id="edgeflow-canvas" data-testid="canvas" aria-label={t('Image canvas')}>
      <canvas ref={imageCanvas} class="layer image-layer" data-testid="image-canvas" style={{ filter }} />
      <canvas ref={overlayCanvas} class="layer" data-testid="overlay-canvas" />
      {store.error && (
        <div class="canvas-error" data-testid="canvas-error">
          <span class="codicon codicon-error" /> {store.error}
        </div>
      )}
    </div>
  );
}
