/**
 * Model failures: a corrupt or truncated file, a model with the wrong inputs or outputs, and a
 * run that fails (out of memory) each end in a message a user can act on; the contract of
 * models/README.md is checked on load with every mismatch named; the next attempt retries (a
 * failed load is forgotten by the session pool). Models: test/fixtures/models/make.py.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Predictor } from '../../../src/extension/inference/predictor';
import { SessionPool } from '../../../src/extension/inference/sessionPool';
import { ModelContractError, assertModelContract, contractProblems, explainModelError } from '../../../src/extension/modelCheck';
import { repoRoot } from '../helpers/golden';
import { rng } from '../helpers/masks';
import { inferenceWorkerScript } from '../helpers/worker';

const model = (name: string) => join(repoRoot(), 'test', 'fixtures', 'models', name);
const SHIPPED = join(repoRoot(), 'models', 'edgeflow-mobilenetv2.onnx');

async function metadata(file: string) {
  const s = await ort.InferenceSession.create(file);
  try {
    return { inputs: s.inputMetadata, outputs: s.outputMetadata };
  } finally {
    await s.release();
  }
}

async function loadError(file: string): Promise<Error> {
  try {
    await ort.InferenceSession.create(file);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${file} loaded`);
}

describe('security: model contract check on load', function () {
  this.timeout(20000);

  it('accepts the shipped model and a minimal model that follows the contract', async () => {
    for (const f of [SHIPPED, model('tiny-ok.onnx')]) {
      const m = await metadata(f);
      assert.deepEqual(contractProblems(m.inputs, m.outputs), [], f);
    }
  });

  it('names the wrong inputs', async () => {
    const m = await metadata(model('wrong-inputs.onnx'));
    const p = contractProblems(m.inputs, m.outputs);
    assert.deepEqual(p, [
      'it has no input named "image"',
      'it has no input named "clicks"',
      'it has no input named "prev_edge"',
      'it has input "input" that the contract does not feed',
      'output "mask_logits" has shape [1,3,height,width] (3 channels), expected [1,1,H,W]',
      'it has no output named "edge_logits"',
    ]);
  });

  it('names wrong channels, element types and fixed sizes', async () => {
    const m = await metadata(model('wrong-shapes.onnx'));
    assert.deepEqual(contractProblems(m.inputs, m.outputs), [
      'input "image" has shape [1,3,512,width] (a fixed height or width (H and W must be dynamic)), expected [1,3,H,W]',
      'input "clicks" has shape [1,3,height,width] (3 channels), expected [1,2,H,W]',
      'input "prev_edge" is int64, expected float32',
    ]);
  });

  it('names a missing output; the optional coarse_logits may be absent', async () => {
    const m = await metadata(model('no-edge-output.onnx'));
    assert.deepEqual(contractProblems(m.inputs, m.outputs), ['it has no output named "edge_logits"']);
    assert.throws(() => assertModelContract('x.onnx', m.inputs, m.outputs), (e: Error) => e instanceof ModelContractError && /edge_logits/.test(e.message));
  });

  it('rejects non-tensors and wrong ranks', () => {
    const t = (name: string, shape: (number | string)[]) => ({ name, isTensor: true as const, type: 'float32', shape });
    const p = contractProblems(
      [t('image', [3, 'h', 'w']), { name: 'clicks', isTensor: false }, t('prev_edge', [2, 1, 'h', 'w'])],
      [t('mask_logits', [1, 1, 'h', 'w']), t('edge_logits', [1, 1, 'h', 'w'])],
    );
    assert.deepEqual(p, [
      'input "image" has shape [3,h,w], expected [1,3,H,W]',
      'input "clicks" is not a tensor',
      'input "prev_edge" has shape [2,1,h,w] (batch 2), expected [1,1,H,W]',
    ]);
  });
});

describe('security: model failure messages', function () {
  this.timeout(20000);

  it('a random-bytes file and a truncated file are "not a valid ONNX model"', async () => {
    for (const f of ['not-onnx.onnx', 'truncated.onnx']) {
      const msg = explainModelError('load', f, await loadError(model(f)));
      assert.match(msg, /is not a valid ONNX model \(the file is corrupt, truncated/);
      assert.match(msg, /"edgeflow\.model"/);
      assert.match(msg, /polygon tools keep working/);
    }
  });

  it('an allocation failure during a run is "ran out of memory", with what to do', async () => {
    const s = await ort.InferenceSession.create(model('run-fails.onnx'));
    const z = (c: number) => new ort.Tensor('float32', new Float32Array(c * 32 * 32), [1, c, 32, 32]);
    let error: Error | undefined;
    try {
      await s.run({ image: z(3), clicks: z(2), prev_edge: z(1) });
    } catch (e) {
      error = e as Error;
    } finally {
      await s.release();
    }
    assert.ok(error, 'the run should fail');
    const msg = explainModelError('run', 'run-fails.onnx', error);
    assert.match(msg, /ran out of memory running the model run-fails\.onnx/);
    assert.match(msg, /edgeflow\.inference\.targetSize/);
  });

  it('every message goes through the translator (vscode.l10n.t in the extension)', () => {
    const seen: string[] = [];
    const t = (m: string, ...a: (string | number)[]) => {
      seen.push(m);
      return `T:${m}|${a.join('|')}`;
    };
    const errors: [('load' | 'run'), Error][] = [
      ['load', new ModelContractError('x', ['it has no input named "image"'])],
      ['run', new Error('Failed to allocate memory for requested buffer')],
      ['load', Object.assign(new Error('nope'), { code: 'ENOENT' })],
      ['load', new Error('Load model from x failed:Protobuf parsing failed.')],
      ['run', new Error('the inference worker stopped (exit code 1)')],
      ['load', new Error('odd')],
      ['run', new Error('odd')],
    ];
    for (const [stage, e] of errors) assert.match(explainModelError(stage, 'm.onnx', e, 'edgeflow.model', t), /^T:Click segmentation/);
    assert.equal(new Set(seen).size, errors.length, 'one template per case');
    for (const m of seen) assert.ok(!m.includes('m.onnx'), 'values are arguments, not part of the template');
  });

  it('other errors keep their first line, without ONNX Runtime source locations', () => {
    const e = new Error("/onnxruntime_src/onnxruntime/core/framework/x.cc:12 void f() Something odd happened\nstack...");
    const msg = explainModelError('run', 'm.onnx', e);
    assert.match(msg, /failed on this click \(the model m\.onnx did not run: Something odd happened\)/);
    const gone = explainModelError('run', 'm.onnx', new Error('the inference worker stopped (exit code 1)'));
    assert.match(gone, /stopped unexpectedly.*Click again/);
  });
});

describe('fuzz: byte-mutated model files', function () {
  this.timeout(60000);

  it('every mutant is refused with a message, or loads and is checked; no crash (seeded)', async () => {
    const base = readFileSync(model('tiny-ok.onnx'));
    const r = rng(Number(process.env.FUZZ_SEED ?? 0x0dd));
    const counts = { mutants: 0, refused: 0, loaded: 0, contractOk: 0, contractProblems: 0, ran: 0, runFailed: 0 };
    const z = (c: number) => new ort.Tensor('float32', new Float32Array(c * 32 * 32), [1, c, 32, 32]);
    const check = (msg: string) => {
      assert.ok(msg.length > 20 && msg.length < 900, msg);
      assert.match(msg, /polygon tools keep working/);
    };
    for (let i = 0; i < 500; i++) {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(r() * 4);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(r() * b.length);
        b[at] = r() < 0.5 ? b[at] ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
      }
      counts.mutants++;
      let s: ort.InferenceSession;
      try {
        s = await ort.InferenceSession.create(b);
      } catch (e) {
        counts.refused++;
        check(explainModelError('load', 'mutant.onnx', e as Error));
        continue;
      }
      counts.loaded++;
      try {
        const problems = contractProblems(s.inputMetadata, s.outputMetadata);
        if (problems.length) {
          counts.contractProblems++;
          check(explainModelError('load', 'mutant.onnx', new ModelContractError('mutant.onnx', problems)));
          continue;
        }
        counts.contractOk++;
        try {
          await s.run({ image: z(3), clicks: z(2), prev_edge: z(1) });
          counts.ran++;
        } catch (e) {
          counts.runFailed++;
          check(explainModelError('run', 'mutant.onnx', e as Error));
        }
      } finally {
        await s.release();
      }
    }
    console.log(`      ${JSON.stringify(counts)}`);
    assert.equal(counts.mutants, 500);
    assert.ok(counts.refused > 100);
  });
});

describe('security: model failures through the worker, and the retry', function () {
  this.timeout(30000);
  let pool: SessionPool;
  const image = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(100) };
  before(() => {
    // No warm-up: the run-fails model must fail on a click, not while loading.
    pool = new SessionPool(inferenceWorkerScript(), 200, false);
  });
  after(async () => pool.dispose());

  it('a contract mismatch rejects the load with every problem named, the pool forgets it', async () => {
    const f = model('wrong-shapes.onnx');
    await assert.rejects(Predictor.open(pool, image, { modelPath: f, device: 'cpu', targetSize: 128 }), (e: Error) => {
      const msg = explainModelError('load', 'wrong-shapes.onnx', e);
      assert.match(msg, /does not match the EdgeFlow contract \(input "image" has shape \[1,3,512,width\].*input "clicks" .*3 channels.*"prev_edge" is int64/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(pool.size, 0, 'a failed load must not stay in the pool');
  });

  it('a corrupt file rejects the load; the next attempt with a good model works', async () => {
    await assert.rejects(Predictor.open(pool, image, { modelPath: model('not-onnx.onnx'), device: 'cpu', targetSize: 128 }), (e: Error) => {
      assert.match(explainModelError('load', 'not-onnx.onnx', e), /not a valid ONNX model/);
      return true;
    });
    const p = await Predictor.open(pool, image, { modelPath: model('tiny-ok.onnx'), device: 'cpu', targetSize: 128 });
    try {
      const r = await p.predict([{ x: 30, y: 20, positive: true }]);
      assert.ok(r && r.box.width > 0 && r.box.height > 0, 'the control model predicts a mask');
    } finally {
      p.dispose();
    }
  });

  it('a run that runs out of memory rejects that click only; the next click retries', async () => {
    const p = await Predictor.open(pool, image, { modelPath: model('run-fails.onnx'), device: 'cpu', targetSize: 128 });
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(p.predict([{ x: 10, y: 10, positive: true }]), (e: Error) => {
          assert.match(explainModelError('run', 'run-fails.onnx', e), /ran out of memory/);
          return true;
        });
      }
    } finally {
      p.dispose();
    }
  });
});
