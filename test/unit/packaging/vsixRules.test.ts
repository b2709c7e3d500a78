import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVsix } from '../../../scripts/lib/vsix-check.mjs';
import { TARGETS, disallowedReason, resolveNeeded, targetIgnoreFile, vsixName } from '../../../scripts/lib/vsix-rules.mjs';
import { repoRoot } from '../helpers/golden';
import { elf, pe, zip } from './syntheticNatives';

const rules = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));

describe('per-platform VSIX rules (scripts/lib/vsix-rules.mjs)', () => {
  const base = readFileSync(join(repoRoot(), '.vscodeignore'), 'utf8');

  it('derives each target\'s ignore file from .vscodeignore, naming that platform\'s packages only', () => {
    for (const target of TARGETS) {
      const [os, arch] = target.split('-');
      const lines = rules(targetIgnoreFile(base, target));
      assert.ok(lines.includes(`!node_modules/@img/sharp-${target}/**`), target);
      assert.equal(lines.includes(`!node_modules/@img/sharp-libvips-${target}/**`), os !== 'win32', target);
      assert.ok(lines.includes(`!node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/*`), target);
      for (const other of TARGETS.filter((t) => t !== target)) {
        const [oos, oarch] = other.split('-');
        assert.ok(!lines.some((l) => l.includes(`sharp-${other}/`) || l.includes(`napi-v6/${oos}/${oarch}/`)), `${target} names ${other}`);
      }
      // Everything else is .vscodeignore's, unchanged.
      const platformFree = (ls: string[]) => ls.filter((l) => !/sharp-(libvips-)?(linux|darwin|win32)-|napi-v6\//.test(l));
      assert.deepEqual(platformFree(lines), platformFree(rules(base)));
    }
    assert.equal(vsixName({ name: 'edgeflow-annotator', version: '0.2.0' }, 'darwin-arm64'), 'edgeflow-annotator-darwin-arm64-0.2.0.vsix');
  });

  it('refuses a .vscodeignore that no longer names the linux-x64 packages', () => {
    assert.throws(() => targetIgnoreFile('**\n!package.json\n', 'win32-x64'), /no "!" line for @img\/sharp-linux-x64/);
  });

  it('allows what the extension runs and rejects tests, training code, logs, maps and other platforms', () => {
    for (const ok of [
      'package.json',
      'readme.md',
      'LICENSE.txt',
      'dist/extension/extension.js',
      'dist/webview/codicons/codicon.ttf',
      'models/edgeflow-mobilenetv2.onnx',
      'models/MODEL_CARD.md',
      'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll',
      'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll',
    ]) {
      assert.equal(disallowedReason(ok, 'win32-x64'), null, ok);
    }
    const cases: [string, RegExp][] = [
      ['dist/extension/extension.js.map', /source map/],
      ['models/train.py', /training code/],
      ['models/EXPERIMENTS.md', /experiments log/],
      ['test/unit/rle.test.js', /tests/],
      ['src/extension/extension.ts', /TypeScript/],
      ['node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node', /another platform's sharp/],
      ['node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', /another platform's ONNX Runtime/],
      ['node_modules/onnxruntime-node/script/install.js', /install-time/],
      ['node_modules/adm-zip/adm-zip.js', /not needed at run time/],
      ['models/runs/last.ckpt', /checkpoint/],
      ['.env', /not part of the extension/],
    ];
    for (const [path, why] of cases) assert.match(disallowedReason(path, 'win32-x64') ?? 'allowed', why, path);
    assert.equal(disallowedReason('media/icon.png', 'linux-x64', { icon: 'media/icon.png' }), null);
  });

  it('resolves each format\'s imports the way its loader does', () => {
    const files = new Set([
      'node_modules/@img/sharp-linux-arm64/lib/sharp.node',
      'node_modules/@img/sharp-libvips-linux-arm64/lib/libvips-cpp.so.8',
      'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib',
      'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll',
    ]);
    const sharp = 'node_modules/@img/sharp-linux-arm64/lib/sharp.node';
    assert.deepEqual(resolveNeeded('elf', sharp, 'libvips-cpp.so.8', ['$ORIGIN/../../sharp-libvips-linux-arm64/lib'], files), {
      kind: 'bundled',
      path: 'node_modules/@img/sharp-libvips-linux-arm64/lib/libvips-cpp.so.8',
    });
    // No RUNPATH: the loader does not look beside the file.
    assert.equal(resolveNeeded('elf', sharp, 'libvips-cpp.so.8', [], files).kind, 'missing');
    assert.equal(resolveNeeded('elf', sharp, 'libstdc++.so.6', [], files).kind, 'system');
    const binding = 'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node';
    assert.equal(resolveNeeded('macho', binding, '@rpath/libonnxruntime.1.dylib', ['@loader_path'], files).kind, 'bundled');
    assert.equal(resolveNeeded('macho', binding, '@rpath/libonnxruntime.1.30.0.dylib', ['@loader_path'], files).kind, 'missing');
    assert.equal(resolveNeeded('macho', binding, '/usr/lib/libc++.1.dylib', [], files).kind, 'system');
    assert.equal(resolveNeeded('macho', binding, '/opt/homebrew/lib/libvips.dylib', [], files).kind, 'missing');
    const win = 'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node';
    assert.equal(resolveNeeded('pe', win, 'ONNXRUNTIME.DLL', [], files).kind, 'bundled');
    assert.equal(resolveNeeded('pe', win, 'NODE.EXE', [], files).kind, 'host');
    assert.equal(resolveNeeded('pe', win, 'VCRUNTIME140_1.dll', [], files).kind, 'vcruntime');
    assert.equal(resolveNeeded('pe', win, 'api-ms-win-crt-heap-l1-1-0.dll', [], files).kind, 'system');
    assert.equal(resolveNeeded('pe', win, 'DirectML.dll', [], files).kind, 'missing');
  });
});

describe('VSIX check on a synthetic VSIX (scripts/lib/vsix-check.mjs)', () => {
  const EM_X86_64 = 62;
  const EM_AARCH64 = 183;
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgeflow-check-vsix-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A linux-arm64 VSIX with stand-ins for every file the check requires; `edit` changes its file map. */
  function vsix(name: string, edit: (files: Record<string, Uint8Array | string>) => void = () => {}) {
    const ort = 'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64';
    const files: Record<string, Uint8Array | string> = {
      'extension.vsixmanifest': '<PackageManifest><Metadata><Identity Id="edgeflow-annotator" TargetPlatform="linux-arm64"/></Metadata></PackageManifest>',
      '[Content_Types].xml': '<Types/>',
      'extension/package.json': JSON.stringify({ name: 'edgeflow-annotator', main: './dist/extension/extension.js' }),
      'extension/readme.md': '# EdgeFlow',
      'extension/dist/extension/extension.js': '',
      'extension/dist/webview/main.js': '',
      'extension/dist/webview/main.css': '',
      'extension/dist/webview/codicons/codicon.css': '',
      'extension/dist/webview/codicons/codicon.ttf': '',
      'extension/models/edgeflow-mobilenetv2.onnx': 'onnx',
      'extension/node_modules/sharp/package.json': '{}',
      'extension/node_modules/@img/sharp-linux-arm64/package.json': '{}',
      'extension/node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64-0.35.5.node': elf(EM_AARCH64, {
        needed: ['libvips-cpp.so.8.18.7', 'libc.so.6'],
        runpath: '$ORIGIN/../../sharp-libvips-linux-arm64/lib',
      }),
      'extension/node_modules/@img/sharp-libvips-linux-arm64/lib/libvips-cpp.so.8.18.7': elf(EM_AARCH64, { needed: ['libstdc++.so.6'] }),
      'extension/node_modules/onnxruntime-node/package.json': '{}',
      [`${ort}/onnxruntime_binding.node`]: elf(EM_AARCH64, { needed: ['libonnxruntime.so.1'], runpath: '$ORIGIN/' }),
      [`${ort}/libonnxruntime.so.1`]: elf(EM_AARCH64),
    };
    edit(files);
    const path = join(dir, `${name}.vsix`);
    writeFileSync(path, zip(files));
    return path;
  }

  it('passes a VSIX whose natives are all linux-arm64 and resolve', () => {
    const result = checkVsix(vsix('good'), { load: false });
    assert.deepEqual(result.problems, []);
    assert.equal(result.target, 'linux-arm64');
    assert.equal(result.natives.length, 4);
    assert.equal(result.load, null);
  });

  it('fails a wrong architecture, a wrong format, a stray file, a missing model and an unresolved library', () => {
    const { problems } = checkVsix(
      vsix('bad', (f) => {
      f['extension/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1'] = elf(EM_X86_64);
      f['extension/node_modules/@img/sharp-linux-arm64/lib/extra.dll'] = pe(0xaa64);
      f['extension/node_modules/@img/sharp-linux-arm64/lib/fake.node'] = 'not a binary';
      f['extension/models/train.py'] = 'print()';
      delete f['extension/models/edgeflow-mobilenetv2.onnx'];
      delete f['extension/node_modules/@img/sharp-libvips-linux-arm64/lib/libvips-cpp.so.8.18.7'];
      }),
      { load: false },
    );
    const expect = [
      /libonnxruntime\.so\.1: x64, expected arm64/,
      /extra\.dll: pe, expected elf/,
      /fake\.node: named like a native file but has no ELF, Mach-O or PE header/,
      /models\/train\.py: should not ship \(training code\)/,
      /models\/\*\.onnx: no model/,
      /sharp-linux-arm64-0\.35\.5\.node: loads libvips-cpp\.so\.8\.18\.7, which is neither in the VSIX/,
    ];
    for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re} in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expect.length, problems.join('\n'));
  });

  it('fails a VSIX whose manifest names another target than asked for', () => {
    assert.ok(checkVsix(vsix('other-target'), { target: 'linux-x64', load: false }).problems.some((p) => /TargetPlatform is linux-arm64, expected linux-x64/.test(p)));
  });
});
