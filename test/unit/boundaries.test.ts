/**
 * The runtime boundaries bite: code that crosses them fails `npm run typecheck` (the tsc programs,
 * then ESLint). Probe files are written where the configurations apply (src/extension,
 * src/shared, src/webview) and removed afterwards, also when a check fails; a probe left by a
 * killed run is removed first. (Text that never touches the disk is enough for ESLint alone.)
 */
import * as assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as ts from 'typescript';
import { repoRoot } from './helpers/golden';

const root = repoRoot();
const PROBE = /^__boundary_probe_\d+__\.ts$/;
const name = `__boundary_probe_${process.pid}__.ts`;
const probes = {
  /** DOM code in the extension host: only the type check can refuse it. */
  host: { file: join(root, 'src/extension', name), text: 'export const title: string = document.title;\nexport const el: HTMLElement | null = null;\nexport const width = window.innerWidth;\n' },
  /** Host-only modules in runtime-neutral code: types resolve them, so ESLint refuses them. */
  shared: { file: join(root, 'src/shared', name), text: "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nimport * as path from 'path';\nexport const probe = [vscode.version, readFileSync, path.sep];\n" },
  webview: { file: join(root, 'src/webview', name), text: "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nexport const probe = [vscode.version, readFileSync];\n" },
};

function removeProbes(): void {
  for (const dir of ['src/extension', 'src/shared', 'src/webview']) {
    for (const f of readdirSync(join(root, dir))) if (PROBE.test(f)) rmSync(join(root, dir, f), { force: true });
  }
}

describe('runtime boundaries: tsc and ESLint refuse probe files that cross them', function () {
  // Building the host's whole program takes several seconds (longer on a busy machine).
  this.timeout(120000);

  before(() => {
    removeProbes();
    for (const p of Object.values(probes)) writeFileSync(p.file, p.text);
  });
  after(removeProbes);

  it('document, window and HTMLElement in src/extension fail the host type check (tsconfig.json)', () => {
    const host = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    });
    assert.ok(host);
    const fileNames = host.fileNames.map((f) => join(f));
    assert.ok(fileNames.includes(probes.host.file), 'the probe is part of the host program');
    // The whole program, as tsc builds it: a file elsewhere in it (a test with
    // `/// <reference lib="dom" />`) would bring the DOM types to every file.
    const program = ts.createProgram({ rootNames: host.fileNames, options: host.options });
    const source = program.getSourceFiles().find((f) => join(f.fileName) === probes.host.file);
    assert.ok(source);
    const errors = program.getSemanticDiagnostics(source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    assert.equal(errors.length, 3, errors.join('\n'));
    for (const [i, global] of ['document', 'HTMLElement', 'window'].entries()) assert.match(errors[i], new RegExp(`Cannot find name '${global}'`));
  });

  it('vscode, node:* and Node built-ins in src/shared, vscode and node:* in src/webview fail ESLint', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles([probes.shared.file, probes.webview.file]);
    const refused = (file: string) =>
      results
        .find((r) => r.filePath === file)
        ?.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
        .map((m) => m.line);
    assert.deepEqual(refused(probes.shared.file), [1, 2, 3]);
    assert.deepEqual(refused(probes.webview.file), [1, 2]);
    assert.ok(results.every((r) => r.fatalErrorCount === 0), 'the probes parse');
  });

  it('a test in the host program may not add the DOM lib (ESLint)', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (file: string) =>
      (await eslint.lintText('/// <reference lib="dom" />\nexport {};\n', { filePath: join(root, file) }))[0].messages.map((m) => m.ruleId);
    assert.deepEqual(await lint(`test/unit/${name}`), ['@typescript-eslint/triple-slash-reference']);
    assert.deepEqual(await lint(`test/unit/webview/${name}`), [], 'the webview tests have the DOM anyway');
  });
});
