// Runs an ONNX model with onnxruntime-node for the Python side (parity test, ONNX evaluation).
// Protocol on stdin/stdout, repeated: a 4-byte little-endian length, a JSON header
// {"inputs":[{"name","dims"}...]}, then the float32 data of each input in order. The reply is the
// same framing with {"outputs":[{"name","dims"}...]} (or {"error": "..."}) and float32 data.
'use strict';
const path = require('path');
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const ort = require(path.join(repoRoot, 'node_modules', 'onnxruntime-node'));

async function main() {
  const modelPath = process.argv[2];
  const threads = Number(process.argv[3] || 2);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  let buf = Buffer.alloc(0);
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        if (buf.length < 4) break;
        const hlen = buf.readUInt32LE(0);
        if (buf.length < 4 + hlen) break;
        const header = JSON.parse(buf.subarray(4, 4 + hlen).toString('utf8'));
        const sizes = header.inputs.map((i) => i.dims.reduce((a, b) => a * b, 1) * 4);
        const total = 4 + hlen + sizes.reduce((a, b) => a + b, 0);
        if (buf.length < total) break;
        let off = 4 + hlen;
        const feeds = {};
        for (let k = 0; k < header.inputs.length; k++) {
          const copy = Buffer.from(buf.subarray(off, off + sizes[k]));
          feeds[header.inputs[k].name] = new ort.Tensor('float32',
            new Float32Array(copy.buffer, copy.byteOffset, sizes[k] / 4), header.inputs[k].dims);
          off += sizes[k];
        }
        buf = buf.subarray(total);
        let reply;
        const chunks = [];
        try {
          const res = await session.run(feeds);
          const outputs = [];
          for (const name of session.outputNames) {
            outputs.push({ name, dims: res[name].dims });
            const d = res[name].data;
            chunks.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
          }
          reply = { outputs };
        } catch (e) {
          reply = { error: String(e && e.message ? e.message : e) };
          chunks.length = 0;
        }
        const hb = Buffer.from(JSON.stringify(reply), 'utf8');
        const lb = Buffer.alloc(4);
        lb.writeUInt32LE(hb.length, 0);
        process.stdout.write(Buffer.concat([lb, hb, ...chunks]));
      }
    } finally {
      busy = false;
    }
  };
  process.stdin.on('data', (d) => { buf = Buffer.concat([buf, d]); pump(); });
  process.stdin.on('end', () => {});
}

main().catch((e) => { process.stderr.write(String(e && e.stack ? e.stack : e) + '\n'); process.exit(1); });
