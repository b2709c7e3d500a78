/**
 * Worker thread that parses large COCO sidecars off the extension host's main thread: a 40 MB
 * sidecar takes seconds to parse and validate, which would otherwise freeze every extension.
 * Receives the file's bytes (transferred, not copied) and answers with the lenient read's result
 * as JSON text: the main thread's JSON.parse of it is several times faster than the structured
 * clone of tens of thousands of small objects, and the main thread's time is what matters.
 */
import { parentPort } from 'node:worker_threads';
import { readCocoSidecar } from '../shared/formats/cocoSidecar';
import { maskToPolygons } from '../shared/geometry/contours';

/** The message the worker receives. */
export interface SidecarWorkerRequest {
  bytes: Uint8Array;
}

parentPort?.on('message', (m: SidecarWorkerRequest) => {
  const text = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString('utf8');
  parentPort!.postMessage(JSON.stringify(readCocoSidecar(text, { maskToRegions: (mask, w, h) => maskToPolygons(mask, w, h), lenient: true })));
});
