// The inference service's words to the user (vscode faked): the CPU fallback said once per device
// setting and model, at info level when "auto" finds no GPU (issue 30: a CUDA warning on every
// model load), and the status bar during a model error.
import * as assert from 'node:assert/strict';
import { Uri, installFakeVscode, recorded, resetFakeVscode } from '../helpers/fakeVscode';
import type { InferenceSettings } from '../../../src/extension/inference/inferenceSettings';

async function service() {
  installFakeVscode();
  const { InferenceService } = await import('../../../src/extension/inference/inferenceService');
  return new InferenceService(Uri.file('/ext') as never);
}

const settings = (device: string): InferenceSettings => ({ model: 'edgeflow-mobilenetv2', device, targetSize: 400, mirror: true } as unknown as InferenceSettings);

describe('InferenceService', () => {
  beforeEach(() => resetFakeVscode());

  it('"auto" without a GPU: one info line for every load of a model, no popup, no warning', async () => {
    const svc = await service();
    try {
      const info = { provider: 'cpu', loadMs: 1, warmupMs: 1, fallback: 'EdgeFlow runs on the CPU: this ONNX Runtime offers no GPU provider on this machine.', fallbackDetail: 'CUDA: not tried' };
      for (let i = 0; i < 3; i++) svc.reportFallback(settings('auto'), info);
      const lines = recorded.log.filter((l) => /runs on the CPU/.test(l.text));
      assert.deepEqual(lines.map((l) => l.level), ['info']);
      assert.deepEqual(recorded.messages, []);
    } finally {
      svc.dispose();
    }
  });

  it('a GPU asked for by name that cannot be used: one warning and one popup', async () => {
    const svc = await service();
    try {
      const info = { provider: 'cpu', loadMs: 1, warmupMs: 1, fallback: 'EdgeFlow runs on the CPU: the CUDA device was asked for in "edgeflow.inference.device" but this ONNX Runtime could not use it (details in the EdgeFlow log).' };
      svc.reportFallback(settings('cuda'), info);
      svc.reportFallback(settings('cuda'), info);
      assert.deepEqual(recorded.log.filter((l) => /runs on the CPU/.test(l.text)).map((l) => l.level), ['warn']);
      assert.deepEqual(recorded.messages.map((m) => m.kind), ['warning']);
    } finally {
      svc.dispose();
    }
  });

  it('the status bar shows a model error instead of the last time, and the time again after', async () => {
    const svc = await service();
    try {
      const bar = (svc as unknown as { statusBar: { text: string; tooltip: string; command?: { command: string; arguments?: unknown[] } | string; backgroundColor?: { id: string } } }).statusBar;
      svc.showStatus('cpu', 123, 100);
      assert.match(bar.text, /CPU · 123 ms/);
      const message = 'Click segmentation is off: models/x.onnx is not a valid ONNX model (…). Point "edgeflow.model" at an EdgeFlow ONNX file, then click again.';
      svc.showError(message);
      assert.doesNotMatch(bar.text, /ms/);
      assert.match(bar.text, /Click segmentation failed/);
      assert.equal(bar.tooltip, message);
      assert.equal(bar.backgroundColor?.id, 'statusBarItem.errorBackground');
      assert.deepEqual(typeof bar.command === 'object' && [bar.command.command, bar.command.arguments], ['workbench.action.openSettings', ['edgeflow.model']]);
      // Set by the workspace: its tab opens, where the value in effect can be changed.
      recorded.settings.set('edgeflow.model', { defaultValue: 'edgeflow-mobilenetv2', workspaceValue: 'models/x.onnx' });
      svc.showError(message);
      assert.deepEqual(typeof bar.command === 'object' && [bar.command.command, bar.command.arguments], ['workbench.action.openWorkspaceSettings', ['edgeflow.model']]);
      svc.showError('the inference worker stopped (exit code 1)');
      assert.equal(typeof bar.command === 'object' && bar.command.command, 'edgeflow.showLog');
      svc.showStatus('cpu', 80, 70);
      assert.match(bar.text, /CPU · 80 ms/);
      assert.equal(bar.backgroundColor, undefined);
      assert.equal(bar.command, undefined);
    } finally {
      svc.dispose();
    }
  });
});
