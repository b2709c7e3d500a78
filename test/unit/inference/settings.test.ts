// The one reader of the inference settings (inferenceSettings.ts) against a fake configuration:
// defaults, clamping, and what Workspace Trust lets through.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import {
  DEFAULT_MODEL_NAME,
  SettingsEnvironment,
  SettingsWorkspace,
  affectsInferenceSettings,
  readInferenceSettings,
} from '../../../src/extension/inference/inferenceSettings';

const fakeUri = (p: string) => ({ scheme: 'file', path: p, fsPath: p, toString: () => `file://${p}` }) as unknown as vscode.Uri;
const FOLDER = fakeUri('/ws');
const IMAGE = fakeUri('/ws/images/a.png');

interface Values {
  /** Values by key below `edgeflow.` */
  user?: Record<string, unknown>;
  workspace?: Record<string, unknown>;
  folder?: Record<string, unknown>;
}

/** A workspace whose configuration answers `get` and `inspect` like VS Code's, from `values`. */
function workspace(values: Values, trusted = true, folders = [FOLDER]): SettingsWorkspace {
  const defaults: Record<string, unknown> = { model: DEFAULT_MODEL_NAME, 'inference.device': 'auto', 'inference.targetSize': 400, 'inference.mirrorAveraging': true };
  const config = {
    inspect: <T>(key: string) => ({
      key: `edgeflow.${key}`,
      defaultValue: defaults[key] as T,
      globalValue: values.user?.[key] as T | undefined,
      workspaceValue: values.workspace?.[key] as T | undefined,
      workspaceFolderValue: values.folder?.[key] as T | undefined,
    }),
    get: <T>(key: string, fallback?: T): T => {
      for (const v of [values.folder, values.workspace, values.user]) if (v && key in v) return v[key] as T;
      return (key in defaults ? defaults[key] : fallback) as T;
    },
  } as unknown as vscode.WorkspaceConfiguration;
  return {
    isTrusted: trusted,
    workspaceFolders: folders.map((uri) => ({ uri })),
    workspaceFile: undefined,
    getConfiguration: (section: string) => {
      assert.equal(section, 'edgeflow');
      return config;
    },
    getWorkspaceFolder: (u: vscode.Uri) => folders.find((f) => u.path.startsWith(`${f.path}/`)) && { uri: folders.find((f) => u.path.startsWith(`${f.path}/`))! },
  };
}

/** No settings files on disk unless given; HOME is /home/me. */
const env = (files: Record<string, string> = {}): SettingsEnvironment => ({
  home: '/home/me',
  readText: (file) => {
    if (!(file in files)) throw new Error(`ENOENT ${file}`);
    return files[file];
  },
});

describe('inference settings reader', () => {
  it('defaults', () => {
    assert.deepEqual(readInferenceSettings(workspace({}), IMAGE, true, env()), { model: DEFAULT_MODEL_NAME, device: 'auto', targetSize: 400, mirror: true, keepLoaded: true });
  });

  it('clamps, rounds and falls back from values the schema would refuse', () => {
    const read = (user: Record<string, unknown>) => readInferenceSettings(workspace({ user }), IMAGE, true, env());
    assert.equal(read({ 'inference.targetSize': 50 }).targetSize, 128);
    assert.equal(read({ 'inference.keepModelLoaded': false }).keepLoaded, false);
    assert.equal(read({ 'inference.keepModelLoaded': 'no' }).keepLoaded, true, 'only false turns it off');
    assert.equal(read({ 'inference.targetSize': 5000 }).targetSize, 1024);
    assert.equal(read({ 'inference.targetSize': 399.6 }).targetSize, 400);
    assert.equal(read({ 'inference.targetSize': 'big' }).targetSize, 400);
    assert.equal(read({ 'inference.targetSize': Number.NaN }).targetSize, 400);
    assert.equal(read({ 'inference.device': 'cuda' }).device, 'cuda');
    assert.equal(read({ 'inference.device': 'tpu' }).device, 'auto');
    assert.equal(read({ 'inference.mirrorAveraging': false }).mirror, false);
    assert.equal(read({ 'inference.mirrorAveraging': 'no' }).mirror, true);
    assert.equal(read({ model: '  my-model  ' }).model, 'my-model');
    assert.equal(read({ model: '   ' }).model, DEFAULT_MODEL_NAME);
  });

  it('trusted: the folder overrides the workspace, which overrides the user', () => {
    const w = workspace({ user: { model: 'u' }, workspace: { model: 'w.onnx' }, folder: { model: 'models/f.onnx' } });
    assert.deepEqual(readInferenceSettings(w, IMAGE, true, env()).model, 'models/f.onnx');
  });

  it('untrusted: a workspace model is ignored (and named), the user\'s or the shipped one is used', () => {
    const r = readInferenceSettings(workspace({ workspace: { model: 'models/repo.onnx' } }, false), IMAGE, false, env());
    assert.deepEqual(r, { model: DEFAULT_MODEL_NAME, device: 'auto', targetSize: 400, mirror: true, keepLoaded: true, ignoredModel: 'models/repo.onnx' });
    const u = readInferenceSettings(workspace({ user: { model: 'other-shipped' }, folder: { model: 'x.onnx' } }, false), IMAGE, false, env());
    assert.equal(u.model, 'other-shipped');
    assert.equal(u.ignoredModel, 'x.onnx');
  });

  it('untrusted: the workspace value VS Code hides is read from .vscode/settings.json to say why', () => {
    const files = { '/ws/.vscode/settings.json': '{\n  // the repo\'s model\n  "edgeflow.model": " models/hidden.onnx ",\n}\n' };
    const r = readInferenceSettings(workspace({}, false), IMAGE, false, env(files));
    assert.equal(r.model, DEFAULT_MODEL_NAME);
    assert.equal(r.ignoredModel, 'models/hidden.onnx');
    // The same value as the one in use is not "ignored".
    const same = { '/ws/.vscode/settings.json': `{"edgeflow.model": "${DEFAULT_MODEL_NAME}"}` };
    assert.equal(readInferenceSettings(workspace({}, false), IMAGE, false, env(same)).ignoredModel, undefined);
  });

  it("untrusted: the user's own model path is loaded only when it is absolute and outside the workspace", () => {
    const read = (model: string) => readInferenceSettings(workspace({ user: { model } }, false), IMAGE, false, env());
    assert.deepEqual([read('models/mine.onnx').model, read('models/mine.onnx').ignoredModel], [DEFAULT_MODEL_NAME, 'models/mine.onnx']);
    assert.equal(read('/ws/models/mine.onnx').model, DEFAULT_MODEL_NAME);
    assert.equal(read('/opt/edgeflow/mine.onnx').model, '/opt/edgeflow/mine.onnx');
    assert.equal(read('~/models/mine.onnx').model, '~/models/mine.onnx');
    // Trusted: anything goes.
    assert.equal(readInferenceSettings(workspace({ user: { model: 'models/mine.onnx' } }), IMAGE, true, env()).model, 'models/mine.onnx');
  });

  it('the trust state defaults to the workspace\'s', () => {
    assert.equal(readInferenceSettings(workspace({ workspace: { model: 'w.onnx' } }, false), IMAGE, undefined, env()).ignoredModel, 'w.onnx');
    assert.equal(readInferenceSettings(workspace({ workspace: { model: 'w.onnx' } }, true), IMAGE, undefined, env()).model, 'w.onnx');
  });

  it('knows which configuration changes touch it', () => {
    const change = (...keys: string[]) => ({ affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(`${s}.`)) });
    assert.equal(affectsInferenceSettings(change('edgeflow.model')), true);
    assert.equal(affectsInferenceSettings(change('edgeflow.inference.targetSize')), true);
    assert.equal(affectsInferenceSettings(change('edgeflow.display.fillOpacity')), false);
    assert.equal(affectsInferenceSettings(change('edgeflow.labelsFile')), false);
  });
});
