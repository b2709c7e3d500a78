/**
 * Click segmentation on the extension host: one `SegmentController` per editor panel turns the
 * webview's segmentation messages into Predictor calls and posts the probabilities back. What it
 * shares with other panels (session pool, settings, status bar, one-time notices) comes in as
 * `SegmentServices`, injected by the provider (the extension passes its `InferenceService`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MultiPolygonXY } from '../../shared/annotation';
import type { SegmentHostMessage, SegmentWebviewMessage } from '../../shared/inference/segmentProtocol';
import type { AnnotationDocument } from '../annotationDocument';
import { log } from '../log';
import { explainModelError } from '../modelCheck';
import { decodeWorkingImage } from './decode';
import { deviceWords } from './inferenceService';
import type { InferenceSettings } from './inferenceSettings';
import type { SessionInfo } from './messages';
import { Predictor } from './predictor';
import type { InferenceSessionHandle, SessionPool } from './sessionPool';

/**
 * A panel gives its predictor (decoded image, and with the last panel the model session) back
 * after this long without segmentation activity, unless an object is in progress.
 */
export const PREDICTOR_IDLE_MS = 30_000;

/** What a controller uses of the extension-wide inference service. */
export interface SegmentServices {
  /** Model sessions shared by every panel. */
  readonly pool: SessionPool;
  /** Model or device settings changed: predictors must be reopened. */
  readonly onDidChangeSettings: vscode.Event<void>;
  /** The inference settings for a document. */
  readSettings(scope: vscode.Uri): InferenceSettings;
  /** Says (once) that Restricted Mode made a workspace model setting be ignored. */
  reportRestricted(settings: InferenceSettings): void;
  /** Absolute path of the model for a document; throws with a readable message when missing. */
  resolveModel(settings: InferenceSettings, documentUri: vscode.Uri): string;
  /** Says (once) that a GPU could not be used. */
  reportFallback(settings: InferenceSettings, info: SessionInfo): void;
  /** Shows the device and the last click's time in the status bar. */
  showStatus(device: string, ms: number | undefined, runMs?: number): void;
  /** Shows that click segmentation failed (the message in the tooltip) instead of a stale time. */
  showError(message: string): void;
  hideStatus(): void;
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
  /** The model session this editor holds while `keepLoaded` (released when it closes). */
  private lease: InferenceSessionHandle | undefined;
  private disposed = false;
  private device = 'cpu';
  private lastMs: number | undefined;
  private lastRunMs: number | undefined;
  /** The last model failure, until a model loads or a click succeeds (the status bar shows it). */
  private error: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: SegmentPanelHost,
    private readonly service: SegmentServices,
    private readonly idleMs = PREDICTOR_IDLE_MS,
  ) {
    this.disposables.push(
      service.onDidChangeSettings(() => {
        this.closePredictor();
        this.releaseLease();
        if (this.host.panel.visible) this.preload();
      }),
    );
    this.disposables.push(
      host.panel.onDidChangeViewState((e) => {
        this.updateStatusBar(e.webviewPanel.active);
        // Shown again: ready before the first click; hidden: the image may go after the idle time.
        if (e.webviewPanel.visible) this.preload();
        else this.touch();
      }),
    );
  }

  /**
   * With `edgeflow.inference.keepModelLoaded` (the default), opens the predictor now, in the
   * background, so the first click finds the model loaded and warm and the image decoded
   * (issue 31). A failure here is not shown: the first click tries again and says why.
   */
  preload(): void {
    if (this.predictor || this.disposed) return;
    let keep: boolean;
    try {
      keep = this.service.readSettings(this.host.document.uri).keepLoaded;
    } catch {
      return;
    }
    if (!keep) return;
    this.open(true).then(
      () => this.touch(),
      // open() already forgot the failed predictor, so the first click tries again.
      (e: Error) => log().info(`click segmentation: preparing ${path.basename(this.host.document.uri.fsPath)} failed (the first click will say why): ${e.message}`),
    );
  }

  private releaseLease(): void {
    const l = this.lease;
    this.lease = undefined;
    if (l) this.service.pool.release(l);
  }

  private updateStatusBar(active: boolean): void {
    if (active && this.error !== undefined) this.service.showError(this.error);
    else if (active && this.predictor) this.service.showStatus(this.device, this.lastMs, this.lastRunMs);
    else this.service.hideStatus();
  }

  /** (Re)starts the idle countdown after any segmentation activity. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.clicking) return; // never drop an object in progress
      // Kept loaded: a visible editor keeps its image ready; the model stays while it is open.
      if (this.settings?.keepLoaded && this.host.panel.visible) return;
      if (this.predictor) log().info('click segmentation: idle, releasing the predictor');
      this.closePredictor();
      if (this.host.panel.active && this.error === undefined) this.service.hideStatus();
    }, this.idleMs);
    this.idleTimer.unref?.();
  }

  private closePredictor(): void {
    const p = this.predictor;
    this.predictor = undefined;
    p?.then((x) => x.dispose(), () => undefined);
  }

  /** The panel's Predictor, opened on first use (decode once, session shared). */
  private open(preloading = false): Promise<Predictor> {
    if (this.predictor) return this.predictor;
    const svc = this.service;
    const doc = this.host.document;
    const settings = svc.readSettings(doc.uri);
    this.settings = settings;
    // A preload speaks for the editor's model (session -1), not for a click session: the webview
    // takes it only while no object is busy or failed (a failed one keeps its error and Retry).
    const session = preloading ? -1 : this.session;
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
      // Kept loaded: this editor holds the model's session until it closes, so images opened
      // later, and this one after its image was given back, never wait for a load or warm-up.
      if (settings.keepLoaded && !this.lease && !this.disposed) this.lease = svc.pool.acquire(model, settings.device);
      svc.reportFallback(settings, info);
      log().info(`click segmentation: ${path.basename(model)} on ${info.provider} (load ${info.loadMs.toFixed(0)} ms, warm-up ${info.warmupMs.toFixed(0)} ms)`);
      this.host.post({ type: 'segmentStatus', session: preloading ? -1 : this.session, state: 'ready', device: deviceWords(info.provider), message: info.fallback });
      this.error = undefined;
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
      this.releaseLease();
      // Shown in the editor (the click panel's status and a notice), not only in the log, and in
      // the status bar instead of the last good click's time.
      this.host.post({ type: 'segmentStatus', session: m.session, state: 'error', message: e.message });
      this.error = e.message;
      if (this.host.panel.active) this.service.showError(e.message);
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
        this.host.post({ type: 'segmentStatus', session: m.session, state: 'busy', device: deviceWords(this.device) });
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
        this.error = undefined;
        if (this.host.panel.active) this.service.showStatus(this.device, this.lastMs, this.lastRunMs);
        const data = r.data.byteOffset === 0 && r.data.byteLength === r.data.buffer.byteLength ? (r.data.buffer as ArrayBuffer) : (r.data.slice().buffer as ArrayBuffer);
        this.host.post({ type: 'segmentResult', session: m.session, clickCount: r.clickCount, box: r.box, data, ms, ...(r.sample ? { sample: r.sample } : {}) });
        this.host.post({ type: 'segmentStatus', session: m.session, state: 'ready', device: deviceWords(this.device) });
        return;
      }
      case 'segmentStroke':
      case 'segmentUndoStroke':
        return this.handleStroke(m);
      case 'segmentEnd':
        if (m.session === this.session) {
          this.session = -1;
          this.clicking = false;
        }
        return;
    }
  }

  /**
   * Brush strokes of the session (issue 30): the worker's state keeps them through later clicks.
   * Nothing is posted back: the webview drew the stroke itself.
   */
  private async handleStroke(m: Extract<SegmentWebviewMessage, { type: 'segmentStroke' | 'segmentUndoStroke' }>): Promise<void> {
    if (m.session !== this.session) return;
    this.clicking = true; // the strokes are the object in progress
    const p = await this.open();
    if (m.session !== this.session) return;
    if (m.type === 'segmentUndoStroke') {
      const r = await p.undoStroke();
      if (!r || m.session !== this.session) return; // a later click answers instead
      const data = r.data.slice().buffer as ArrayBuffer;
      this.host.post({ type: 'segmentResult', session: m.session, clickCount: r.clickCount, box: r.box, data, ms: 0, ...(r.sample ? { sample: r.sample } : {}) });
      return;
    }
    const { width, height } = this.host.document.image;
    // A stroke may start or end a little outside the image (a drag over its edge); far out is a bug.
    const s = m.stroke, margin = s.radius + Math.max(width, height);
    for (let i = 0; i < s.points.length; i += 2) {
      if (s.points[i] < -margin || s.points[i + 1] < -margin || s.points[i] > width + margin || s.points[i + 1] > height + margin) {
        throw new Error(vscode.l10n.t('A brush stroke at ({0}, {1}) is far outside the image.', s.points[i].toFixed(1), s.points[i + 1].toFixed(1)));
      }
    }
    return p.stroke(s);
  }

  dispose(): void {
    this.disposed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const d of this.disposables) d.dispose();
    this.closePredictor();
    this.releaseLease();
  }
}
