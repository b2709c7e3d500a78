/**
 * UI state of the editor webview, observable by Preact components. The annotation state itself is
 * a local mirror (`AnnotationModel`) of the host's document: user actions apply here at once and
 * are posted to the host as edits; host `state` messages replace it.
 */
import { AnnotationModel, AnnotationObject, MultiPolygonXY, VertexRef } from '../shared/annotation';
import type { Label } from '../shared/labels';
import type { ImageInfo, ReadOnlyInfo, WebviewSettings } from '../shared/protocol';
import { t } from './l10n';

/** The selected object (and optionally one of its vertices). */
export interface Selection {
  id: number;
  vertex?: VertexRef;
  /**
   * The object was just finished by click segmentation and is selected so that class keys and the
   * toolbar act on it; the next segmentation click still starts a new object (not a refinement),
   * which a selection the user made would not.
   */
  finished?: true;
}

/** Geometry shown instead of an object's own while a drag is in progress. */
export interface Preview {
  id: number;
  regions: MultiPolygonXY;
}

/** The overlay opacities the O key cycles through (full, half, fills off). */
export const OVERLAY_OPACITIES = [1, 0.5, 0] as const;

/** The opacity after `current` in the cycle (an unknown value starts it over). */
export function nextOverlayOpacity(current: number): number {
  const i = OVERLAY_OPACITIES.findIndex((o) => Math.abs(o - current) < 1e-6);
  return OVERLAY_OPACITIES[(i + 1) % OVERLAY_OPACITIES.length];
}

/** Colour for objects whose class is not in the labels file. */
export const UNKNOWN_CLASS_COLOR = '#9e9e9e';

export class EditorStore {
  image: ImageInfo | null = null;
  readonly model = new AnnotationModel();
  labels: Label[] = [];
  settings: WebviewSettings = { fillOpacity: 0.35, outlineWidth: 2, hitRadius: 8 };
  selection: Selection | null = null;
  /** Class for new objects. */
  activeClassId: number | null = null;
  toolId = 'select';
  /** Display-only adjustments in percent (CSS filter on the image layer). */
  brightness = 100;
  contrast = 100;
  preview: Preview | null = null;
  /**
   * Multiplies the fills of objects and masks (the O key cycles OVERLAY_OPACITIES): on a busy
   * image the user can thin or hide them and judge edges by the outlines. Kept for the window's
   * session (SessionUi).
   */
  overlayOpacity = 1;
  /** An error to show in the UI (e.g. the image failed to load). */
  error: string | null = null;
  /** Set while the sidecar could not be read completely: nothing may be edited (banner). */
  readOnly: ReadOnlyInfo | null = null;
  /** Short transient message (e.g. "a polygon needs 3 vertices"). */
  notice: string | null = null;
  /** Zoom in percent, for the toolbar display (updated throttled by the editor). */
  zoomPercent = 100;
  private listeners = new Set<() => void>();
  private colorCache = new Map<number, string>();
  /** Increments on every change (cheap equality for subscribers). */
  version = 0;

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Notifies subscribers (call after mutating fields). */
  changed(): void {
    this.version++;
    this.colorCache.clear();
    for (const l of [...this.listeners]) l();
  }

  /** Objects in drawing order. */
  get objects(): readonly AnnotationObject[] {
    return this.model.state.objects;
  }

  /** The selected object, if it still exists. */
  get selectedObject(): AnnotationObject | undefined {
    return this.selection ? this.model.getObject(this.selection.id) : undefined;
  }

  /** Colour of a class (`#rrggbb`). */
  classColor(classId: number): string {
    let c = this.colorCache.get(classId);
    if (!c) {
      c = this.labels.find((l) => l.id === classId)?.color ?? UNKNOWN_CLASS_COLOR;
      this.colorCache.set(classId, c);
    }
    return c;
  }

  /** Display name of a class. */
  className(classId: number): string {
    return this.labels.find((l) => l.id === classId)?.name ?? t('class {0}', classId);
  }

  /** Drops a selection whose object no longer exists; keeps activeClassId valid. */
  sanitize(): void {
    if (this.selection && !this.model.getObject(this.selection.id)) this.selection = null;
    if (this.preview && !this.model.getObject(this.preview.id)) this.preview = null;
    if (this.activeClassId !== null && !this.labels.some((l) => l.id === this.activeClassId)) {
      this.activeClassId = this.labels[0]?.id ?? null;
    }
    if (this.activeClassId === null && this.labels.length) this.activeClassId = this.labels[0].id;
  }
}
