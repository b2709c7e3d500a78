/**
 * Path helpers on URIs. Only types come from `vscode`, so modules that unit tests load without
 * VS Code (the sidecar store) can use them.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';

/** The URI of a sibling file: same folder as `uri`, name = basename(uri) + suffix. */
export function siblingWithSuffix(uri: vscode.Uri, suffix: string): vscode.Uri {
  return uri.with({ path: uri.path + suffix });
}

/** Base name of a URI's path. */
export function baseName(uri: vscode.Uri): string {
  return path.posix.basename(uri.path);
}
