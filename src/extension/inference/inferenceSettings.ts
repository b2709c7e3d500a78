/**
 * The inference settings (`edgeflow.model`, `edgeflow.inference.*`): their typed mirror, their one
 * reader, and which configuration changes touch them. The reader takes `vscode.workspace` as a
 * parameter (only types come from `vscode`), so unit tests give it a fake configuration.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { isModelPath, modelFileAllowedUntrusted, settingFromSettingsText, trustedSetting } from '../trust';
import type { DeviceSetting } from './messages';

/** The shipped default model (models/<name>.onnx inside the extension). */
export const DEFAULT_MODEL_NAME = 'edgeflow-mobilenetv2';

/** The values `edgeflow.inference.device` may take. */
export const INFERENCE_DEVICES: readonly DeviceSetting[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml'];

/** Typed mirror of the inference settings. */
export interface InferenceSettings {
  /** `edgeflow.model`: a shipped model name or a path to an ONNX file following models/README.md. */
  model: string;
  /** `edgeflow.inference.device`. */
  device: DeviceSetting;
  /** `edgeflow.inference.targetSize`: longer side of the model input. */
  targetSize: number;
  /** `edgeflow.inference.mirrorAveraging`: the contract's mirror averaging (two runs per click). */
  mirror: boolean;
  /**
   * `edgeflow.inference.keepModelLoaded`: the model stays loaded while any editor is open and each
   * image is made ready for clicks when it opens (issue 31); off: loaded at the first click and
   * given back after 30 s without clicks.
   */
  keepLoaded: boolean;
  /** A workspace `edgeflow.model` that Restricted Mode made us ignore (the user is told). */
  ignoredModel?: string;
}

/** What the reader needs of `vscode.workspace`, which fits as it is. */
export interface SettingsWorkspace {
  readonly isTrusted: boolean;
  readonly workspaceFolders: readonly { readonly uri: vscode.Uri }[] | undefined;
  readonly workspaceFile: vscode.Uri | undefined;
  getConfiguration(section: string, scope?: vscode.Uri): Pick<vscode.WorkspaceConfiguration, 'get' | 'inspect'>;
  getWorkspaceFolder(uri: vscode.Uri): { readonly uri: vscode.Uri } | undefined;
}

/** The process around the reader (tests replace it). */
export interface SettingsEnvironment {
  /** The home folder `~` stands for. */
  home: string;
  /** A file's text (throws when it cannot be read). */
  readText(file: string): string;
}

const processEnvironment = (): SettingsEnvironment => ({ home: process.env.HOME ?? '', readText: (file) => readFileSync(file, 'utf8') });

/**
 * Reads the inference settings for a resource. In an untrusted workspace (`trusted` false) a
 * model named by the workspace's own settings is not loaded: the user's setting or the shipped
 * model is, and `ignoredModel` says what was ignored.
 */
export function readInferenceSettings(
  workspace: SettingsWorkspace,
  scope?: vscode.Uri,
  trusted = workspace.isTrusted,
  env: SettingsEnvironment = processEnvironment(),
): InferenceSettings {
  const c = workspace.getConfiguration('edgeflow', scope);
  const chosen = trustedSetting(c.inspect<string>('model'), trusted);
  let model = chosen.value ?? DEFAULT_MODEL_NAME;
  if (!trusted && !chosen.ignored) {
    // VS Code itself hides a restricted setting's workspace value in Restricted Mode: read it to
    // say why it is not used.
    const hidden = workspaceSettingFromFiles(workspace, env, 'edgeflow.model', scope);
    if (typeof hidden === 'string' && hidden.trim() && hidden.trim() !== model) chosen.ignored = { value: hidden.trim(), scope: 'workspace' };
  }
  if (!trusted && typeof model === 'string' && isModelPath(model)) {
    // Even the user's own setting must not load a file of the untrusted workspace (a relative
    // path resolves into it).
    const folders = (workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    if (!modelFileAllowedUntrusted(model, folders, env.home)) {
      chosen.ignored = { value: model, scope: 'workspace' };
      model = DEFAULT_MODEL_NAME;
    }
  }
  const device = c.get<string>('inference.device', 'auto');
  const size = c.get<number>('inference.targetSize', 400);
  const mirror = c.get<boolean>('inference.mirrorAveraging', true);
  const keepLoaded = c.get<boolean>('inference.keepModelLoaded', true);
  return {
    model: typeof model === 'string' && model.trim() ? model.trim() : DEFAULT_MODEL_NAME,
    device: (INFERENCE_DEVICES as readonly string[]).includes(device) ? (device as DeviceSetting) : 'auto',
    targetSize: typeof size === 'number' && Number.isFinite(size) ? Math.round(Math.min(1024, Math.max(128, size))) : 400,
    mirror: mirror !== false,
    keepLoaded: keepLoaded !== false,
    ...(chosen.ignored && typeof chosen.ignored.value === 'string' ? { ignoredModel: chosen.ignored.value } : {}),
  };
}

/** Whether a configuration change touches the inference settings (predictors must reopen). */
export function affectsInferenceSettings(e: Pick<vscode.ConfigurationChangeEvent, 'affectsConfiguration'>): boolean {
  return e.affectsConfiguration('edgeflow.model') || e.affectsConfiguration('edgeflow.inference');
}

/** A setting's value in the workspace's own settings files (folder, then .code-workspace), if any. */
function workspaceSettingFromFiles(workspace: SettingsWorkspace, env: SettingsEnvironment, key: string, scope?: vscode.Uri): unknown {
  const read = (file: string, isWorkspaceFile: boolean): unknown => {
    try {
      return settingFromSettingsText(env.readText(file), key, isWorkspaceFile);
    } catch {
      return undefined;
    }
  };
  const folder = scope ? workspace.getWorkspaceFolder(scope) : workspace.workspaceFolders?.[0];
  const fromFolder = folder?.uri.scheme === 'file' ? read(path.join(folder.uri.fsPath, '.vscode', 'settings.json'), false) : undefined;
  if (fromFolder !== undefined) return fromFolder;
  const ws = workspace.workspaceFile;
  return ws?.scheme === 'file' ? read(ws.fsPath, true) : undefined;
}
