/**
 * The `edgeflow` diagnostic collection: problems found reading a sidecar or the labels file, in
 * the Problems panel on that file, at the line and column the JSON parser or the JSON path of the
 * problem points to. Set when a file is read, replaced when it is read again (cleared when it
 * reads cleanly), removed when the last editor that read it closes.
 */
import * as vscode from 'vscode';
import { lineColumnOf, locateJsonPath } from '../shared/formats/jsonErrors';

/** One problem in a JSON file. */
export interface JsonProblem {
  severity: 'error' | 'warning';
  message: string;
  /** JSON path such as `annotations[3].segmentation[0]` (located in the text). */
  path?: string;
  /** Character offset (wins over `path`). */
  offset?: number;
  /** Short code shown beside the message (e.g. `invalid-json`). */
  code?: string;
}

/** At most this many diagnostics per file (a broken 100 000-object file would flood the panel). */
const MAX_PER_FILE = 200;

let collection: vscode.DiagnosticCollection | undefined;

function diagnostics(): vscode.DiagnosticCollection {
  if (!collection) collection = vscode.languages.createDiagnosticCollection('edgeflow');
  return collection;
}

/** Diagnostics from problems found in `text` (the file's content when it was read). */
export function toDiagnostics(text: string | undefined, problems: readonly JsonProblem[]): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (const p of problems.slice(0, MAX_PER_FILE)) {
    let offset = p.offset;
    if (offset === undefined && p.path && text !== undefined) offset = locateJsonPath(text, p.path);
    let range = new vscode.Range(0, 0, 0, 0);
    if (offset !== undefined && text !== undefined) {
      const { line, column } = lineColumnOf(text, offset);
      // Underline to the end of the token (or one character at a syntax error).
      const rest = text.slice(offset, offset + 200);
      const token = /^("(?:[^"\\\n]|\\.)*"|[^\s,:\]}]+|[[{])/.exec(rest)?.[0].length ?? 1;
      range = new vscode.Range(line, column, line, column + Math.max(1, token));
    }
    const d = new vscode.Diagnostic(
      range,
      p.path && !p.message.includes(p.path) ? `${p.message} (${p.path})` : p.message,
      p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
    );
    d.source = 'EdgeFlow';
    if (p.code) d.code = p.code;
    out.push(d);
  }
  if (problems.length > MAX_PER_FILE) {
    const d = new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 0),
      vscode.l10n.t('{0} more problems not listed', problems.length - MAX_PER_FILE),
      vscode.DiagnosticSeverity.Information,
    );
    d.source = 'EdgeFlow';
    out.push(d);
  }
  return out;
}

/** Replaces the problems shown for `uri` (an empty list clears them). */
export function setFileProblems(uri: vscode.Uri, text: string | undefined, problems: readonly JsonProblem[]): void {
  if (problems.length === 0) {
    collection?.delete(uri);
    return;
  }
  diagnostics().set(uri, toDiagnostics(text, problems));
}

/** Removes the problems shown for `uri`. */
export function clearFileProblems(uri: vscode.Uri): void {
  collection?.delete(uri);
}

/** The diagnostics currently shown for `uri` (tests). */
export function fileProblems(uri: vscode.Uri): readonly vscode.Diagnostic[] {
  return collection?.get(uri) ?? [];
}

/** Disposes the collection (extension deactivation). */
export function disposeDiagnostics(): void {
  collection?.dispose();
  collection = undefined;
}
