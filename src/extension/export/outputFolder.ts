/**
 * The export's output folder, as the palette asks for it: a folder relative to the workspace
 * folder (or absolute), created by the export when it does not exist. What would be refused is
 * said while typing, and only what the export will really replace is warned about (issue 30).
 * No `vscode` here: unit-tested on a real temporary folder.
 */
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_REPORT } from '../../shared/export/exporter';
import { formatSpec } from '../../shared/export/writers/registry';

/** The folder a typed value stands for (relative values against the workspace folder). */
export function resolveOutputFolder(workspaceDir: string, value: string): string {
  return path.resolve(workspaceDir, value.trim());
}

/** Why `value` cannot be the output folder, or undefined when it can. */
export function outputFolderProblem(workspaceDir: string, value: string): string | undefined {
  if (!value.trim()) return 'Enter a folder for the dataset.';
  const dir = resolveOutputFolder(workspaceDir, value);
  if (dir === path.resolve(workspaceDir)) return 'The output folder must not be the workspace folder itself: name a folder inside it, e.g. dataset.';
  let st;
  try {
    st = statSync(dir);
  } catch {
    return undefined; // created by the export
  }
  return st.isDirectory() ? undefined : `${value.trim()} is a file, not a folder.`;
}

/** The entries of `outDir` that an export of `formats` writes into: each format's folder and the report. */
export async function outputsReplaced(outDir: string, formats: readonly string[]): Promise<string[]> {
  const names = [...formats.map((f) => formatSpec(f).folder), EXPORT_REPORT];
  const found: string[] = [];
  for (const name of names) {
    const st = await fs.stat(path.join(outDir, name)).catch(() => undefined);
    if (st) found.push(st.isDirectory() ? `${name}/` : name);
  }
  return found;
}
