/** Typed mirror of the `edgeflow.*` settings and their one reader. */
import * as vscode from 'vscode';
import type { WebviewSettings } from '../shared/protocol';

/** Sidecar kinds `edgeflow.sidecar.formats` may list. */
export type SidecarFormat = 'coco' | 'mask';

/** All editor settings. */
export interface EdgeflowSettings {
  /** Labels file path, relative to the workspace folder (or absolute). */
  labelsFile: string;
  /** Sidecars written on save. */
  sidecarFormats: SidecarFormat[];
  /** Display settings passed to the webview. */
  display: WebviewSettings;
}

function clamp(v: unknown, lo: number, hi: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/** Reads the settings for a resource (multi-root workspaces may differ per folder). */
export function readSettings(scope?: vscode.Uri): EdgeflowSettings {
  const c = vscode.workspace.getConfiguration('edgeflow', scope);
  const formatsRaw = c.get<unknown>('sidecar.formats', ['coco']);
  const formats = (Array.isArray(formatsRaw) ? formatsRaw : ['coco']).filter((f): f is SidecarFormat => f === 'coco' || f === 'mask');
  // COCO is the editor's own storage: without it nothing could be reopened, so it is always written.
  if (!formats.includes('coco')) formats.unshift('coco');
  const labelsFile = c.get<string>('labelsFile', '.edgeflow/labels.json');
  return {
    labelsFile: typeof labelsFile === 'string' && labelsFile.trim() !== '' ? labelsFile.trim() : '.edgeflow/labels.json',
    sidecarFormats: [...new Set(formats)],
    display: {
      fillOpacity: clamp(c.get('display.fillOpacity'), 0, 1, 0.35),
      outlineWidth: clamp(c.get('display.outlineWidth'), 0.5, 10, 2),
      hitRadius: clamp(c.get('editing.hitRadius'), 2, 30, 8),
    },
  };
}
