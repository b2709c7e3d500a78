/**
 * Workspace Trust: with the trust state injected, a model or labels file named by an untrusted
 * workspace's own settings is not used (user or shipped defaults are), the ignored value is
 * reported, and trusted workspaces keep the usual precedence. The manifest declares limited
 * support with `edgeflow.model` restricted.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isModelPath, isWorkspaceRelative, modelFileAllowedUntrusted, restrictedSettingMessage, settingFromSettingsText, trustedSetting } from '../../../src/extension/trust';
import { repoRoot } from '../helpers/golden';

const DEFAULT = 'edgeflow-mobilenetv2';

describe('security: workspace trust', () => {
  it('trusted: folder > workspace > user > default', () => {
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT }, true), { value: DEFAULT });
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, globalValue: 'u.onnx' }, true), { value: 'u.onnx' });
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, globalValue: 'u.onnx', workspaceValue: 'w.onnx' }, true), { value: 'w.onnx' });
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, workspaceValue: 'w.onnx', workspaceFolderValue: 'f.onnx' }, true), { value: 'f.onnx' });
  });

  it('untrusted: a workspace model path is not loaded, the shipped model is, and the ignored value is reported', () => {
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, workspaceValue: './evil.onnx' }, false), {
      value: DEFAULT,
      ignored: { value: './evil.onnx', scope: 'workspace' },
    });
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, workspaceFolderValue: '/tmp/evil.onnx' }, false), {
      value: DEFAULT,
      ignored: { value: '/tmp/evil.onnx', scope: 'workspaceFolder' },
    });
  });

  it("untrusted: the user's own setting still applies; an equal workspace value is not reported", () => {
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, globalValue: '/home/me/m.onnx', workspaceValue: 'x.onnx' }, false), {
      value: '/home/me/m.onnx',
      ignored: { value: 'x.onnx', scope: 'workspace' },
    });
    assert.deepEqual(trustedSetting({ defaultValue: DEFAULT, workspaceValue: DEFAULT }, false), { value: DEFAULT });
    assert.deepEqual(trustedSetting(undefined, false), { value: undefined });
  });

  it('untrusted: a labels file inside the workspace is kept, one that leaves it is ignored', () => {
    const d = '.edgeflow/labels.json';
    assert.deepEqual(trustedSetting({ defaultValue: d, workspaceValue: 'data/labels.json' }, false, isWorkspaceRelative), { value: 'data/labels.json' });
    for (const bad of ['/home/me/.bashrc', '../../outside.json', 'a/../../b.json', '~/x.json', 'C:\\x.json', '\\\\server\\share\\x.json', '']) {
      const r = trustedSetting({ defaultValue: d, workspaceValue: bad }, false, isWorkspaceRelative);
      assert.equal(r.value, d, bad);
      if (bad !== d) assert.equal(r.ignored?.value, bad);
    }
    assert.equal(trustedSetting({ defaultValue: d, workspaceValue: '/shared/labels.json' }, true, isWorkspaceRelative).value, '/shared/labels.json');
  });

  it('model settings: names versus paths, and the message says why and how', () => {
    assert.equal(isModelPath('edgeflow-mobilenetv2'), false);
    assert.equal(isModelPath('models/x.onnx'), true);
    assert.equal(isModelPath('x.ONNX'), true);
    assert.equal(isModelPath('..\\x'), true);
    const msg = restrictedSettingMessage('edgeflow.model', './evil.onnx', 'the shipped model (edgeflow-mobilenetv2)');
    assert.match(msg, /Restricted Mode.*"edgeflow\.model": "\.\/evil\.onnx" \(a file of, or chosen by, the workspace\) is ignored and the shipped model \(edgeflow-mobilenetv2\) is used\. Trust the workspace/);
  });

  it("untrusted: even the user's own model path may not load a file of the workspace", () => {
    const folders = ['/work/repo', 'C:\\Users\\me\\proj'];
    // Relative paths resolve into the workspace (or beside the image).
    for (const m of ['models/x.onnx', './x.onnx', 'x.onnx', '..\\x.onnx']) assert.equal(modelFileAllowedUntrusted(m, folders, '/home/me'), false, m);
    // Absolute paths inside a workspace folder, also through '..' tricks or another case on Windows.
    for (const m of ['/work/repo/models/x.onnx', '/work/repo', '/work/other/../repo/x.onnx', 'c:\\users\\me\\proj\\m.onnx']) {
      assert.equal(modelFileAllowedUntrusted(m, folders, '/home/me'), false, m);
    }
    // Outside every workspace folder: the user's own file.
    for (const m of ['/opt/models/x.onnx', '~/models/x.onnx', '/work/repository-2/x.onnx', 'D:\\models\\x.onnx']) {
      assert.equal(modelFileAllowedUntrusted(m, folders, '/home/me'), true, m);
    }
  });

  it('reads a hidden workspace value from settings files (comments, trailing commas, .code-workspace)', () => {
    const text = `{
      // the repo's model
      "edgeflow.model": "models/x.onnx", /* block */
      "url": "http://a//b", // a string holding //
      "list": [1, 2,],
    }`;
    assert.equal(settingFromSettingsText(text, 'edgeflow.model'), 'models/x.onnx');
    assert.equal(settingFromSettingsText(text, 'url'), 'http://a//b');
    assert.equal(settingFromSettingsText(text, 'missing'), undefined);
    assert.equal(settingFromSettingsText('{"folders": [], "settings": {"edgeflow.model": "/m.onnx"}}', 'edgeflow.model', true), '/m.onnx');
    assert.equal(settingFromSettingsText('{"settings": {"edgeflow.model": "/m.onnx"}}', 'edgeflow.model', false), undefined);
    for (const bad of ['', 'not json', '[1]', 'null', '{"a": "\\"}']) assert.equal(settingFromSettingsText(bad, 'a'), undefined, bad);
    assert.equal(settingFromSettingsText('{"a": "x\\"//y" // c\n}', 'a'), 'x"//y');
    assert.equal(settingFromSettingsText('{"__proto__": {"x": 1}}', 'x'), undefined);
    // Strings are never edited (the old comma stripping turned "a, ]b" into "a ]b").
    assert.equal(settingFromSettingsText('{"edgeflow.model": "/models/a, ]b.onnx", // c\n}', 'edgeflow.model'), '/models/a, ]b.onnx');
    assert.equal(settingFromSettingsText('{"m": "x /* not a comment */ y",}', 'm'), 'x /* not a comment */ y');
    // Hostile nesting is not a settings file: undefined, never a stack overflow.
    assert.equal(settingFromSettingsText(`{"a": ${'['.repeat(100_000)}`, 'a'), undefined);
  });

  it('the manifest declares limited support in untrusted workspaces, edgeflow.model restricted', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
    const u = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(u?.supported, 'limited');
    assert.equal(typeof u.description, 'string');
    assert.ok(u.restrictedConfigurations.includes('edgeflow.model'));
    for (const key of u.restrictedConfigurations) {
      assert.ok(pkg.contributes.configuration.properties?.[key] ?? pkg.contributes.configuration.some?.((c: { properties: object }) => key in c.properties), `${key} is declared`);
    }
  });
});
