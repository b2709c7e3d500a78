/** Shared pieces of the benchmarks: arguments, datasets with images/ and masks/, statistics. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { groundTruthFromMask, type GroundTruth } from '../../src/shared/clicker';

/** Parses `--key value` / `--flag` arguments. */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else {
      out.set(a.slice(2), next);
      i++;
    }
  }
  return out;
}

/** The repository root (benchmarks run from it via npm). */
export const ROOT = resolve(__dirname, '..', '..');

/** Default model: the shipped one. */
export const DEFAULT_MODEL = join(ROOT, 'models', 'edgeflow-mobilenetv2.onnx');

/** The bundled worker next to the benchmark bundle (test/bench/run.mjs builds it). */
export const WORKER = join(__dirname, 'inferenceWorker.js');

/** One image with its object mask. */
export interface Sample {
  readonly name: string;
  readonly image: string;
  readonly mask: string;
}

/** Pairs `images/X.*` with `masks/X.png`, sorted by name. */
export function listSamples(dataset: string): Sample[] {
  const images = join(dataset, 'images'), masks = join(dataset, 'masks');
  if (!existsSync(images) || !existsSync(masks)) throw new Error(`${dataset} needs images/ and masks/ folders`);
  const byStem = new Map<string, string>();
  for (const f of readdirSync(images)) byStem.set(basename(f, extname(f)), join(images, f));
  const out: Sample[] = [];
  for (const f of readdirSync(masks).sort()) {
    if (extname(f).toLowerCase() !== '.png') continue;
    const stem = basename(f, extname(f));
    // masks/X.png of images/X.*, or the training layout's masks/X_K.png (duts_val)
    const img = byStem.get(stem) ?? byStem.get(stem.replace(/_\d+$/, ''));
    if (img) out.push({ name: stem, image: img, mask: join(masks, f) });
  }
  return out;
}

/** Reads a GT mask PNG (0 background, 128 ignore, other object) as single-channel bytes. */
export async function readGroundTruth(path: string): Promise<GroundTruth> {
  const { data, info } = await sharp(path).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return groundTruthFromMask(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
}

/**
 * The share of objects whose click `k` (1-based, k >= 2) lowers the IoU of click k-1 by more than
 * `drop`: a click that makes the mask worse. Objects stopped before click k do not count in the
 * denominator.
 */
export function clickRegressionShare(iousPerObject: number[][], k: number, drop = 0.02): { share: number; count: number; n: number } {
  if (k < 2) throw new Error('clickRegressionShare: k >= 2');
  const eligible = iousPerObject.filter((ious) => ious.length >= k);
  const count = eligible.filter((ious) => ious[k - 2] - ious[k - 1] > drop).length;
  return { share: eligible.length ? count / eligible.length : 0, count, n: eligible.length };
}

/** Median and p90 of a list of numbers. */
export function stats(values: number[]): { median: number; p90: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: q(0.5), p90: q(0.9), mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
