/**
 * Model failures in plain words: the check of a loaded ONNX model against the contract in
 * models/README.md (names, element types, ranks, channels, dynamic H and W), and the messages the
 * editor shows when a model cannot be found, loaded or run. No vscode and no onnxruntime import:
 * the inference worker and the unit tests use it as it is.
 */

/** What ONNX Runtime reports about one input or output (`InferenceSession.ValueMetadata`). */
export type ValueInfo =
  | { readonly name: string; readonly isTensor: false }
  | { readonly name: string; readonly isTensor: true; readonly type: string; readonly shape: ReadonlyArray<number | string> };

interface Expected {
  name: string;
  channels: number;
  required: boolean;
}

/** The contract (models/README.md §1): float32 NCHW, N = 1, dynamic H and W. */
export const MODEL_INPUTS: readonly Expected[] = [
  { name: 'image', channels: 3, required: true },
  { name: 'clicks', channels: 2, required: true },
  { name: 'prev_edge', channels: 1, required: true },
];
export const MODEL_OUTPUTS: readonly Expected[] = [
  { name: 'mask_logits', channels: 1, required: true },
  { name: 'edge_logits', channels: 1, required: true },
  { name: 'coarse_logits', channels: 1, required: false },
];

/** A model that loads but does not follow the contract; `problems` name each mismatch. */
export class ModelContractError extends Error {
  constructor(readonly modelPath: string, readonly problems: string[]) {
    super(`${modelPath} does not follow the EdgeFlow model contract (models/README.md): ${problems.join('; ')}.`);
    this.name = 'ModelContractError';
  }
}

function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : typeof d === 'string' && d ? d : '?')).join(',')}]`;
}

function checkOne(kind: 'input' | 'output', e: Expected, v: ValueInfo | undefined, out: string[]): void {
  if (!v) {
    if (e.required) out.push(`it has no ${kind} named "${e.name}"`);
    return;
  }
  if (!v.isTensor) {
    out.push(`${kind} "${e.name}" is not a tensor`);
    return;
  }
  if (v.type !== 'float32') out.push(`${kind} "${e.name}" is ${v.type}, expected float32`);
  const s = v.shape;
  // An empty shape means ONNX Runtime knows nothing about it: accepted, the run will tell.
  if (s.length === 0) return;
  const want = `[1,${e.channels},H,W]`;
  if (s.length !== 4) {
    out.push(`${kind} "${e.name}" has shape ${shapeText(s)}, expected ${want}`);
    return;
  }
  const fixed = (d: number | string) => typeof d === 'number' && d >= 0;
  const bad: string[] = [];
  if (fixed(s[0]) && s[0] !== 1) bad.push(`batch ${s[0]}`);
  if (fixed(s[1]) && s[1] !== e.channels) bad.push(`${s[1]} channels`);
  // Fixed H or W cannot take the padded sizes the predictor feeds (multiples of 32 from 128 to 1024).
  if (fixed(s[2]) || fixed(s[3])) bad.push('a fixed height or width (H and W must be dynamic)');
  if (bad.length) out.push(`${kind} "${e.name}" has shape ${shapeText(s)} (${bad.join(', ')}), expected ${want}`);
}

/**
 * The mismatches between a loaded model's inputs/outputs and the contract, in words; empty when
 * the model follows it. Extra outputs are ignored; an extra input is a mismatch (nothing would
 * feed it).
 */
export function contractProblems(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): string[] {
  const out: string[] = [];
  const byName = (list: readonly ValueInfo[]) => new Map(list.map((v) => [v.name, v]));
  const ins = byName(inputs);
  const outs = byName(outputs);
  for (const e of MODEL_INPUTS) checkOne('input', e, ins.get(e.name), out);
  const known = new Set(MODEL_INPUTS.map((e) => e.name));
  const extra = inputs.filter((v) => !known.has(v.name)).map((v) => `"${v.name}"`);
  if (extra.length) out.push(`it has input${extra.length > 1 ? 's' : ''} ${extra.join(', ')} that the contract does not feed`);
  for (const e of MODEL_OUTPUTS) checkOne('output', e, outs.get(e.name), out);
  return out;
}

/** Throws a `ModelContractError` naming every mismatch, if there is any. */
export function assertModelContract(modelPath: string, inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): void {
  const problems = contractProblems(inputs, outputs);
  if (problems.length) throw new ModelContractError(modelPath, problems);
}

/** Where a model failure happened. */
export type ModelStage = 'load' | 'run';

const OUT_OF_MEMORY = /bad_alloc|failed to allocate|out of memory|cannot allocate|allocation fail|ENOMEM/i;
const NOT_ONNX = /protobuf parsing failed|invalid protobuf|model_proto|failed to load model|no graph was found|ModelProto does not have a graph|Load model from .* failed/i;
// ONNX Runtime's words for a model path that is not there; its errors reach us from the worker
// without `code`.
const NOT_FOUND = /File doesn't exist|no such file or directory|ENOENT/i;
const WORKER_GONE = /inference worker stopped|worker.*(exit|terminated)/i;
/**
 * ONNX Runtime's native library could not load: a VSIX for another platform, a broken install,
 * or a system library it needs is missing (issue 34). Retrying cannot help.
 */
const NATIVE_MISSING = /onnxruntime_binding|onnxruntime[^\n]*\.(node|so|dylib|dll)\b|ERR_DLOPEN_FAILED|invalid ELF header|wrong ELF class|not a valid Win32 application|incompatible architecture|mach-o, but wrong architecture|GLIBC_[0-9.]+' not found/i;

/** The first line of an error message, trimmed to a length a notification can show. */
function firstLine(message: string): string {
  const line = message.split('\n').map((l) => l.trim()).find((l) => l) ?? message;
  // ONNX Runtime prefixes its source location: keep the words after it.
  const words = line.replace(/^.*?\.(cc|h|cpp):\d+\s+[^\s]*\s*[^)]*\)\s*/, '');
  return (words || line).slice(0, 300);
}

/** `vscode.l10n.t`'s shape: a message with {0}-style placeholders and its arguments. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

/** English, placeholders filled (the default when no translator is passed: tests, the CLI). */
export const english: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, n: string) => (Number(n) < args.length ? String(args[Number(n)]) : m));

/**
 * The message the editor shows for a model failure: what failed, why in words a user can act on,
 * and what to do. `model` is the file (or shipped name) the user configured, `settingKey` the
 * setting to fix; `t` translates (the extension passes `vscode.l10n.t`).
 */
export function explainModelError(stage: ModelStage, model: string, error: Error, settingKey = 'edgeflow.model', t: Translate = english): string {
  if (error instanceof ModelContractError || error.name === 'ModelContractError' || /does not follow the EdgeFlow model contract/.test(error.message)) {
    const detail = error instanceof ModelContractError ? error.problems.join('; ') : firstLine(error.message.replace(/^.*?models\/README\.md\):\s*/, ''));
    return t('Click segmentation is off: the model {0} does not match the EdgeFlow contract ({1}). Point "{2}" at an EdgeFlow ONNX file (see models/README.md); the polygon tools keep working.', model, detail.replace(/\.$/, ''), settingKey);
  }
  const m = error.message;
  if (OUT_OF_MEMORY.test(m)) {
    return stage === 'load'
      ? t('Click segmentation ran out of memory loading the model {0}. Close other editors or lower "edgeflow.inference.targetSize", then click again; the polygon tools keep working.', model)
      : t('Click segmentation ran out of memory running the model {0}. Close other editors or lower "edgeflow.inference.targetSize", then click again; the polygon tools keep working.', model);
  }
  // Before "not found": a missing native library also says "No such file or directory".
  if (NATIVE_MISSING.test(m)) {
    return t(
      'Click segmentation is unavailable: ONNX Runtime could not load on this machine ({0}; {1}). Install the EdgeFlow VSIX built for this platform; the polygon tools keep working.',
      `${process.platform}-${process.arch}`, firstLine(m),
    );
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' || NOT_FOUND.test(m)) {
    return t('Click segmentation is off: the model {0} was not found. Set "{1}" to a shipped model name or to an ONNX file, then click again; the polygon tools keep working.', model, settingKey);
  }
  if (stage === 'load' && NOT_ONNX.test(m)) {
    return t('Click segmentation is off: {0} is not a valid ONNX model (the file is corrupt, truncated or of another format). Point "{1}" at an EdgeFlow ONNX file, then click again; the polygon tools keep working.', model, settingKey);
  }
  if (WORKER_GONE.test(m)) {
    return t('Click segmentation stopped unexpectedly ({0}). Click again to restart it; the polygon tools keep working.', firstLine(m));
  }
  return stage === 'load'
    ? t('Click segmentation could not load the model {0}: {1}. Click again to retry; the polygon tools keep working.', model, firstLine(m))
    : t('Click segmentation failed on this click (the model {0} did not run: {1}). Click again to retry; the polygon tools keep working.', model, firstLine(m));
}
