/**
 * "EdgeFlow: Export Dataset…" and "EdgeFlow: Import Annotations…".
 *
 * Interactive use walks through quick picks (formats, images, split, how images are placed,
 * output folder); every choice starts from the workspace export config (`.edgeflow/export.json`),
 * so the palette and `npx edgeflow export` produce the same dataset. The run shows a cancellable
 * progress notification and ends with a summary (warnings go to the EdgeFlow log).
 *
 * Automation (tests, other extensions, keybindings): pass an options object and no question is
 * asked: `executeCommand('edgeflow.exportDataset', { formats: ['coco', 'voc'], out: '/abs/dir' })`
 * resolves to the run's summary. From the explorer context menu the clicked files or folders
 * become the selection to export.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXPORT_CONFIG_PATH, ExportSettings, normaliseInclude, parseExportConfig, parseFormats, parseImageMode, parseSeed, resolveExportOptions, serializeExportConfig } from '../../shared/export/config';
import type { ExportSummary } from '../../shared/export/exporter';
import type { ImportSummary } from '../../shared/export/importer';
import { ImageMode, ProgressSink, formatWarnings } from '../../shared/export/types';
import { FORMATS } from '../../shared/export/writers/registry';
import { parseSplits } from '../../shared/formats/split';
import { log, registerCommand } from '../log';
import { readSettings } from '../settings';
import { outputFolderProblem, outputsReplaced, resolveOutputFolder } from './outputFolder';
import { resolveExportRun, runExport, runImport } from './run';

/** Command ids (declared in package.json). */
export const EXPORT_COMMAND_IDS = ['edgeflow.exportDataset', 'edgeflow.importAnnotations'] as const;

/** Options of `edgeflow.exportDataset` for automation; any option given skips its question. */
export interface ExportCommandOptions {
  /** Workspace folder path (default: the first workspace folder). */
  readonly workspaceFolder?: string;
  readonly formats?: string[] | string;
  /** Output folder: absolute, or relative to the workspace folder. */
  readonly out?: string;
  readonly split?: string | number[] | Record<string, number>;
  readonly seed?: number;
  readonly images?: ImageMode;
  /** Workspace-relative folders or images. */
  readonly include?: string[];
  readonly includeEmpty?: boolean;
  readonly vocBoundary?: number;
  readonly objectMasks?: boolean;
  /** Write into a non-empty output folder without asking (automation always does). */
  readonly overwrite?: boolean;
}

/** Options of `edgeflow.importAnnotations` for automation. */
export interface ImportCommandOptions {
  readonly workspaceFolder?: string;
  /** COCO JSON file or labelme/VOC folder (absolute, or relative to the workspace folder). */
  readonly from: string;
  readonly overwrite?: boolean;
  readonly imagesDir?: string;
}

/** Register both commands. */
export function registerExportCommands(): vscode.Disposable[] {
  return [
    registerCommand('edgeflow.exportDataset', (arg?: unknown, all?: unknown) => exportCommand(arg, all)),
    registerCommand('edgeflow.importAnnotations', (arg?: unknown) => importCommand(arg)),
  ];
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v);
}

async function pickWorkspaceFolder(hint?: vscode.Uri, explicit?: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (explicit !== undefined) {
    const f = folders.find((w) => path.resolve(w.uri.fsPath) === path.resolve(explicit));
    if (!f) throw new Error(vscode.l10n.t('{0} is not a workspace folder.', explicit));
    return f;
  }
  if (hint) {
    const f = vscode.workspace.getWorkspaceFolder(hint);
    if (f) return f;
  }
  if (folders.length === 0) throw new Error(vscode.l10n.t('Open a folder with annotated images first.'));
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Workspace folder to export') });
}

async function readConfig(folder: vscode.WorkspaceFolder): Promise<ExportSettings> {
  const p = path.join(folder.uri.fsPath, ...EXPORT_CONFIG_PATH.split('/'));
  const text = await fs.readFile(p, 'utf8').catch(() => undefined);
  return text === undefined ? {} : parseExportConfig(text);
}

function labelsFileFor(folder: vscode.WorkspaceFolder): string {
  return readSettings(folder.uri).labelsFile;
}

/** A progress sink driving a VS Code progress notification (throttled). */
function notificationSink(progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): ProgressSink {
  let lastPct = 0;
  let lastTime = 0;
  return {
    isCancelled: () => token.isCancellationRequested,
    report(done, total, current) {
      const now = Date.now();
      if (now - lastTime < 150 && done < total) return;
      lastTime = now;
      const pct = (100 * done) / total;
      progress.report({ increment: pct - lastPct, message: `${done}/${total} · ${current}` });
      lastPct = pct;
    },
  };
}

function cancelled<T>(): T {
  throw new vscode.CancellationError();
}

async function exportCommand(arg: unknown, all: unknown): Promise<ExportSummary | undefined> {
  const automation = isOptions(arg) ? (arg as ExportCommandOptions) : undefined;
  const selection: vscode.Uri[] = Array.isArray(all) && all.every((u) => u instanceof vscode.Uri) ? all : arg instanceof vscode.Uri ? [arg] : [];
  const folder = await pickWorkspaceFolder(selection[0] ?? vscode.window.activeTextEditor?.document.uri, automation?.workspaceFolder);
  if (!folder) return undefined;
  const root = folder.uri.fsPath;
  const config = await readConfig(folder);
  const settings: ExportSettings = {};

  // Formats.
  if (automation?.formats !== undefined) settings.formats = parseFormats(automation.formats);
  else if (!automation) {
    const preset = new Set(config.formats ?? ['coco']);
    const picked = await vscode.window.showQuickPick(
      FORMATS.map((f) => ({ label: f.label, description: f.description, picked: preset.has(f.format), format: f.format })),
      { canPickMany: true, title: vscode.l10n.t('Export Dataset (1/5): formats'), placeHolder: vscode.l10n.t('Dataset formats to write') },
    );
    if (!picked || picked.length === 0) return cancelled();
    settings.formats = picked.map((p) => p.format);
  }

  // Which images.
  if (automation?.include !== undefined) settings.include = automation.include.map(normaliseInclude);
  else if (selection.length) settings.include = selection.map((u) => relativeInside(root, u.fsPath));
  else if (!automation) {
    const choices: (vscode.QuickPickItem & { id: string })[] = [
      { id: 'all', label: vscode.l10n.t('All annotated images'), description: config.include?.length ? config.include.join(', ') : undefined },
      { id: 'folder', label: vscode.l10n.t('Images in a folder…') },
    ];
    const active = activeImage();
    if (active && vscode.workspace.getWorkspaceFolder(active)?.uri.toString() === folder.uri.toString()) {
      choices.push({ id: 'current', label: vscode.l10n.t('The current image'), description: vscode.workspace.asRelativePath(active, false) });
    }
    const which = await vscode.window.showQuickPick(choices, { title: vscode.l10n.t('Export Dataset (2/5): images') });
    if (!which) return cancelled();
    if (which.id === 'folder') {
      const dirs = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, defaultUri: folder.uri, openLabel: vscode.l10n.t('Export These Folders') });
      if (!dirs?.length) return cancelled();
      settings.include = dirs.map((d) => relativeInside(root, d.fsPath));
    } else if (which.id === 'current' && active) {
      settings.include = [relativeInside(root, active.fsPath)];
    }
  }

  // Split and seed.
  if (automation?.split !== undefined) settings.splits = parseSplits(automation.split);
  if (automation?.seed !== undefined) settings.seed = parseSeed(automation.seed);
  if (!automation) {
    const current = config.splits?.map((s) => `${s.name}=${+s.fraction.toFixed(4)}`).join(',');
    const items: (vscode.QuickPickItem & { value?: string })[] = [
      ...(current ? [{ label: current, description: vscode.l10n.t('from {0}', EXPORT_CONFIG_PATH), value: current }] : []),
      { label: vscode.l10n.t('No split'), description: vscode.l10n.t('one set named "all"'), value: '1' },
      { label: 'train 80 % · val 20 %', value: '0.8,0.2' },
      { label: 'train 80 % · val 10 % · test 10 %', value: '0.8,0.1,0.1' },
      { label: 'train 70 % · val 20 % · test 10 %', value: '0.7,0.2,0.1' },
      { label: vscode.l10n.t('Custom…'), description: 'e.g. 0.9,0.1 or train=0.6,val=0.2,test=0.2' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Export Dataset (3/5): split (stratified by class)') });
    if (!pick) return cancelled();
    let value = pick.value;
    if (value === undefined) {
      value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Split fractions'),
        prompt: vscode.l10n.t('Fractions, e.g. 0.8,0.2 or train=0.6,val=0.2,test=0.2'),
        validateInput: (v) => {
          try {
            parseSplits(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (value === undefined) return cancelled();
    }
    settings.splits = parseSplits(value);
    if (settings.splits.length > 1) {
      const seed = await vscode.window.showInputBox({
        title: vscode.l10n.t('Split seed'),
        prompt: vscode.l10n.t('The same seed gives the same split every time'),
        value: String(config.seed ?? 0),
        validateInput: (v) => {
          try {
            parseSeed(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (seed === undefined) return cancelled();
      settings.seed = parseSeed(seed);
    }
  }

  // Images: copy, link or reference.
  if (automation?.images !== undefined) settings.images = parseImageMode(automation.images);
  else if (!automation) {
    const preset = config.images ?? 'copy';
    const modes: (vscode.QuickPickItem & { mode: ImageMode })[] = [
      { mode: 'copy', label: vscode.l10n.t('Copy images'), description: vscode.l10n.t('a self-contained dataset') },
      { mode: 'link', label: vscode.l10n.t('Link images'), description: vscode.l10n.t('symbolic links, no extra space') },
      { mode: 'reference', label: vscode.l10n.t('Reference images'), description: vscode.l10n.t('labels only; paths point into the workspace') },
    ];
    modes.sort((a, b) => (a.mode === preset ? -1 : b.mode === preset ? 1 : 0));
    const mode = await vscode.window.showQuickPick(modes, { title: vscode.l10n.t('Export Dataset (4/5): images') });
    if (!mode) return cancelled();
    settings.images = mode.mode;
  }
  if (automation?.includeEmpty !== undefined) settings.includeEmpty = automation.includeEmpty;
  if (automation?.vocBoundary !== undefined) settings.vocBoundary = automation.vocBoundary;
  if (automation?.objectMasks !== undefined) settings.objectMasks = automation.objectMasks;

  // Output folder.
  let outDir: string;
  if (automation?.out !== undefined) outDir = path.resolve(root, automation.out);
  else if (automation && config.out !== undefined) outDir = path.resolve(root, config.out);
  else if (automation) throw new Error(vscode.l10n.t('Export needs an output folder ("out").'));
  else {
    // A typed folder, not a folder dialog: the dialog cannot create a folder, and it offered the
    // workspace folder itself, which the export refuses. Created by the export if missing.
    const suggested = config.out ?? 'dataset';
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('Export Dataset (5/5): output folder'),
      prompt: vscode.l10n.t('Folder for the dataset, relative to the workspace folder or absolute; created if it does not exist'),
      value: suggested,
      validateInput: (v) => {
        const problem = outputFolderProblem(root, v);
        return problem && vscode.l10n.t(problem);
      },
    });
    if (typed === undefined) return cancelled();
    outDir = resolveOutputFolder(root, typed);
    // Warn only about what this export will replace: its formats' folders and its report.
    const formats = resolveExportOptions(config, settings).formats;
    const replaced = await outputsReplaced(outDir, formats);
    if (replaced.length > 0) {
      const go = vscode.l10n.t('Export');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} already holds {1} from an earlier export: the files of this export replace them.', outDir, replaced.join(', ')),
        { modal: true },
        go,
      );
      if (answer !== go) return cancelled();
    }
  }
  // Validate everything (and the config) before showing progress.
  const { options } = await resolveExportRun({ workspaceDir: root, settings, outDir });

  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting dataset ({0})', options.formats.join(', ')), cancellable: true },
    async (progress, token) =>
      (await runExport({ workspaceDir: root, settings, outDir, labelsFile: labelsFileFor(folder), progress: notificationSink(progress, token) })).summary,
  );
  const warnings = formatWarnings(summary.warnings);
  log().info(`Export to ${outDir}: ${summary.images} images, ${summary.objects} objects, ${options.formats.join(', ')} (${summary.seconds.toFixed(1)} s)`);
  for (const w of warnings) log().warn(`export: ${w}`);
  if (automation) return summary;
  if (summary.cancelled) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Export cancelled.'));
    return summary;
  }
  const splits = Object.entries(summary.perSplit).map(([k, v]) => `${k} ${v}`).join(', ');
  const text = vscode.l10n.t('Exported {0} images ({1} objects) to {2}: {3}.', summary.images, summary.objects, path.basename(outDir), splits);
  // Short button labels: a toast has one row of buttons, about 450 px wide, and three long ones
  // were cut off (issue 30; test/e2e/ui/export.test.mjs checks that they fit).
  const reveal = vscode.l10n.t('Reveal Folder');
  const show = vscode.l10n.t('Show Warnings');
  const save = vscode.l10n.t('Save as Defaults');
  const buttons = warnings.length ? [show, reveal, save] : [reveal, save];
  const answer = warnings.length
    ? await vscode.window.showWarningMessage(`${text} ${warnings.length === 1 ? `${warnings[0]}.` : vscode.l10n.t('{0} kinds of warnings.', warnings.length)}`, ...buttons)
    : await vscode.window.showInformationMessage(text, ...buttons);
  if (answer === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(outDir));
  if (answer === show) log().show(true);
  if (answer === save) {
    // The same choices for the next palette export and for `npx edgeflow export` in CI.
    const rel = path.relative(root, outDir);
    const out = rel.startsWith('..') || path.isAbsolute(rel) ? outDir : rel.split(path.sep).join('/');
    const file = vscode.Uri.file(path.join(root, ...EXPORT_CONFIG_PATH.split('/')));
    await vscode.workspace.fs.writeFile(file, Buffer.from(serializeExportConfig(options, out), 'utf8'));
    await vscode.window.showTextDocument(file);
  }
  return summary;
}

function activeImage(): vscode.Uri | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  return tab?.input instanceof vscode.TabInputCustom ? tab.input.uri : undefined;
}

/** Workspace-relative path of `p`; throws when it is outside the workspace folder. */
function relativeInside(root: string, p: string): string {
  const rel = path.relative(root, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(vscode.l10n.t('{0} is outside the workspace folder.', p));
  return normaliseInclude(rel.split(path.sep).join('/'));
}

async function importCommand(arg: unknown): Promise<ImportSummary | undefined> {
  const automation = isOptions(arg) ? (arg as unknown as ImportCommandOptions) : undefined;
  const folder = await pickWorkspaceFolder(arg instanceof vscode.Uri ? arg : undefined, automation?.workspaceFolder);
  if (!folder) return undefined;
  const root = folder.uri.fsPath;
  let from: string;
  if (automation) {
    if (typeof automation.from !== 'string' || automation.from === '') throw new Error(vscode.l10n.t('Import needs "from": a COCO file or a labelme/VOC folder.'));
    from = path.resolve(root, automation.from);
  } else if (arg instanceof vscode.Uri) {
    from = arg.fsPath;
  } else {
    const kinds = [
      { id: 'coco', label: vscode.l10n.t('COCO dataset JSON…'), description: vscode.l10n.t('polygons and RLE') },
      { id: 'labelme', label: vscode.l10n.t('Folder of labelme JSON files…') },
      { id: 'voc', label: vscode.l10n.t('PASCAL VOC folder…'), description: vscode.l10n.t('SegmentationObject (+ SegmentationClass) PNGs') },
    ];
    const kind = await vscode.window.showQuickPick(kinds, { title: vscode.l10n.t('Import Annotations: source') });
    if (!kind) return cancelled();
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: kind.id === 'coco',
      canSelectFolders: kind.id !== 'coco',
      canSelectMany: false,
      defaultUri: folder.uri,
      filters: kind.id === 'coco' ? { 'COCO JSON': ['json'] } : undefined,
      openLabel: vscode.l10n.t('Import'),
    });
    if (!picked?.length) return cancelled();
    from = picked[0].fsPath;
  }
  const labelsFile = labelsFileFor(folder);
  const run = (overwrite: boolean) =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Importing annotations'), cancellable: true },
      (progress, token) =>
        runImport({ workspaceDir: root, from, overwrite, imagesDir: automation?.imagesDir, labelsFile, progress: notificationSink(progress, token), generator: 'EdgeFlow Annotator import' }),
    );
  let summary = await run(automation?.overwrite ?? false);
  if (!automation && summary.existing > 0 && !summary.cancelled) {
    const overwrite = vscode.l10n.t('Overwrite');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} images already have annotations. Replace their sidecars with the imported ones?', summary.existing),
      { modal: true },
      overwrite,
    );
    if (answer === overwrite) summary = await run(true);
  }
  log().info(`Import (${summary.kind}) from ${from}: ${summary.written} sidecars, ${summary.objects} objects, ${summary.existing} kept`);
  for (const w of formatWarnings(summary.warnings)) log().warn(`import: ${w}`);
  if (automation) return summary;
  const text = vscode.l10n.t('Imported {0} annotations into {1} sidecars.', summary.objects, summary.written) +
    (summary.addedLabels.length ? ' ' + vscode.l10n.t('New classes: {0}.', summary.addedLabels.join(', ')) : '') +
    (summary.existing && summary.written === 0 ? ' ' + vscode.l10n.t('{0} existing sidecars kept.', summary.existing) : '');
  const show = vscode.l10n.t('Show Warnings');
  const answer = summary.warnings.length ? await vscode.window.showWarningMessage(text, show) : await vscode.window.showInformationMessage(text);
  if (answer === show) log().show(true);
  return summary;
}
