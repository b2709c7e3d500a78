/**
 * The `edgeflow.annotator` custom editor provider: opens `AnnotationDocument`s (from hot-exit
 * backups when VS Code asks), creates one `EditorPanel` per webview, forwards document edits to
 * VS Code's undo stack, and tracks the active panel for commands, context keys and the status bar.
 */
import * as vscode from 'vscode';
import { AnnotationDocument, DocumentServices } from './annotationDocument';
import { disposeDiagnostics } from './diagnostics';
import { EditorPanel, PanelHost } from './editorPanel';
import { FileNestingOffer, countCocoSidecars } from './fileNesting';
import type { SessionUi } from '../shared/protocol';
import { parseSegmentOptions, type RememberedSegmentOptions } from '../shared/inference/segmentOptions';
import type { SegmentController, SegmentPanelHost } from './inference/segmentController';
import { log } from './log';

/** The view type registered in package.json. */
export const VIEW_TYPE = 'edgeflow.annotator';

/** Context keys the provider maintains (used in package.json `when` clauses). */
export const CONTEXT_KEYS = {
  textInputFocus: 'edgeflow.textInputFocus',
  drawing: 'edgeflow.drawing',
  hasSelection: 'edgeflow.hasSelection',
  webviewFocus: 'edgeflow.webviewFocus',
  tool: 'edgeflow.tool',
} as const;

/** Workspace-state key of the click tool's remembered mask options. */
export const SEGMENT_OPTIONS_KEY = 'edgeflow.segmentOptions';

export class AnnotationEditorProvider implements vscode.CustomEditorProvider<AnnotationDocument>, PanelHost, vscode.Disposable {
  private readonly _onDidChangeCustomDocument = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<AnnotationDocument>>();
  readonly onDidChangeCustomDocument = this._onDidChangeCustomDocument.event;
  private readonly panels = new Set<EditorPanel>();
  private active: EditorPanel | undefined;
  private readonly statusSize: vscode.StatusBarItem;
  private readonly statusCursor: vscode.StatusBarItem;
  private readonly _onDidChangeActivePanel = new vscode.EventEmitter<EditorPanel | undefined>();
  /** The active annotator panel changed. */
  readonly onDidChangeActivePanel = this._onDidChangeActivePanel.event;
  private lastContext = '';
  /** Offers, once, to nest the sidecars under their images in the Explorer. */
  private readonly nesting: FileNestingOffer;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly services: DocumentServices,
    /** Click segmentation for a new panel (the extension's inference service injected). */
    private readonly createSegmentController: (panel: SegmentPanelHost) => SegmentController,
  ) {
    this.statusSize = vscode.window.createStatusBarItem('edgeflow.imageSize', vscode.StatusBarAlignment.Right, 100);
    this.statusSize.name = vscode.l10n.t('EdgeFlow Image Size and Zoom');
    this.statusSize.command = 'edgeflow.fit';
    this.statusSize.tooltip = vscode.l10n.t('Image size and zoom (click to fit)');
    this.statusCursor = vscode.window.createStatusBarItem('edgeflow.cursor', vscode.StatusBarAlignment.Right, 99);
    this.statusCursor.name = vscode.l10n.t('EdgeFlow Cursor Position');
    this.statusCursor.tooltip = vscode.l10n.t('Cursor position in image pixels');
    this.nesting = new FileNestingOffer({ globalState: context.globalState, workspaceState: context.workspaceState, countSidecars: countCocoSidecars });
  }

  /** The panel of the active annotator editor, if any. */
  get activePanel(): EditorPanel | undefined {
    return this.active;
  }

  /** All open panels (for tests and commands). */
  get openPanels(): ReadonlySet<EditorPanel> {
    return this.panels;
  }

  async openCustomDocument(
    uri: vscode.Uri,
    openContext: vscode.CustomDocumentOpenContext,
    _token: vscode.CancellationToken,
  ): Promise<AnnotationDocument> {
    const doc = await AnnotationDocument.create(uri, openContext.backupId, this.services);
    const subs = [
      doc.onDidEdit((e) => this._onDidChangeCustomDocument.fire(e)),
      doc.onRequestRevert(() => void this.revertViaWorkbench(doc)),
    ];
    doc.onDidDispose(() => subs.forEach((s) => s.dispose()));
    return doc;
  }

  /** Reverts through VS Code so its dirty state clears too (needs the editor to be active). */
  private async revertViaWorkbench(doc: AnnotationDocument): Promise<void> {
    const panel = [...this.panels].find((p) => p.document === doc);
    if (!panel) {
      await doc.revert();
      return;
    }
    panel.panel.reveal(undefined, false);
    await new Promise((r) => setTimeout(r, 50));
    if (this.active?.document === doc) await vscode.commands.executeCommand('workbench.action.files.revert');
    else await doc.revert();
  }

  async resolveCustomEditor(document: AnnotationDocument, webviewPanel: vscode.WebviewPanel, _token: vscode.CancellationToken): Promise<void> {
    const panel = new EditorPanel(document, webviewPanel, this.context.extensionUri, this.services.cacheDir, this, this.createSegmentController);
    this.panels.add(panel);
    webviewPanel.onDidDispose(() => {
      this.panels.delete(panel);
      if (this.active === panel) this.setActive(undefined, panel);
      panel.dispose();
    });
    if (webviewPanel.active) this.setActive(panel, panel);
  }

  saveCustomDocument(document: AnnotationDocument, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.save(cancellation).then(() => {
      void this.nesting.afterSave(document.uri);
    });
  }

  saveCustomDocumentAs(document: AnnotationDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.saveAs(destination, cancellation);
  }

  revertCustomDocument(document: AnnotationDocument, _cancellation: vscode.CancellationToken): Thenable<void> {
    return document.revert();
  }

  backupCustomDocument(
    document: AnnotationDocument,
    context: vscode.CustomDocumentBackupContext,
    _cancellation: vscode.CancellationToken,
  ): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination);
  }

  /** The tool and class last reported by any annotator panel of this window (issue 30:
   * next/previous image keep them). Webviews report only on a change, so in practice it is the
   * panel the user works in. */
  private lastUi: SessionUi | undefined;

  sessionUi(): SessionUi | undefined {
    return this.lastUi;
  }

  rememberUi(ui: SessionUi): void {
    this.lastUi = { tool: ui.tool, activeClassId: ui.activeClassId, ...(ui.overlayOpacity !== undefined ? { overlayOpacity: ui.overlayOpacity } : {}) };
  }

  /**
   * The click tool's mask options (threshold, keep largest, fill holes, simplify, automatic first
   * threshold) last set in this workspace: kept in workspace state, so the next image and the next
   * session start with the user's choice (a ring-shaped part's "Fill holes" off stays off).
   */
  segmentOptions(): Partial<RememberedSegmentOptions> | undefined {
    const o = parseSegmentOptions(this.context.workspaceState.get(SEGMENT_OPTIONS_KEY));
    return o && Object.keys(o).length ? o : undefined;
  }

  rememberSegmentOptions(options: Partial<RememberedSegmentOptions>): void {
    const merged = { ...this.segmentOptions(), ...options };
    this.context.workspaceState.update(SEGMENT_OPTIONS_KEY, merged).then(undefined, (e: Error) => log().warn(`could not remember the mask options: ${e.message}`));
  }

  setActive(panel: EditorPanel | undefined, previous: EditorPanel): void {
    if (panel) this.active = panel;
    else if (this.active === previous) this.active = undefined;
    else return;
    this._onDidChangeActivePanel.fire(this.active);
    this.refresh(this.active);
  }

  refresh(panel: EditorPanel | undefined): void {
    // A panel can be active before its first view-state event (it was created active).
    if (panel && panel !== this.active && panel.panel.active) {
      this.active = panel;
      this._onDidChangeActivePanel.fire(panel);
    }
    if (panel && panel !== this.active) return;
    const p = this.active;
    const ui = p?.ui;
    const ctx = JSON.stringify(ui ?? null);
    if (ctx !== this.lastContext) {
      this.lastContext = ctx;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.textInputFocus, !!ui?.textInputFocus);
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.drawing, !!ui?.drawing);
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasSelection, !!ui?.hasSelection);
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.webviewFocus, !!ui?.focused);
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.tool, ui?.tool ?? '');
    }
    if (!p) {
      this.statusSize.hide();
      this.statusCursor.hide();
      return;
    }
    const { width, height } = p.document.image;
    this.statusSize.text = `$(file-media) ${width} × ${height}  ${Math.round(p.view.zoom * 1000) / 10} %`;
    this.statusSize.show();
    if (p.view.cursor) {
      this.statusCursor.text = `$(location) ${Math.floor(p.view.cursor.x)}, ${Math.floor(p.view.cursor.y)}`;
      this.statusCursor.show();
    } else {
      this.statusCursor.hide();
    }
  }

  dispose(): void {
    for (const p of this.panels) p.dispose();
    this.panels.clear();
    this.statusSize.dispose();
    this.statusCursor.dispose();
    this._onDidChangeCustomDocument.dispose();
    this._onDidChangeActivePanel.dispose();
    disposeDiagnostics();
    log().trace('annotator provider disposed');
  }
}
