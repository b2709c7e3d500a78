/**
 * Extension entry point: registers the EdgeFlow Annotator custom editor, its commands and the
 * services they share. Other features (export, click segmentation) register from their own
 * modules and reach the editor through the exported API below.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerExportCommands } from './export/commands';
import { registerReviewCommands } from './reviewCommands';
import { AnnotationEditorProvider, VIEW_TYPE } from './editorProvider';
import { InferenceService } from './inference/inferenceService';
import type { InferenceSettings } from './inference/inferenceSettings';
import { SegmentController } from './inference/segmentController';
import { LabelsService } from './labelsStore';
import { disposeLog, log } from './log';
import { type EdgeflowSettings, readSettings } from './settings';
import { restrictedSettingMessage } from './trust';

/** What activate() returns: handles for other parts of the extension and for tests. */
export interface EdgeflowApi {
  provider: AnnotationEditorProvider;
  labels: LabelsService;
  /**
   * The settings readers with the Workspace Trust state injectable (the extension-host suite
   * checks them against VS Code's real configuration API; trust cannot be revoked there).
   */
  settings: {
    inference(scope: vscode.Uri, trusted: boolean): InferenceSettings;
    editor(scope: vscode.Uri, trusted: boolean): EdgeflowSettings;
  };
}

export function activate(context: vscode.ExtensionContext): EdgeflowApi {
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  log().info(`EdgeFlow Annotator ${version} activating`);
  const labels = new LabelsService();
  const cacheDir = context.globalStorageUri;
  const provider = new AnnotationEditorProvider(context, { labels, cacheDir, generator: `EdgeFlow Annotator ${version}` }, (panel) => new SegmentController(panel, inference));
  // Created after the provider, so its status bar item keeps its place after the provider's; the
  // factory above runs only when a panel opens, after activate() returned.
  const inference = new InferenceService(context.extensionUri);
  context.subscriptions.push(
    inference,
    labels,
    provider,
    vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
      // Without retainContextWhenHidden a hidden editor's webview is rebuilt on show (state comes
      // back from the host in `init`), which keeps memory flat with many large images open.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    ...registerCommands(provider, labels),
    ...registerExportCommands(),
    ...registerReviewCommands(provider),
  );
  reportRestrictedLabelsFile();
  return { provider, labels, settings: { inference: (scope, trusted) => inference.readSettings(scope, trusted), editor: readSettings } };
}

/**
 * In Restricted Mode, says once per folder when its `edgeflow.labelsFile` leaves the workspace
 * and is therefore ignored (settings.ts), with a way to trust the workspace. The model setting
 * is reported where the model loads (segmentController.ts).
 */
function reportRestrictedLabelsFile(): void {
  if (vscode.workspace.isTrusted) return;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const s = readSettings(folder.uri);
    if (s.ignoredLabelsFile === undefined) continue;
    const text = restrictedSettingMessage('edgeflow.labelsFile', s.ignoredLabelsFile, `"${s.labelsFile}"`, vscode.l10n.t);
    log().warn(`${folder.name}: ${text}`);
    const manage = vscode.l10n.t('Manage Workspace Trust');
    void vscode.window.showWarningMessage(text, manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }
}

export function deactivate(): void {
  disposeLog();
}
