// The setting a model error names (the click panel's "Open Setting" and the status bar's click).
import * as assert from 'node:assert/strict';
import { explainModelError } from '../../../src/extension/modelCheck';
import { isEdgeflowSettingKey, settingInMessage } from '../../../src/shared/inference/settingInMessage';

describe('settingInMessage', () => {
  it("finds the setting in explainModelError's messages", () => {
    const corrupt = explainModelError('load', 'models/x.onnx', new Error('Protobuf parsing failed'), 'edgeflow.model');
    assert.equal(settingInMessage(corrupt), 'edgeflow.model');
    const oom = explainModelError('run', 'models/x.onnx', new Error('Failed to allocate memory for requested buffer of size 123'), 'edgeflow.model');
    assert.match(oom, /ran out of memory/);
    assert.equal(settingInMessage(oom), 'edgeflow.inference.targetSize');
  });

  it('null when no quoted edgeflow key is named; the sentence\'s full stop is not part of it', () => {
    assert.equal(settingInMessage('The inference worker stopped (exit code 1).'), null);
    assert.equal(settingInMessage('see edgeflow.model.'), null, 'only a quoted key counts');
    assert.equal(settingInMessage('Set "edgeflow.model".'), 'edgeflow.model');
  });

  it('isEdgeflowSettingKey accepts only edgeflow.* keys', () => {
    assert.ok(isEdgeflowSettingKey('edgeflow.inference.device'));
    for (const k of ['edgeflow', 'workbench.editorAssociations', 'edgeflow.model @ext:x', 'edgeflow..x', 7, null]) assert.ok(!isEdgeflowSettingKey(k), String(k));
  });
});
