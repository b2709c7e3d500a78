/**
 * One webview showing an `AnnotationDocument`: the host end of the protocol. Posts nothing before
 * the webview's `ready`, validates every incoming message, turns `edit` messages into document
 * edits, answers label requests, and mirrors the webview's UI state into context keys and the
 * status bar while it is the active editor.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EditConflictError } from '../shared/annotation';
import {
  HostToWebview,
  RequestMessage,
  UiContextMessage,
  type SessionUi,
  ViewStatusMessage,
  WebviewCommand,
  parseWebviewMessage,
} from '../shared/protocol';
import { type AnnotationDocument, ReadOnlyDocumentError } from './annotationDocument';
import { webviewImageInfo } from './imageSource';
import type { SegmentController, SegmentPanelHost } from './inference/segmentController';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { editConflict } from '../shared/editGuard';
import type { RememberedSegmentOptions } from '../shared/inference/segmentOptions';
import { log } from './log';
import { openSettingCommand } from './openSetting';
import { readSettings } from './settings';
import { annotatorHtml, annotatorWebviewOptions } from './webviewHtml';

/** Callbacks into the provider. */
export interface PanelHost {
  /** The panel became active (or inactive: `undefined`). */
  setActive(panel: EditorPanel | undefined, previous: EditorPanel): void;
  /** UI state of the active panel changed (context keys, status bar). */
  refresh(panel: EditorPanel): void;
  /** The tool and class last used in any panel (a new panel starts with them), and the setter. */
  sessionUi?(): SessionUi | undefined;
  rememberUi?(ui: SessionUi): void;
  /** The click tool's mask options last set in this workspace, and the setter. */
  segmentOptions?(): Partial<RememberedSegmentOptions> | undefined;
  rememberSegmentOptions?(options: Partial<RememberedSegmentOptions>): void;
}

export class EditorPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private reportedError = false;
  /** Last UI context from the webview. */
  ui: Omit<UiContextMessage, 'type'> = { textInputFocus: false, drawing: false, hasSelection: false, tool: 'select', focused: false, activeClassId: null };
  /** Last zoom/cursor from the webview. */
  view: Omit<ViewStatusMessage, 'type'> = { zoom: 1, cursor: null };
  /** Click segmentation for this panel (issue 6). */
  private readonly segment: SegmentController;

  constructor(
    readonly document: AnnotationDocument,
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly cacheDir: vscode.Uri,
    private readonly host: PanelHost,
    createSegmentController: (panel: SegmentPanelHost) => SegmentController,
  ) {
    const distWebview = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    // Scripts by nonce only, resources from the bundle, the image's folder and the image cache (webviewHtml.ts).
    panel.webview.options = annotatorWebviewOptions(extensionUri, document.uri, cacheDir);
    panel.webview.html = annotatorHtml(panel.webview, distWebview, path.posix.basename(document.uri.path));
    this.segment = createSegmentController(this);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.onMessage(m)),
      panel.onDidChangeViewState((e) => this.host.setActive(e.webviewPanel.active ? this : undefined, this)),
      document.onDidChangeState((c) => {
        if (c.origin === this) return; // the webview already shows its own edit
        this.post({ type: 'state', state: c.state, reason: c.reason });
      }),
      document.onDidChangeLabels((labels) => this.post({ type: 'labels', labels: [...labels] })),
      document.onDidChangeReadOnly((info) => this.post({ type: 'readOnly', info: info ?? null })),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('edgeflow', document.uri)) {
          this.post({ type: 'settings', settings: readSettings(document.uri).display });
        }
      }),
    );
  }

  /** Posts a message once the webview is ready (earlier messages would be lost, so they are dropped). */
  post(message: HostToWebview): void {
    if (!this.ready) return;
    void this.panel.webview.postMessage(message).then(undefined, (e) => log().warn(`postMessage failed: ${e}`));
  }

  /**
   * Keys typed into a text input of the webview (a class name) are text, never shortcuts. The
   * keybindings' `!edgeflow.textInputFocus` usually keeps them from firing, but the context key
   * goes through this host and can lag the first keystroke after the input is clicked; the
   * webview's report of the focus reaches this host before the command does, so the commands
   * check it here too (issue 30). Only while the webview has the focus: a command from the
   * palette (which takes the focus) still runs.
   */
  get typing(): boolean {
    return this.ui.focused && this.ui.textInputFocus;
  }

  /** Forwards a palette command / keybinding. */
  postCommand(command: WebviewCommand): void {
    this.post({ type: 'command', command });
  }

  private sendInit(): void {
    const d = this.document;
    const session = this.host.sessionUi?.();
    const segmentOptions = this.host.segmentOptions?.();
    this.post({
      type: 'init',
      image: webviewImageInfo(d.image, this.panel.webview, path.posix.basename(d.uri.path)),
      state: d.model.state,
      labels: [...d.labels],
      settings: readSettings(d.uri).display,
      strings: Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, vscode.l10n.t(s)])),
      ...(d.readOnly ? { readOnly: d.readOnly } : {}),
      ...(session ? { session } : {}),
      ...(segmentOptions ? { segmentOptions } : {}),
    });
  }

  private onMessage(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      log().warn(`ignored invalid webview message: ${parsed.error}`);
      // The webview already applied an edit the host refused: put it back in step.
      if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'edit') {
        this.post({ type: 'state', state: this.document.model.state, reason: 'reload' });
      }
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendInit();
        return;
      case 'edit': {
        // Its "before" values become VS Code's undo: they must be what the document holds.
        const conflict = editConflict(this.document.model.state, m.edit);
        if (conflict) {
          log().warn(`edit refused: ${conflict}`);
          this.post({ type: 'state', state: this.document.model.state, reason: 'reload' });
          return;
        }
        try {
          this.document.applyEdit(m.edit, this);
        } catch (e) {
          // The webview's mirror diverged (e.g. a stale edit after a reload): resync it.
          if (e instanceof ReadOnlyDocumentError) log().warn(`edit refused: ${this.document.uri.fsPath} is read-only`);
          else log().error(`edit rejected: ${(e as Error).stack ?? e}`);
          if (!(e instanceof EditConflictError) && !(e instanceof ReadOnlyDocumentError)) void vscode.window.showErrorMessage((e as Error).message);
          this.post({ type: 'state', state: this.document.model.state, reason: 'reload' });
        }
        return;
      }
      case 'viewStatus':
        this.view = { zoom: m.zoom, cursor: m.cursor };
        this.host.refresh(this);
        return;
      case 'uiContext':
        this.ui = { textInputFocus: m.textInputFocus, drawing: m.drawing, hasSelection: m.hasSelection, tool: m.tool, focused: m.focused, activeClassId: m.activeClassId };
        this.host.rememberUi?.({ tool: m.tool, activeClassId: m.activeClassId, ...(m.overlayOpacity !== undefined ? { overlayOpacity: m.overlayOpacity } : {}) });
        this.host.refresh(this);
        return;
      case 'segmentOptions':
        this.host.rememberSegmentOptions?.(m.options);
        return;
      case 'webviewError':
        log().error(`webview: ${m.message}`);
        if (!this.reportedError) {
          this.reportedError = true;
          void vscode.window.showErrorMessage(vscode.l10n.t('EdgeFlow editor: {0}', m.message));
        }
        return;
      case 'imageLoaded':
        if (m.naturalWidth !== this.document.image.width || m.naturalHeight !== this.document.image.height) {
          log().warn(
            `${this.document.uri.fsPath}: browser decoded ${m.naturalWidth}x${m.naturalHeight}, expected ${this.document.image.width}x${this.document.image.height}`,
          );
        }
        // The image is on screen: make the first click fast (model loaded, image decoded).
        this.segment.preload();
        return;
      case 'request':
        void this.answer(m);
        return;
      case 'segmentStart':
      case 'segmentClicks':
      case 'segmentEnd':
      case 'segmentStroke':
      case 'segmentUndoStroke':
        this.segment.handle(m);
        return;
    }
  }

  private async answer(m: RequestMessage): Promise<void> {
    const store = this.document.labelsFile;
    try {
      let value: unknown;
      switch (m.method) {
        case 'addLabel':
          value = await store.add(m.params.name, m.params.color);
          break;
        case 'updateLabel':
          value = await store.update(m.params.id, m.params.name, m.params.color);
          break;
        case 'removeLabel': {
          const label = store.get().find((l) => l.id === m.params.id);
          if (!label) throw new Error(vscode.l10n.t('Class {0} does not exist.', m.params.id));
          const remove = vscode.l10n.t('Remove Class');
          const choice = await vscode.window.showWarningMessage(
            vscode.l10n.t('Remove class "{0}" (id {1}) from the labels file? Objects keep their class id in every image.', label.name, label.id),
            { modal: true },
            remove,
          );
          if (choice === remove) await store.remove(label.id);
          value = choice === remove;
          break;
        }
        case 'sidecarAction':
          value = await this.document.runSidecarAction(m.params.action);
          break;
        case 'openSetting':
          // The key is validated (edgeflow.* only); the Settings editor searches for it.
          {
            const open = openSettingCommand(m.params.key, this.document.uri);
            await vscode.commands.executeCommand(open.command, ...open.arguments);
          }
          value = true;
          break;
      }
      this.post({ type: 'reply', requestId: m.requestId, ok: true, value });
    } catch (e) {
      log().warn(`${m.method} failed: ${(e as Error).message}`);
      this.post({ type: 'reply', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  }

  dispose(): void {
    this.segment.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
