/**
 * Click segmentation on the extension host: one `SegmentController` per editor panel turns the
 * webview's segmentation messages into Predictor calls and posts the probabilities back; one
 * `InferenceService` per extension holds the shared session pool, resolves `edgeflow.model`,
 * shows the device and the last click's time in the status bar, and says once, in plain words,
 * when a GPU could not be used.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MultiPolygonXY } from '../../shared/annotation';
import type { SegmentHostMessage, SegmentWebviewMessage } from '../../shared/inference/segmentProtocol';
import type { AnnotationDocument } from '../annotationDocument';
import { log } from '../log';
import { explainModelError } from '../modelCheck';
import { isModelPath, modelFileAllowedUntrusted, restrictedSettingMessage, settingFromSettingsText, trustedSetting } from '../trust';
import { decodeWorkingImage } from './decode';
import type { DeviceSetting, SessionInfo } from './messages';
import { Predictor } from './predictor';
import { SessionPool } from './sessionPool';

/**
 * A panel gives its predictor (decoded image, and with the last panel the model session) back
 * after this long without segmentation activity, unless an object is in progress.
 */
export const PREDICTOR_IDLE_MS = 30_000;

/** The shipped default model (models/<name>.onnx inside the extension). */
export const DEFAULT_MODEL_NAME = 'edgeflow-mobilenetv2';

const DEVICES: readonly DeviceSetting[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml'];
const DEVICE_WORDS: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA GPU', dml: 'DirectML GPU', coreml: 'Core ML' };

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
  /** A workspace `edgeflow.model` that Restricted Mode made us ignore (the user is told). */
  ignoredModel?: string;
}

/**
 * Reads the inference settings for a resource. In an untrusted workspace (`trusted` false) a
 * model named by the workspace's own settings is not loaded: the user's setting or the shipped
 * model is, and `ignoredModel` says what was ignored.
 */
export function readInferenceSettings(scope?: vscode.Uri, trusted = vscode.workspace.isTrusted): InferenceSettings {
  const c = vscode.workspace.getConfiguration('edgeflow', scope);
  const chosen = trustedSetting(c.inspect<string>('model'), trusted);
  let model = chosen.value ?? DEFAULT_MODEL_NAME;
  if (!trusted && !chosen.ignored) {
    // VS Code itself hides a restricted setting's workspace value in Restricted Mode: read it to
    // say why it is not used.
    const hidden = workspaceSettingFromFiles('edgeflow.model', scope);
    if (typeof hidden === 'string' && hidden.trim() && hidden.trim() !== model) chosen.ignored = { value: hidden.trim(), scope: 'workspace' };
  }
  if (!trusted && typeof model === 'string' && isModelPath(model)) {
    // Even the user's own setting must not load a file of the untrusted workspace (a relative
    // path resolves into it).
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    if (!modelFileAllowedUntrusted(model, folders, process.env.HOME ?? '')) {
      chosen.ignored = { value: model, scope: 'workspace' };
      model = DEFAULT_MODEL_NAME;
    }
  }
  const device = c.get<string>('inference.device', 'auto');
  const size = c.get<number>('inference.targetSize', 400);
  const mirror = c.get<boolean>('inference.mirrorAveraging', true);
  return {
    model: typeof model === 'string' && model.trim() ? model.trim() : DEFAULT_MODEL_NAME,
    device: (DEVICES as readonly string[]).includes(device) ? (device as DeviceSetting) : 'auto',
    targetSize: typeof size === 'number' && Number.isFinite(size) ? Math.round(Math.min(1024, Math.max(128, size))) : 400,
    mirror: mirror !== false,
    ...(chosen.ignored && typeof chosen.ignored.value === 'string' ? { ignoredModel: chosen.ignored.value } : {}),
  };
}

/** A setting's value in the workspace's own settings files (folder, then .code-workspace), if any. */
function workspaceSettingFromFiles(key: string, scope?: vscode.Uri): unknown {
  const read = (file: string, isWorkspaceFile: boolean): unknown => {
    try {
      return settingFromSettingsText(readFileSync(file, 'utf8'), key, isWorkspaceFile);
    } catch {
      return undefined;
    }
  };
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
  const fromFolder = folder?.uri.scheme === 'file' ? read(path.join(folder.uri.fsPath, '.vscode', 'settings.json'), false) : undefined;
  if (fromFolder !== undefined) return fromFolder;
  const ws = vscode.workspace.workspaceFile;
  return ws?.scheme === 'file' ? read(ws.fsPath, true) : undefined;
}

/** Extension-wide inference state. */
export class InferenceService implements vscode.Disposable {
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
        if (e.affectsConfiguration('edgeflow.model') || e.affectsConfiguration('edgeflow.inference')) this._onDidChangeSettings.fire();
      }),
      // Granting trust makes the workspace's model setting apply: reopen predictors.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this._onDidChangeSettings.fire()),
    );
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
    log().warn(info.fallbackDetail ? `${info.fallback} ${info.fallbackDetail}` : info.fallback);
    const key = `${settings.device}|${settings.model}`;
    if (this.toldFallback.has(key)) return;
    this.toldFallback.add(key);
    // With `auto` on a machine without any GPU provider, or whose GPU provider's libraries are not
    // installed (the CUDA libraries ship apart from onnxruntime-node), the status bar says "CPU";
    // a popup would only nag. A GPU provider that loaded but failed is worth saying.
    const noGpu = /offers no GPU provider/.test(info.fallback) || /Failed to load shared library/i.test(info.fallbackDetail ?? '');
    if (settings.device !== 'auto' || !noGpu) {
      void vscode.window.showWarningMessage(info.fallback);
    }
  }

  /** Shows the device and the last click's time (undefined ms: ready, no click yet). */
  showStatus(device: string, ms: number | undefined, runMs?: number): void {
    const words = DEVICE_WORDS[device] ?? device;
    this.statusBar.text = ms === undefined ? `$(sparkle) ${words}` : `$(sparkle) ${words} · ${Math.round(ms)} ms`;
    this.statusBar.tooltip = ms === undefined
      ? vscode.l10n.t('Click segmentation runs on the {0}.', words)
      : vscode.l10n.t('Click segmentation runs on the {0}. Last click: {1} ms ({2} ms in the model).', words, Math.round(ms), Math.round(runMs ?? 0));
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

let service: InferenceService | undefined;

/** Creates the extension-wide inference service (call once from activate). */
export function registerInference(context: vscode.ExtensionContext): vscode.Disposable {
  service = new InferenceService(context.extensionUri);
  const s = service;
  return new vscode.Disposable(() => {
    s.dispose();
    if (service === s) service = undefined;
  });
}

/** A model failure already put in words for the user (the log has the details). */
class ModelFailure extends Error {}

/** What the controller needs from its editor panel. */
export interface SegmentPanelHost {
  readonly document: AnnotationDocument;
  readonly panel: vscode.WebviewPanel;
  post(message: SegmentHostMessage): void;
}

/** Click segmentation for one editor panel. */
export class SegmentController implements vscode.Disposable {
  private predictor: Promise<Predictor> | undefined;
  private settings: InferenceSettings | undefined;
  private session = -1;
  /** Clicks were sent in the current session (an object is in progress). */
  private clicking = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private device = 'cpu';
  private lastMs: number | undefined;
  private lastRunMs: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: SegmentPanelHost) {
    if (service) {
      this.disposables.push(service.onDidChangeSettings(() => this.closePredictor()));
    }
    this.disposables.push(host.panel.onDidChangeViewState((e) => this.updateStatusBar(e.webviewPanel.active)));
  }

  private updateStatusBar(active: boolean): void {
    if (!service) return;
    if (active && this.predictor) service.showStatus(this.device, this.lastMs, this.lastRunMs);
    else service.hideStatus();
  }

  /** (Re)starts the idle countdown after any segmentation activity. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.clicking) return; // never drop an object in progress
      if (this.predictor) log().info('click segmentation: idle, releasing the predictor');
      this.closePredictor();
      if (this.host.panel.active) service?.hideStatus();
    }, PREDICTOR_IDLE_MS);
    this.idleTimer.unref?.();
  }

  private closePredictor(): void {
    const p = this.predictor;
    this.predictor = undefined;
    p?.then((x) => x.dispose(), () => undefined);
  }

  /** The panel's Predictor, opened on first use (decode once, session shared). */
  private open(): Promise<Predictor> {
    if (this.predictor) return this.predictor;
    const svc = service;
    if (!svc) return Promise.reject(new Error('click segmentation is not initialised'));
    const doc = this.host.document;
    const settings = readInferenceSettings(doc.uri);
    this.settings = settings;
    const session = this.session;
    this.host.post({ type: 'segmentStatus', session, state: 'loading' });
    svc.reportRestricted(settings);
    const p = (async () => {
      const model = svc.resolveModel(settings, doc.uri);
      const input = doc.uri.scheme === 'file' ? doc.uri.fsPath : Buffer.from(await vscode.workspace.fs.readFile(doc.uri));
      // Very large images are segmented on a downscaled working copy; predictions come back in full-image pixels.
      const { image, working } = await decodeWorkingImage(input);
      if (working.fullWidth !== doc.image.width || working.fullHeight !== doc.image.height) {
        throw new Error(vscode.l10n.t('The image decodes as {0}x{1} but the editor shows {2}x{3}.', working.fullWidth, working.fullHeight, doc.image.width, doc.image.height));
      }
      let predictor: Predictor;
      let info: SessionInfo;
      try {
        predictor = await Predictor.open(svc.pool, image, { modelPath: model, device: settings.device, targetSize: settings.targetSize, mirror: settings.mirror, working });
        info = await predictor.info;
      } catch (e) {
        log().error(`click segmentation: loading ${model} failed: ${(e as Error).stack ?? e}`);
        // The setting's own words (a name or the path as typed) read better than the resolved path.
        throw new ModelFailure(explainModelError('load', settings.model, e as Error, 'edgeflow.model', vscode.l10n.t));
      }
      this.device = info.provider;
      svc.reportFallback(settings, info);
      log().info(`click segmentation: ${path.basename(model)} on ${info.provider} (load ${info.loadMs.toFixed(0)} ms, warm-up ${info.warmupMs.toFixed(0)} ms)`);
      this.host.post({ type: 'segmentStatus', session: this.session, state: 'ready', device: DEVICE_WORDS[info.provider] ?? info.provider, message: info.fallback });
      if (this.host.panel.active) svc.showStatus(this.device, this.lastMs, this.lastRunMs);
      return predictor;
    })();
    this.predictor = p;
    p.catch(() => {
      if (this.predictor === p) this.predictor = undefined;
    });
    return p;
  }

  /** Handles a validated segmentation message from the webview. */
  handle(m: SegmentWebviewMessage): void {
    void this.handleAsync(m).catch((e: Error) => {
      if (!(e instanceof ModelFailure)) log().error(`click segmentation: ${e.stack ?? e.message}`);
      // A failed model load or run, or a stopped worker: start afresh on the next click (after
      // the user fixed the setting, without reloading the window).
      this.closePredictor();
      // Shown in the editor (the click panel's status and a notice), not only in the log.
      this.host.post({ type: 'segmentStatus', session: m.session, state: 'error', message: e.message });
    });
  }

  private async handleAsync(m: SegmentWebviewMessage): Promise<void> {
    const doc = this.host.document;
    this.touch();
    switch (m.type) {
      case 'segmentStart': {
        this.session = m.session;
        // A refinement holds the object's mask as its starting state: keep it until it ends.
        this.clicking = m.refineObjectId !== null;
        let regions: MultiPolygonXY | null = null;
        if (m.refineObjectId !== null) {
          const obj = doc.model.getObject(m.refineObjectId);
          if (!obj) throw new Error(vscode.l10n.t('Object {0} no longer exists.', m.refineObjectId));
          regions = obj.regions;
        }
        const p = await this.open();
        if (m.session !== this.session) return;
        // Rasterised at the size the worker holds (a very large image's working copy is smaller).
        await p.startObjectFrom(regions);
        return;
      }
      case 'segmentClicks': {
        if (m.session !== this.session) return; // a click of an abandoned session
        this.clicking = m.clicks.length > 0 || m.undo;
        const { width, height } = doc.image;
        for (const c of m.clicks) {
          if (c.x < 0 || c.y < 0 || c.x >= width || c.y >= height) throw new Error(vscode.l10n.t('A click at ({0}, {1}) is outside the image.', c.x.toFixed(1), c.y.toFixed(1)));
        }
        const t0 = Date.now();
        const p = await this.open();
        this.host.post({ type: 'segmentStatus', session: m.session, state: 'busy', device: DEVICE_WORDS[this.device] ?? this.device });
        let r: Awaited<ReturnType<Predictor['predict']>>;
        try {
          r = m.undo ? await p.rewind(m.clicks) : await p.predict(m.clicks);
        } catch (e) {
          log().error(`click segmentation: the model failed on a click: ${(e as Error).stack ?? e}`);
          throw new ModelFailure(explainModelError('run', this.settings?.model ?? 'in use', e as Error, 'edgeflow.model', vscode.l10n.t));
        }
        if (!r || m.session !== this.session) return; // superseded: never drawn
        const ms = Date.now() - t0;
        if (!m.undo) {
          this.lastMs = ms;
          this.lastRunMs = r.timings.runMs;
        }
        if (this.host.panel.active) service?.showStatus(this.device, this.lastMs, this.lastRunMs);
        const data = r.data.byteOffset === 0 && r.data.byteLength === r.data.buffer.byteLength ? (r.data.buffer as ArrayBuffer) : (r.data.slice().buffer as ArrayBuffer);
        this.host.post({ type: 'segmentResult', session: m.session, clickCount: r.clickCount, box: r.box, data, ms, ...(r.sample ? { sample: r.sample } : {}) });
        this.host.post({ type: 'segmentStatus', session: m.session, state: 'ready', device: DEVICE_WORDS[this.device] ?? this.device });
        return;
      }
      case 'segmentEnd':
        if (m.session === this.session) {
          this.session = -1;
          this.clicking = false;
        }
        return;
    }
  }

  dispose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const d of this.disposables) d.dispose();
    this.closePredictor();
  }
}
