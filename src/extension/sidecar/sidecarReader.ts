/**
 * Reading `<image>.coco.json` for the editor: leniently (what can be read is shown), with every
 * problem put in words for the user and listed for the Problems panel, and large files parsed in
 * a worker thread. A file that cannot be read completely makes the editor read-only, with the
 * actions (repair, overwrite, open) that fit what is wrong.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { emptyState } from '../../shared/annotation';
import { Result, err } from '../../shared/annotation/result';
import { SIDECAR_LIMITS, SidecarContent, SidecarError, readCocoSidecar } from '../../shared/formats/cocoSidecar';
import { maskToPolygons } from '../../shared/geometry/contours';
import type { JsonProblem } from '../diagnostics';
import type { PreparedImage } from '../imageSource';
import { log } from '../log';
import { baseName } from '../uriPath';
import type { LoadedSidecar, SidecarFiles } from './sidecarStore';

/** Sidecars larger than this are parsed in a worker thread (sidecarWorker.ts). */
const WORKER_PARSE_BYTES = 2 * 1024 * 1024;

/**
 * Lenient read of a sidecar's text: small files here, large ones in a worker thread so the
 * extension host stays responsive (measured on a 41 MB file: the longest stall of the host's
 * event loop went from 1.5-3.3 s to about 1 s; the rest is building the model and posting it to
 * the webview). Falls back to reading here when the worker cannot run.
 */
async function readSidecarText(text: string, bytes: Uint8Array): Promise<Result<SidecarContent, SidecarError>> {
  const here = () => readCocoSidecar(text, { maskToRegions: (m, w, h) => maskToPolygons(m, w, h), lenient: true });
  // The bundle puts the worker beside extension.js.
  const script = path.join(__dirname, 'sidecarWorker.js');
  if (bytes.length <= WORKER_PARSE_BYTES || !existsSync(script)) return here();
  const started = Date.now();
  return new Promise((resolve) => {
    const worker = new Worker(script);
    let settled = false;
    const done = (r: Result<SidecarContent, SidecarError>) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(r);
    };
    worker.once('message', (json: string) => {
      log().info(`parsed a ${(bytes.length / 1048576).toFixed(1)} MB sidecar in a worker in ${Date.now() - started} ms`);
      done(JSON.parse(json) as Result<SidecarContent, SidecarError>);
    });
    worker.once('error', (e) => {
      log().warn(`sidecar worker failed (${e.message}); reading on the main thread`);
      done(here());
    });
    worker.once('exit', (code) => done(err({ code: 'too-large', message: `The file could not be read (the reader stopped with code ${code})` })));
    // A copy the worker owns (transferred): `bytes` may be a view the caller still uses.
    const copy = new Uint8Array(bytes);
    worker.postMessage({ bytes: copy }, [copy.buffer]);
  });
}

/**
 * Reads the COCO sidecar `sidecarUri` of `image`. A missing file is an empty state; a file that
 * cannot be read completely gives what could be read, marked read-only with the problems for the
 * Problems panel. A size that does not match the image is shown as a warning at once.
 */
export async function readSidecar(files: Pick<SidecarFiles, 'stat' | 'read'>, sidecarUri: vscode.Uri, image: PreparedImage): Promise<LoadedSidecar> {
  const name = baseName(sidecarUri);
  const empty = { state: emptyState(), categories: [] };
  const stat = await files.stat(sidecarUri);
  if (!stat) return { ...empty, text: undefined, problems: [] };
  const size = stat.size;
  if (size > SIDECAR_LIMITS.maxBytes) {
    // Not even read: parsing hundreds of megabytes would stall the extension host.
    const message = vscode.l10n.t(
      '{0} is too large to open ({1} MB; the limit is {2} MB).',
      name,
      (size / 1048576).toFixed(1),
      (SIDECAR_LIMITS.maxBytes / 1048576).toFixed(0),
    );
    log().warn(`${sidecarUri.fsPath}: ${message}`);
    return {
      ...empty,
      text: undefined,
      problem: message,
      readOnly: { reason: message, actions: ['overwrite'] },
      problems: [{ severity: 'error', message, code: 'too-large', offset: 0 }],
    };
  }
  const bytes = await files.read(sidecarUri);
  if (!bytes) return { ...empty, text: undefined, problems: [] };
  const text = Buffer.from(bytes).toString('utf8');
  const r = await readSidecarText(text, bytes);
  if (!r.ok) {
    const where = r.error.path ? ` (${r.error.path})` : '';
    log().warn(`${sidecarUri.fsPath}: ${r.error.code}: ${r.error.message}${where}`);
    const message = vscode.l10n.t('Cannot read {0}: {1}{2}.', name, r.error.message, where);
    return {
      ...empty,
      text,
      problem: message,
      readOnly: { reason: message, actions: ['overwrite', 'openSidecar'] },
      problems: [{ severity: 'error', message: r.error.message, path: r.error.path, offset: r.error.offset, code: r.error.code }],
    };
  }
  const problems: JsonProblem[] = r.value.issues.map((i) => ({ severity: i.severity, message: i.message, path: i.path, code: i.code }));
  if (!image.error && (r.value.image.width !== image.width || r.value.image.height !== image.height)) {
    const message = vscode.l10n.t('{0} was made for a {1}x{2} image, but the image is {3}x{4}.', name, r.value.image.width, r.value.image.height, image.width, image.height);
    void vscode.window.showWarningMessage(message);
    problems.push({ severity: 'warning', message, path: 'images[0]', code: 'size-mismatch' });
  }
  const used = new Set(r.value.state.objects.map((o) => o.classId));
  const loaded: LoadedSidecar = {
    state: r.value.state,
    text,
    categories: r.value.categories.filter((c) => used.has(c.id)),
    extras: r.value.extras,
    problems,
    classRefs: r.value.state.objects.map((o, k) => ({ classId: o.classId, path: `annotations[${r.value.sourceIndex[k]}].category_id` })),
  };
  const errors = r.value.issues.filter((i) => i.severity === 'error');
  if (errors.length) {
    for (const e of errors) log().warn(`${sidecarUri.fsPath}: ${e.code}: ${e.message}${e.path ? ` (${e.path})` : ''}`);
    const message = vscode.l10n.t(
      '{0} has {1} problem(s) (first: {2}). Showing the {3} object(s) that could be read; the editor is read-only until the file is repaired.',
      name,
      errors.length,
      errors[0].path ? `${errors[0].message} (${errors[0].path})` : errors[0].message,
      r.value.state.objects.length,
    );
    loaded.problem = message;
    loaded.readOnly = { reason: message, actions: ['repair', 'overwrite', 'openSidecar'] };
  }
  return loaded;
}
