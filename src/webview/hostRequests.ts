/**
 * Requests the webview makes of the host that change the labels file or the sidecar: adding,
 * renaming, recolouring and removing classes, and the read-only banner's actions. A failure
 * becomes a notice in the editor; the host's `labels`/`state` messages bring the results.
 */
import type { SidecarAction } from '../shared/protocol';
import type { HostConnection } from './host';
import type { EditorStore } from './store';

/** What the requests need of the editor. */
export interface RequestContext {
  readonly store: EditorStore;
  readonly host: HostConnection;
  /** Notifies the UI and the host's context keys. */
  changed(): void;
  /** Shows a short message in the editor. */
  notify(message: string): void;
}

export class HostRequests {
  constructor(private readonly editor: RequestContext) {}

  /** Class id for a new object: the active class, else the first, else a new class "object". */
  async classForNewObject(): Promise<number> {
    const s = this.editor.store;
    if (s.activeClassId !== null && s.labels.some((l) => l.id === s.activeClassId)) return s.activeClassId;
    if (s.labels.length) {
      s.activeClassId = s.labels[0].id;
      return s.activeClassId;
    }
    const label = await this.editor.host.request('addLabel', { name: 'object' });
    if (!s.labels.some((l) => l.id === label.id)) s.labels = [...s.labels, label];
    s.activeClassId = label.id;
    this.editor.changed();
    return label.id;
  }

  /** Adds a class (colour chosen by the host when not given) and makes it the active class. */
  async addLabel(name: string, color?: string): Promise<void> {
    const s = this.editor.store;
    try {
      const label = await this.editor.host.request('addLabel', color ? { name, color } : { name });
      if (!s.labels.some((l) => l.id === label.id)) s.labels = [...s.labels, label];
      s.activeClassId = label.id;
      this.editor.changed();
    } catch (e) {
      this.editor.notify((e as Error).message);
    }
  }

  /** Renames or recolours a class; on failure the panel shows the old values again. */
  async updateLabel(id: number, name: string, color: string): Promise<void> {
    try {
      await this.editor.host.request('updateLabel', { id, name, color });
    } catch (e) {
      this.editor.notify((e as Error).message);
      this.editor.changed();
    }
  }

  /** Removes a class from the labels file (the host asks for confirmation). */
  async removeLabel(id: number): Promise<void> {
    try {
      await this.editor.host.request('removeLabel', { id });
    } catch (e) {
      this.editor.notify((e as Error).message);
    }
  }

  /** Runs a read-only banner action on the host (it asks for confirmation itself). */
  async sidecarAction(action: SidecarAction): Promise<void> {
    try {
      await this.editor.host.request('sidecarAction', { action });
    } catch (e) {
      this.editor.notify((e as Error).message);
    }
  }
}
