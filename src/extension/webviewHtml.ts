/** The editor webview's HTML: strict CSP with a per-load nonce, scripts and styles from dist/webview. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** A fresh nonce for one HTML document. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** The HTML of the annotator webview. `distWebview` is the extension's dist/webview folder. */
export function annotatorHtml(webview: vscode.Webview, distWebview: vscode.Uri, title: string): string {
  const nonce = makeNonce();
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(distWebview, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} blob: data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="${esc(vscode.env.language || 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(title)}</title>
<link rel="stylesheet" nonce="${nonce}" href="${asset('codicons', 'codicon.css')}">
<link rel="stylesheet" nonce="${nonce}" href="${asset('main.css')}">
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}
