/**
 * Webview security: the annotator's Content Security Policy (nonce-only scripts, no remote
 * origin, nothing by default), its markup (every script and stylesheet carries the nonce, no
 * inline code), the resource roots (the bundle, the image's folder, the image cache: never the
 * workspace or the whole extension, also for an image outside any workspace), the webview options
 * and that the editor panel applies them. The webview's code (no eval, no remote URLs, no HTML
 * injection sinks) is checked by eslint.config.mjs.
 */
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { annotatorCsp, annotatorResourceRoots, annotatorWebviewOptions, makeNonce, renderAnnotatorHtml } from '../../../src/extension/webviewCsp';
import { CSP_SOURCE, openPanel } from '../helpers/fakePanel';

function page(nonce = makeNonce()) {
  return renderAnnotatorHtml({
    cspSource: CSP_SOURCE,
    nonce,
    lang: 'en',
    title: 'a "b" <c>.png',
    codiconsCss: `${CSP_SOURCE}/ext/dist/webview/codicons/codicon.css`,
    mainCss: `${CSP_SOURCE}/ext/dist/webview/main.css`,
    mainJs: `${CSP_SOURCE}/ext/dist/webview/main.js`,
  });
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

/** A minimal stand-in for vscode.Uri (only what the pure functions use). */
class FakeUri {
  constructor(readonly scheme: string, readonly path: string, readonly query = '', readonly fragment = '') {}
  with(c: { path?: string; query?: string; fragment?: string }): FakeUri {
    return new FakeUri(this.scheme, c.path ?? this.path, c.query ?? this.query, c.fragment ?? this.fragment);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}
const uri = (p: string) => new FakeUri('file', p) as unknown as vscode.Uri;

describe('security: webview CSP, markup and resource roots', () => {
  it("default-src 'none'; scripts by nonce only; images, styles, fonts from the webview origin only", () => {
    const nonce = makeNonce();
    const d = directives(annotatorCsp(CSP_SOURCE, nonce));
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(d.get('img-src'), [CSP_SOURCE]);
    assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
    assert.deepEqual(d.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`]);
    assert.deepEqual(d.get('base-uri'), ["'none'"]);
    assert.deepEqual(d.get('form-action'), ["'none'"]);
    // Nothing else may load: no connect/frame/worker/media sources (default 'none' applies).
    assert.deepEqual([...d.keys()].sort(), ['base-uri', 'default-src', 'font-src', 'form-action', 'img-src', 'script-src', 'style-src']);
    const all = [...d.values()].flat();
    for (const v of all) {
      assert.ok(!/unsafe|\*|^https?:$|^data:$|^blob:$/.test(v), `source ${v}`);
      assert.ok(v === CSP_SOURCE || v.startsWith("'"), `remote origin ${v}`);
    }
  });

  it('nonces are fresh, long and attribute-safe', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = makeNonce();
      assert.match(n, /^[A-Za-z0-9]{16,}$/);
      assert.ok(!seen.has(n));
      seen.add(n);
    }
  });

  it('the markup: the CSP meta first in <head>, every script and stylesheet with the nonce, no inline code', () => {
    const nonce = makeNonce();
    const html = page(nonce);
    const head = html.slice(html.indexOf('<head>'), html.indexOf('</head>'));
    assert.ok(head.indexOf('Content-Security-Policy') < head.indexOf('<link') && head.indexOf('Content-Security-Policy') < head.indexOf('<title'));
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, new RegExp(`nonce="${nonce}"`));
      assert.equal(body.trim(), '', 'no inline script');
    }
    for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) assert.match(tag, new RegExp(`nonce="${nonce}"`));
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
    assert.ok(!/<style\b/.test(html), 'no inline style element');
    assert.match(html, /<title>a &#34;b&#34; &#60;c&#62;\.png<\/title>/, 'the title is escaped');
  });

  it('resource roots: the bundle, the image folder and the cache; never the workspace or the whole extension', () => {
    const ext = uri('/home/me/.vscode/extensions/edgeflow');
    const cache = uri('/home/me/.config/Code/User/globalStorage/edgeflow.edgeflow-annotator');
    const inside = annotatorResourceRoots(ext, uri('/work/repo/data/train/cat 1.png'), cache).map(String);
    assert.deepEqual(inside, ['file:///home/me/.vscode/extensions/edgeflow/dist/webview', 'file:///work/repo/data/train', String(cache)]);
    // An image outside any workspace: only its own folder is added.
    const outside = annotatorResourceRoots(ext, uri('/tmp/downloads/x.jpg'), cache).map(String);
    assert.deepEqual(outside, ['file:///home/me/.vscode/extensions/edgeflow/dist/webview', 'file:///tmp/downloads', String(cache)]);
    // An image at the file-system root: the root is its folder (the user opened it there).
    assert.equal(String(annotatorResourceRoots(ext, uri('/x.png'), cache)[1]), 'file:///');
    assert.ok(!inside.includes(String(ext)));
  });

  it('the webview options: scripts, no command URIs, the resource roots above (one place for the policy)', () => {
    const ext = uri('/home/me/.vscode/extensions/edgeflow');
    const image = uri('/work/repo/data/train/cat 1.png');
    const cache = uri('/home/me/.config/Code/User/globalStorage/edgeflow.edgeflow-annotator');
    const o = annotatorWebviewOptions(ext, image, cache);
    assert.deepEqual(Object.keys(o).sort(), ['enableCommandUris', 'enableScripts', 'localResourceRoots']);
    assert.equal(o.enableScripts, true);
    assert.equal(o.enableCommandUris, false);
    assert.deepEqual(o.localResourceRoots?.map(String), annotatorResourceRoots(ext, image, cache).map(String));
  });

  it('the editor panel sets exactly those options and the strict page on its webview (vscode faked)', async function () {
    // The first import of the host code takes a few seconds on a busy machine.
    this.timeout(30000);
    const p = await openPanel({ objects: [], nextId: 1 });
    try {
      const o = p.webview.options as ReturnType<typeof annotatorWebviewOptions>;
      const expected = annotatorWebviewOptions(p.extensionUri as unknown as vscode.Uri, p.imageUri as unknown as vscode.Uri, p.cacheDir as unknown as vscode.Uri);
      assert.deepEqual({ ...o, localResourceRoots: o.localResourceRoots?.map(String) }, { ...expected, localResourceRoots: expected.localResourceRoots?.map(String) });
      assert.deepEqual(o.localResourceRoots?.map(String), [
        'file:///home/me/.vscode/extensions/edgeflow/dist/webview',
        'file:///work/data/train',
        'file:///home/me/.config/Code/User/globalStorage/edgeflow.edgeflow-annotator',
      ]);
      const nonce = /<script nonce="([A-Za-z0-9]+)"/.exec(p.webview.html)?.[1];
      assert.ok(nonce, 'the page has a nonced script');
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(p.webview.html)?.[1].replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
      assert.equal(csp, annotatorCsp(CSP_SOURCE, nonce));
      assert.match(p.webview.html, /<title>cat 1\.png<\/title>/);
      // Nothing is posted before the webview says it is ready (it would be lost).
      assert.deepEqual(p.posted, []);
    } finally {
      p.dispose();
    }
  });

  // No eval, no remote URLs and no HTML injection sinks in the webview's code: eslint.config.mjs
  // (npm run lint, part of npm run typecheck); test/unit/boundaries.test.ts shows the rules bite.
});
