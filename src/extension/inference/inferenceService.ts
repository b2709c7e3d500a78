/**
 * The extension-wide side of click segmentation: one `InferenceService` holds the session pool
 * shared by every editor, reads the inference settings and says when they change, resolves
 * `edgeflow.model` to a file, shows the device and the last click's time in the status bar, and
 * says once, in plain words, when a GPU or a workspace's model setting could not be used.
 * Editor panels get it by injection (segmentController.ts's `SegmentServices`).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { log } from '../log';
import { openSettingCommand } from '../openSetting';
import { isModelPath, restrictedSettingMessage } from '../trust';
import { settingInMessage } from '../../shared/inference/settingInMessage';
import { DEFAULT_MODEL_NAME, InferenceSettings, affectsInferenceSettings, readInferenceSettings } from './inferenceSettings';
import type { SessionInfo } from './messages';
import type { SegmentServices } from './segmentController';
import { SessionPool } from './sessionPool';

const DEVICE_WORDS: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA GPU', dml: 'DirectML GPU', coreml: 'Core ML' };

/** An execution provider in words ("CUDA GPU"). */
export function deviceWords(provider: string): string {
  return DEVICE_WORDS[provider] ?? provider;
}

/** Extension-wide inference state. */
export class InferenceService implements SegmentServices, vscode.Disposable {
  readonly pool: SessionPool;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly toldFallback = new Set<string>();
  private readonly toldRestricted = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly _onDidChangeSettings = new vscode.EventEmitter<void>();
  /** Model or device settings changed: predictors must be reopened. */
  readonly onDidChangeSettings = this._onDidChangeSettings.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.pool = new SessionPool(vscode.Uri.joinPath(extensionUri, 'dist', 'extension', 'inferenceWorker.js').fsPath);
    this.statusBar = vscode.window.createStatusBarItem('edgeflow.inference', vscode.StatusBarAlignment.Right, 99);
    this.statusBar.name = vscode.l10n.t('EdgeFlow Click Segmentation');
    this.disposables.push(
      this.statusBar,
      this._onDidChangeSettings,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsInferenceSettings(e)) this._onDidChangeSettings.fire();
      }),
      // Granting trust makes the workspace's model setting apply: reopen predictors.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this._onDidChangeSettings.fire()),
    );
  }

  /**
   * The inference settings for a resource (the Workspace Trust state injectable for the
   * extension-host suite; see EdgeflowApi.settings).
   */
  readSettings(scope?: vscode.Uri, trusted = vscode.workspace.isTrusted): InferenceSettings {
    return readInferenceSettings(vscode.workspace, scope, trusted);
  }

  /** Says once per ignored value why a workspace model setting is not used, with a way to trust. */
  reportRestricted(settings: InferenceSettings): void {
    const ignored = settings.ignoredModel;
    if (ignored === undefined) return;
    const used = settings.model === DEFAULT_MODEL_NAME
      ? vscode.l10n.t('the shipped model ({0})', DEFAULT_MODEL_NAME)
      : vscode.l10n.t('"{0}" from your user settings', settings.model);
    const text = restrictedSettingMessage('edgeflow.model', ignored, used, vscode.l10n.t);
    log().warn(text);
    if (this.toldRestricted.has(ignored)) return;
    this.toldRestricted.add(ignored);
    const manage = vscode.l10n.t('Manage Workspace Trust');
    void vscode.window.showWarningMessage(text, manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }

  /** Absolute path of the model for a document; throws with a readable message when missing. */
  resolveModel(settings: InferenceSettings, documentUri: vscode.Uri): string {
    const m = settings.model;
    let file: string;
    if (isModelPath(m)) {
      const folder = vscode.workspace.getWorkspaceFolder(documentUri)?.uri.fsPath ?? path.dirname(documentUri.fsPath);
      file = path.resolve(folder, m.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~'));
    } else {
      file = vscode.Uri.joinPath(this.extensionUri, 'models', `${m}.onnx`).fsPath;
    }
    if (!existsSync(file)) {
      throw new Error(vscode.l10n.t('Click segmentation is off: the EdgeFlow model "{0}" was not found ({1}). Set "edgeflow.model" to a shipped model name or to the path of an ONNX file, then click again; the polygon tools keep working.', m, file));
    }
    return file;
  }

  /** Says once per device setting and model, in plain words, that a GPU could not be used. */
  reportFallback(settings: InferenceSettings, info: SessionInfo): void {
    if (!info.fallback) return;
    // Every model load (each model file, and again after the idle release) reports the same
    // fallback: say it once per device setting and model (issue 30: a CUDA warning on every load).
    const key = `${settings.device}|${settings.model}`;
    if (this.toldFallback.has(key)) return;
    this.toldFallback.add(key);
    // With `auto` on a machine without any GPU provider, or whose GPU provider's libraries are not
    // installed (the CUDA libraries ship apart from onnxruntime-node), the status bar says "CPU":
    // the CPU is what this machine has, an info line in the log, no popup. A GPU asked for by name,
    // or one that loaded but failed, is worth a warning.
    const noGpu = /offers no GPU provider/.test(info.fallback) || /Failed to load shared library/i.test(info.fallbackDetail ?? '');
    const line = info.fallbackDetail ? `${info.fallback} ${info.fallbackDetail}` : info.fallback;
    if (settings.device === 'auto' && noGpu) {
      log().info(line);
    } else {
      log().warn(line);
      void vscode.window.showWarningMessage(info.fallback);
    }
  }

  /** Shows the device and the last click's time (undefined ms: ready, no click yet). */
  showStatus(device: string, ms: number | undefined, runMs?: number): void {
    const words = deviceWords(device);
    this.statusBar.text = ms === undefined ? `$(sparkle) ${words}` : `$(sparkle) ${words} · ${Math.round(ms)} ms`;
    this.statusBar.tooltip = ms === undefined
      ? vscode.l10n.t('Click segmentation runs on the {0}.', words)
      : vscode.l10n.t('Click segmentation runs on the {0}. Last click: {1} ms ({2} ms in the model).', words, Math.round(ms), Math.round(runMs ?? 0));
    this.statusBar.backgroundColor = undefined;
    this.statusBar.command = undefined;
    this.statusBar.show();
  }

  /**
   * Says that click segmentation failed, in place of the device and the last good click's time;
   * a click on it opens the setting the message names (else the log).
   */
  showError(message: string): void {
    this.statusBar.text = `$(error) ${vscode.l10n.t('Click segmentation failed')}`;
    this.statusBar.tooltip = message;
    this.statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    const key = settingInMessage(message);
    this.statusBar.command = key
      ? { title: vscode.l10n.t('Open Setting'), ...openSettingCommand(key) }
      : { title: vscode.l10n.t('Show Log'), command: 'edgeflow.showLog' };
    this.statusBar.show();
  }

  hideStatus(): void {
    this.statusBar.hide();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.pool.dispose();
  }
}
