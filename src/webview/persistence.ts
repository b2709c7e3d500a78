/**
 * What the webview remembers across being hidden and rebuilt (`vscode.setState`): the view, the
 * tool, the class for new objects and the display adjustments, for the image it was showing.
 */
import type { HostConnection } from './host';
import type { ViewTransform } from './view';

/** The remembered UI state of one image. */
export interface PersistedState {
  src: string;
  view: ViewTransform;
  tool: string;
  activeClassId: number | null;
  brightness: number;
  contrast: number;
}

/** Writes the state at most every 300 ms; reads it back for the same image. */
export class Persistence {
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `snapshot`: the state to write now, or null when there is nothing to remember (no image yet). */
  constructor(
    private readonly host: HostConnection,
    private readonly snapshot: () => PersistedState | null,
  ) {}

  /** The state remembered for the image at `src`, if any. */
  read(src: string): PersistedState | undefined {
    const p = this.host.getState<PersistedState>();
    return p && p.src === src ? p : undefined;
  }

  /** Writes the state soon (several changes in a row are written once). */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const s = this.snapshot();
      if (s) this.host.setState(s);
    }, 300);
  }
}
