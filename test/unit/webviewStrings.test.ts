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
  it('every t("...") literal of the editor UI is in the translated list, and the list has no duplicates', () => {
    const known = new Set<string>(WEBVIEW_STRINGS);
    assert.equal(known.size, WEBVIEW_STRINGS.length);
    const root = join(repoRoot(), 'src', 'webview');
    const used = new Set<string>();
    for (const f of files(root)) {
      // Feature folders (e.g. segment/) keep their own strings.
      if (f.includes(`${join('src', 'webview', 'segment')}`)) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\('((?:[^'\\]|\\.)*)'/g)) used.add(m[1]);
    }
    assert.ok(used.size > 20, `found only ${used.size} t() calls`);
    const missing = [...used].filter((s) => !known.has(s));
    assert.deepEqual(missing, []);
  });
});
