// `edgeflow.inference.device: auto` on a CPU-only machine (issue 30): CUDA, whose provider library
// ships apart from onnxruntime-node, is not even tried when the library is missing, so ONNX
// Runtime prints nothing on each model load; the host says the fallback once, at info level.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuCandidates, libraryProbe, ortBindingDir, providerLibraryName, type BackendEntry } from '../../../src/extension/inference/gpuProviders';
import { inputPath, repoRoot } from '../helpers/golden';
import { inferenceWorkerScript } from '../helpers/worker';

const LINUX_ORT: BackendEntry[] = [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }, { name: 'tensorrt', bundled: false }];

describe('GPU providers for device "auto"', () => {
  it('skips CUDA when its provider library is not installed, tries it when it is', () => {
    assert.deepEqual(gpuCandidates({ platform: 'linux', backends: LINUX_ORT, providerLibraryPresent: () => false }), { tries: [], missingLibrary: ['cuda'] });
    assert.deepEqual(gpuCandidates({ platform: 'linux', backends: LINUX_ORT, providerLibraryPresent: (p) => p === 'cuda' }), { tries: ['cuda'], missingLibrary: [] });
    // A build whose CUDA is bundled needs no separate file; an unlisted provider is never tried.
    assert.deepEqual(gpuCandidates({ platform: 'linux', backends: [{ name: 'cuda', bundled: true }], providerLibraryPresent: () => false }).tries, ['cuda']);
    assert.deepEqual(gpuCandidates({ platform: 'linux', backends: [{ name: 'cpu', bundled: true }], providerLibraryPresent: () => true }), { tries: [], missingLibrary: [] });
  });

  it('DirectML and Core ML are part of their platform binding; CUDA on Windows follows the same rule', () => {
    const win = [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }, { name: 'cuda', bundled: false }];
    assert.deepEqual(gpuCandidates({ platform: 'win32', backends: win, providerLibraryPresent: () => false }), { tries: ['dml'], missingLibrary: ['cuda'] });
    assert.deepEqual(gpuCandidates({ platform: 'win32', backends: win, providerLibraryPresent: () => true }).tries, ['cuda', 'dml']);
    assert.deepEqual(gpuCandidates({ platform: 'darwin', backends: [{ name: 'cpu', bundled: true }], providerLibraryPresent: () => false }).tries, ['coreml']);
  });

  it('the probe looks for the platform\'s library file in the binding folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeflow-ort-'));
    try {
      assert.equal(libraryProbe(dir, 'linux')('cuda'), false);
      writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), '');
      assert.equal(libraryProbe(dir, 'linux')('cuda'), true);
      assert.equal(libraryProbe(dir, 'win32')('cuda'), false, 'Windows wants onnxruntime_providers_cuda.dll');
      assert.equal(providerLibraryName('cuda', 'win32'), 'onnxruntime_providers_cuda.dll');
      assert.equal(libraryProbe(undefined, 'linux')('cuda'), true, 'an unknown folder: try, as before');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(ortBindingDir()?.endsWith(join('bin', 'napi-v6', process.platform, process.arch)));
  });

  it('a model load with "auto" on this CPU-only machine writes nothing to stderr', function () {
    this.timeout(30000);
    const dir = ortBindingDir();
    if (dir && libraryProbe(dir)('cuda')) this.skip(); // a machine with the CUDA provider installed
    // The worker in a child process: ONNX Runtime's own logger writes to the process's fd 2.
    const script = `
      const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(inferenceWorkerScript())});
      w.on('message', (r) => { console.log(JSON.stringify(r)); process.exit(0); });
      w.postMessage({ type: 'init', id: 0, modelPath: ${JSON.stringify(inputPath('inference/tiny-contract.onnx'))}, device: 'auto', warmup: false });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot(), encoding: 'utf8', timeout: 25000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'ONNX Runtime printed on a model load');
    const reply = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(reply.type, 'ok', r.stdout);
    assert.equal(reply.info.provider, 'cpu');
    assert.match(reply.info.fallback, /offers no GPU provider/);
    assert.match(reply.info.fallbackDetail, /CUDA: not tried, its provider library \(libonnxruntime_providers_cuda\.so\) is not installed/);
  });
});
