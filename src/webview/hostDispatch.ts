/**
 * Applies the host's messages to the editor: the first `init`, document state and labels that
 * changed on the host (edits, undo/redo, reverts), settings, forwarded commands, the
 * segmentation mask overlay and the read-only state. Every tool sees every message afterwards.
 */
import type { HostToWebview } from '../shared/protocol';
import type { Editor } from './editor';
import { setStrings } from './l10n';
import { typingNow } from './input';
import { getTools } from './tools';

/** Handles one message from the host. */
export function dispatchHostMessage(editor: Editor, m: HostToWebview): void {
  const store = editor.store;
  switch (m.type) {
    case 'init':
      setStrings(m.strings);
      store.image = m.image;
      store.labels = m.labels;
      store.settings = m.settings;
      store.readOnly = m.readOnly ?? null;
      store.model.reset(m.state);
      editor.restorePersisted(m.image.src);
      editor.restoreSession(m.session, m.image.src);
      store.sanitize();
      if (m.image.error) {
        // The host could not read the image: say why where the image would be; nothing to edit.
        store.error = m.image.error;
        editor.changed();
        document.body.dataset.edgeflowImageError = '1';
        break;
      }
      editor.changed();
      void editor.loadImage(m.image.src);
      break;
    case 'state':
      store.model.reset(m.state);
      store.preview = null;
      for (const t of getTools()) t.stateReplaced?.(editor.ctx);
      store.sanitize();
      editor.changed();
      editor.requestRender(false);
      break;
    case 'labels':
      store.labels = m.labels;
      store.sanitize();
      editor.changed();
      editor.requestRender(false);
      break;
    case 'settings':
      store.settings = m.settings;
      editor.changed();
      editor.requestRender(false);
      break;
    case 'command':
      if (!typingNow()) editor.runCommand(m.command);
      break;
    case 'selectClass':
      if (!typingNow()) editor.selectClass(m.classId);
      break;
    case 'reply':
      break;
    case 'readOnly':
      store.readOnly = m.info;
      editor.changed();
      break;
  }
  for (const t of getTools()) t.hostMessage?.(m, editor.ctx);
}
