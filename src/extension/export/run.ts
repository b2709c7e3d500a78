/**
 * Export and import runs on a real file system: read the workspace config and labels, open the
 * workspace and output folders, call the engine. Shared by the palette commands and the CLI so
 * both produce the same dataset from the same workspace. No `vscode` import.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_CONFIG_PATH, ExportOptions, ExportSettings, parseExportConfig, resolveExportOptions } from '../../shared/export/config';
import { ExportSummary, exportDataset } from '../../shared/export/exporter';
import { ImportSummary, importAnnotations } from '../../shared/export/importer';
import type { ProgressSink } from '../../shared/export/types';
import { Label, LabelsExtras, LabelsFile, parseLabels, serializeLabels } from '../../shared/labels';
import { NodeOutput, NodeWorkspace, nodeCodecs } from './nodeIo';
import { probeImage } from '../image/probe';

/** Default workspace-relative labels file (setting `edgeflow.labelsFile`). */
export const DEFAULT_LABELS_FILE = '.edgeflow/labels.json';

/**
 * Read the labels file (workspace-relative, or absolute as the `edgeflow.labelsFile` setting
 * allows); a missing file is an empty list unless `required`, a broken one an error.
 */
export async function readLabelsFile(workspace: NodeWorkspace, labelsFile = DEFAULT_LABELS_FILE, required = false): Promise<Label[]> {
  return (await readLabels(workspace, labelsFile, required)).labels;
}

/** The whole labels file (with the keys the editor keeps but does not use); empty when absent. */
async function readLabels(workspace: NodeWorkspace, labelsFile: string, required = false): Promise<LabelsFile> {
  const missing = (code: string): LabelsFile => {
    if (required) throw new Error(`cannot read labels ${labelsFile}: ${code}`);
    return { version: 1, labels: [] };
  };
  let text: string;
  if (path.isAbsolute(labelsFile)) {
    const t = await fs.readFile(labelsFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (t === undefined) return missing('ENOENT');
    text = t;
  } else {
    if (!(await workspace.isFile(labelsFile))) return missing('not a file in the workspace');
    text = await workspace.readText(labelsFile);
  }
  const parsed = parseLabels(text);
  if (!parsed.ok) throw new Error(`${labelsFile}: ${parsed.error.message}`);
  return parsed.value;
}

/** Writes the labels, keeping `extras` (attribute declarations, other tools' keys) as they were. */
async function writeLabelsFile(workspace: NodeWorkspace, labelsFile: string, labels: Label[], extras: LabelsExtras | undefined): Promise<void> {
  const text = serializeLabels({ version: 1, labels, extras });
  if (!path.isAbsolute(labelsFile)) return workspace.writeFileAtomic(labelsFile, text);
  const tmp = `${labelsFile}.${process.pid}.tmp`;
  await fs.mkdir(path.dirname(labelsFile), { recursive: true });
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, labelsFile);
}

/** Read `.edgeflow/export.json` (or `configFile`, relative to the current folder); undefined if absent. */
export async function readExportConfig(workspace: NodeWorkspace, configFile?: string): Promise<ExportSettings | undefined> {
  if (configFile !== undefined) {
    const text = await fs.readFile(path.resolve(configFile), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`cannot read config ${configFile}: ${e.code ?? e.message}`);
    });
    return parseExportConfig(text);
  }
  if (!(await workspace.isFile(EXPORT_CONFIG_PATH))) return undefined;
  return parseExportConfig(await workspace.readText(EXPORT_CONFIG_PATH));
}

/** What an export run needs. */
export interface ExportRun {
  /** Workspace folder (absolute, or relative to the current folder). */
  readonly workspaceDir: string;
  /** Settings from arguments or the palette; they override the config file. */
  readonly settings: ExportSettings;
  /** Output folder: absolute, or relative to the current folder; `settings.out` otherwise. */
  readonly outDir?: string;
  readonly configFile?: string;
  readonly useConfig?: boolean;
  /** Labels file: workspace-relative or absolute, as the `edgeflow.labelsFile` setting (default `.edgeflow/labels.json`). */
  readonly labelsFile?: string;
  /** Fail when the labels file is missing (one named on the command line) rather than export without labels. */
  readonly requireLabelsFile?: boolean;
  readonly progress?: ProgressSink;
}

/** The options actually used, the output folder, and the engine's summary. */
export interface ExportRunResult {
  readonly options: ExportOptions;
  readonly outDir: string;
  readonly summary: ExportSummary;
}

/** Resolve the options (config file + settings) and the output folder without exporting. */
export async function resolveExportRun(run: ExportRun): Promise<{ workspace: NodeWorkspace; options: ExportOptions; outDir: string }> {
  // Images linked in from elsewhere are the user's data: an export may read them.
  const workspace = await NodeWorkspace.open(run.workspaceDir, true);
  const config = run.useConfig === false ? undefined : await readExportConfig(workspace, run.configFile);
  const options = resolveExportOptions(config, run.settings);
  let outDir: string;
  if (run.outDir !== undefined) outDir = path.resolve(run.outDir);
  else if (run.settings.out !== undefined) outDir = path.resolve(run.settings.out);
  else if (config?.out !== undefined) outDir = path.resolve(workspace.folder, config.out);
  else throw new Error(`no output folder: pass --out or set "out" in ${EXPORT_CONFIG_PATH}`);
  if (path.resolve(outDir) === workspace.folder) throw new Error('the output folder must not be the workspace folder itself');
  return { workspace, options, outDir };
}

/** Export a workspace. */
export async function runExport(run: ExportRun): Promise<ExportRunResult> {
  const { workspace, options, outDir } = await resolveExportRun(run);
  const labels = await readLabelsFile(workspace, run.labelsFile, run.requireLabelsFile);
  const output = await NodeOutput.open(outDir, workspace);
  // Never read our own output back in when the output folder is inside the workspace.
  const rel = path.relative(workspace.folder, outDir);
  const skip = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? [rel.split(path.sep).join('/')] : [];
  const summary = await exportDataset({ workspace, output, labels, options, codecs: nodeCodecs, progress: run.progress, skip });
  return { options, outDir, summary };
}

/** What an import run needs. */
export interface ImportRun {
  readonly workspaceDir: string;
  /** A COCO JSON file, or a labelme / VOC folder (absolute or relative to the current folder). */
  readonly from: string;
  readonly overwrite: boolean;
  readonly imagesDir?: string;
  readonly labelsFile?: string;
  readonly progress?: ProgressSink;
  readonly generator?: string;
}

/** Import labels into a workspace; writes the labels file when classes were added. */
export async function runImport(run: ImportRun): Promise<ImportSummary> {
  const workspace = await NodeWorkspace.open(run.workspaceDir);
  const from = path.resolve(run.from);
  const st = await fs.stat(from).catch(() => undefined);
  if (!st) throw new Error(`${run.from} does not exist`);
  const sourceDir = st.isDirectory() ? from : path.dirname(from);
  const reader = await NodeWorkspace.open(sourceDir);
  const relToWs = path.relative(workspace.folder, sourceDir);
  const inside = !relToWs.startsWith('..') && !path.isAbsolute(relToWs);
  const labelsFile = run.labelsFile ?? DEFAULT_LABELS_FILE;
  const labelsBefore = await readLabels(workspace, labelsFile);
  const labels = labelsBefore.labels;
  const summary = await importAnnotations({
    workspace,
    source: {
      reader,
      entry: st.isDirectory() ? '' : path.basename(from),
      workspacePath: inside ? relToWs.split(path.sep).join('/') : undefined,
    },
    labels,
    overwrite: run.overwrite,
    imagesDir: run.imagesDir,
    codecs: nodeCodecs,
    progress: run.progress,
    generator: run.generator,
    workspaceAbsolute: workspace.folder,
    imageSize: async (rel) => {
      // The displayed size (EXIF orientation applied; BMP read too), as the editor and its sidecars use.
      try {
        const p = await probeImage(await workspace.absolute(rel), { validate: false });
        return { width: p.width, height: p.height };
      } catch (e) {
        throw new Error(`cannot read the size of ${rel}: ${(e as Error).message}`);
      }
    },
  });
  if (summary.labelsChanged) await writeLabelsFile(workspace, labelsFile, summary.labels, labelsBefore.extras);
  return summary;
}
