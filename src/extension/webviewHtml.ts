/** The editor webview's HTML and options, from the pure policy in webviewCsp.ts. */
import * as vscode from 'vscode';
import { makeNonce, renderAnnotatorHtml } from './webviewCsp';

export { annotatorCsp, annotatorResourceRoots, annotatorWebviewOptions, makeNonce, renderAnnotatorHtml } from './webviewCsp';

/** The HTML of the annotator webview. `distWebview` is the extension's dist/webview folder. */
export function annotatorHtml(webview: vscode.Webview, distWebview: vscode.Uri, title: string): string {
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(distWebview, ...p)).toString();
  return renderAnnotatorHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    lang: vscode.env.language || 'en',
    title,
    codiconsCss: asset('codicons', 'codicon.css'),
    mainCss: asset('main.css'),
    mainJs: asset('main.js'),
  });
}
