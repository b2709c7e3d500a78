/**
 * Where ONNX Runtime's native library cannot load (a VSIX for another platform, a broken install:
 * issue 34), click segmentation says so in one line a user can act on, and does not invite a
 * retry that cannot help; the rest of the editor keeps working (the editor opens images without
 * the model: the image decoding and the polygon tools do not need it).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { explainModelError } from '../../../src/extension/modelCheck';

const FAILURES = [
  "Cannot find module '/ext/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node'",
  '/ext/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1: invalid ELF header',
  "Error: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /ext/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node)",
  "dlopen(/ext/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node, 0x0001): tried: '...' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))",
  '/ext/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node: libonnxruntime.so.1: cannot open shared object file: No such file or directory',
  '\\\\?\\C:\\ext\\node_modules\\onnxruntime-node\\bin\\napi-v6\\win32\\x64\\onnxruntime_binding.node is not a valid Win32 application.',
];

describe('ONNX Runtime that cannot load on this machine (issue 34)', function () {
  this.timeout(20_000);

  it('each way a native library fails to load gets one line naming the platform, without "click again"', () => {
    for (const f of FAILURES) {
      const m = explainModelError('load', 'edgeflow-mobilenetv2', new Error(f));
      assert.match(m, /^Click segmentation is unavailable: ONNX Runtime could not load on this machine \(/, f);
      assert.ok(m.includes(`${process.platform}-${process.arch}`), m);
      assert.ok(!/click again/i.test(m), m);
      assert.ok(!m.includes('\n'), 'one line');
      assert.match(m, /polygon tools keep working/);
    }
    // Not mistaken for it: a model path that merely contains ".so" or "onnxruntime".
    const other = explainModelError('load', '/data/.sockets/onnxruntime-models/x.onnx', new Error('Load model from /data/.sockets/onnxruntime-models/x.onnx failed: Protobuf parsing failed'));
    assert.match(other, /is not a valid ONNX model/);
  });

  it('a worker whose ONNX Runtime binding is missing rejects the session with that error, and the pool forgets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeflow-native-'));
    const script = join(dir, 'worker.js');
    // What the bundled worker does when `require('onnxruntime-node')` finds no binding for this platform.
    writeFileSync(script, `throw new Error(${JSON.stringify(FAILURES[0])});\n`);
    const pool = new SessionPool(script, 50);
    try {
      const h = pool.acquire('/models/m.onnx', 'cpu');
      const e = await h.ready.then(() => assert.fail('loaded'), (err: Error) => err);
      const m = explainModelError('load', 'edgeflow-mobilenetv2', e);
      assert.match(m, /^Click segmentation is unavailable: ONNX Runtime could not load on this machine/, m);
      for (let i = 0; i < 100 && pool.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(pool.size, 0, 'the failed session is forgotten (the next click tries again after a reinstall)');
    } finally {
      await pool.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
