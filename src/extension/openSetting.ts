/**
 * Opens the Settings editor at an `edgeflow.*` setting, in the scope whose value is in effect:
 * the Workspace tab when the workspace (or a folder) sets it, the User tab otherwise, so the
 * user edits the value that actually applies (a model error's "Open Setting", the status bar).
 */
import * as vscode from 'vscode';

/** The command (and its argument, the search query) that opens `key` where it is set. */
export function openSettingCommand(key: string, scope?: vscode.Uri): { command: string; arguments: [string] } {
  const i = vscode.workspace.getConfiguration(undefined, scope).inspect(key);
  const inWorkspace = i?.workspaceFolderValue !== undefined || i?.workspaceValue !== undefined;
  return { command: inWorkspace ? 'workbench.action.openWorkspaceSettings' : 'workbench.action.openSettings', arguments: [key] };
}
