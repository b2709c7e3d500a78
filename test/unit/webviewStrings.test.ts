import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEBVIEW_STRINGS } from '../../src/shared/webviewStrings';
import { repoRoot } from './helpers/golden';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

describe('webview strings', () => {
  it('every t("...") literal and tool title of the editor UI (segment/ included) is in the translated list, and the list has no duplicates', () => {
    const known = new Set<string>(WEBVIEW_STRINGS);
    assert.equal(known.size, WEBVIEW_STRINGS.length);
    const root = join(repoRoot(), 'src', 'webview');
    const used = new Set<string>();
    const titles = new Set<string>();
    for (const f of files(root)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\('((?:[^'\\]|\\.)*)'/g)) used.add(m[1]);
      // Tool tooltips reach t() through a variable (the toolbar's t(tool.title)): the literals of
      // every `title:` value (a plain string or the branches of a conditional).
      for (const m of text.matchAll(/\btitle:((?:\s*'(?:[^'\\]|\\.)*'|[^,'}])*)/g)) {
        for (const lit of m[1].matchAll(/(?:^|\?|:)\s*'((?:[^'\\]|\\.)*)'/g)) titles.add(lit[1]);
      }
    }
    assert.ok(used.size > 20, `found only ${used.size} t() calls`);
    assert.ok(titles.size >= 5, `found only ${titles.size} tool titles: ${[...titles].join(' | ')}`);
    for (const title of titles) used.add(title);
    const missing = [...used].filter((s) => !known.has(s));
    assert.deepEqual(missing, []);
  });
});
