/**
 * The pure half of the editor webview's HTML and options (no vscode runtime import, unit-tested;
 * the only file that may set webview options, see eslint.config.mjs): a strict Content Security
 * Policy (nothing by default; scripts only with the per-load nonce; images, styles and fonts only
 * from the webview's own resource origin; no remote origin anywhere) and resource roots limited
 * to the extension's dist/webview, the image's folder and the extension's image cache.
 *
 * webviewHtml.ts applies them with the vscode API.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** A fresh nonce for one HTML document (144 random bits, base64 letters and digits only). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/**
 * The Content-Security-Policy of the annotator. `cspSource` is `webview.cspSource` (the origin
 * `asWebviewUri` URLs use). No `blob:`/`data:`: the image and its tiles come by webview URI, and
 * masks are drawn from bytes onto canvases, never through URLs. No `connect-src`: the webview
 * talks to the host by `postMessage` only.
 */
export function annotatorCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** What the markup needs. */
export interface AnnotatorPage {
  cspSource: string;
  nonce: string;
  lang: string;
  title: string;
  /** Webview URLs of the bundle's files. */
  codiconsCss: string;
  mainCss: string;
  mainJs: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML document (pure: for tests). */
export function renderAnnotatorHtml(p: AnnotatorPage): string {
  return `<!DOCTYPE html>
<html lang="${esc(p.lang || 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(annotatorCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(p.title)}</title>
<link rel="stylesheet" nonce="${p.nonce}" href="${esc(p.codiconsCss)}">
<link rel="stylesheet" nonce="${p.nonce}" href="${esc(p.mainCss)}">
</head>
<body>
<div id="root"></div>
<script nonce="${p.nonce}" src="${esc(p.mainJs)}"></script>
</body>
</html>`;
}

/** A URI with `segments` appended to its path (no vscode import needed). */
function child(base: vscode.Uri, ...segments: string[]): vscode.Uri {
  return base.with({ path: [base.path.replace(/\/+$/, ''), ...segments].join('/') });
}

/** The folder holding a file URI. */
function parent(uri: vscode.Uri): vscode.Uri {
  const i = uri.path.lastIndexOf('/');
  return uri.with({ path: i <= 0 ? '/' : uri.path.slice(0, i), query: '', fragment: '' });
}

/**
 * The folders the webview may load from: the bundle (dist/webview, not the whole extension),
 * the image's own folder (not the workspace: the image may live anywhere, and nothing beside it
 * is needed), and the cache of converted/downscaled images. Pure: for tests.
 */
export function annotatorResourceRoots(extensionUri: vscode.Uri, imageUri: vscode.Uri, cacheDir: vscode.Uri): vscode.Uri[] {
  return [child(extensionUri, 'dist', 'webview'), parent(imageUri), cacheDir];
}

/**
 * Webview options for an annotator panel: scripts on, no command URIs, the resource
 * roots above. Pure: for tests.
 */
export function annotatorWebviewOptions(extensionUri: vscode.Uri, imageUri: vscode.Uri, cacheDir: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: annotatorResourceRoots(extensionUri, imageUri, cacheDir) };
}
