/** Typed mirror of the `edgeflow.*` settings and their one reader. */
import * as vscode from 'vscode';
import type { WebviewSettings } from '../shared/protocol';
import { isWorkspaceRelative, trustedSetting } from './trust';

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
  /** A workspace `edgeflow.labelsFile` that Restricted Mode made us ignore (it leaves the workspace). */
  ignoredLabelsFile?: string;
}

/** The labels file used when no setting applies. */
export const DEFAULT_LABELS_FILE = '.edgeflow/labels.json';

function clamp(v: unknown, lo: number, hi: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/**
 * Reads the settings for a resource (multi-root workspaces may differ per folder). In an
 * untrusted workspace a labels file from the workspace's own settings is used only when it stays
 * inside the workspace (the extension writes that file).
 */
export function readSettings(scope?: vscode.Uri, trusted = vscode.workspace.isTrusted): EdgeflowSettings {
  const c = vscode.workspace.getConfiguration('edgeflow', scope);
  const formatsRaw = c.get<unknown>('sidecar.formats', ['coco']);
  const formats = (Array.isArray(formatsRaw) ? formatsRaw : ['coco']).filter((f): f is SidecarFormat => f === 'coco' || f === 'mask');
  // COCO is the editor's own storage: without it nothing could be reopened, so it is always written.
  if (!formats.includes('coco')) formats.unshift('coco');
  const labels = trustedSetting(c.inspect<string>('labelsFile'), trusted, isWorkspaceRelative);
  const labelsFile = labels.value ?? DEFAULT_LABELS_FILE;
  return {
    ...(labels.ignored && typeof labels.ignored.value === 'string' ? { ignoredLabelsFile: labels.ignored.value } : {}),
    labelsFile: typeof labelsFile === 'string' && labelsFile.trim() !== '' ? labelsFile.trim() : DEFAULT_LABELS_FILE,
    sidecarFormats: [...new Set(formats)],
    display: {
      fillOpacity: clamp(c.get('display.fillOpacity'), 0, 1, 0.35),
      outlineWidth: clamp(c.get('display.outlineWidth'), 0.5, 10, 2),
      hitRadius: clamp(c.get('editing.hitRadius'), 2, 30, 8),
    },
  };
}
