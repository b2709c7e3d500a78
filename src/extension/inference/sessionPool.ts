/**
 * One inference worker (and so one ONNX Runtime session) per model file and device, shared by
 * every open editor: created on first use, warmed up, and shut down after it has gone unused
 * for `idleMs` (the next use starts it again).
 */
import { Worker } from 'node:worker_threads';
import type { DeviceSetting, SessionInfo, WorkerReply, WorkerRequest } from './messages';

/** Default idle time before a session is released. */
export const SESSION_IDLE_MS = 30_000;

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

/** A started worker with a loaded session. */
export class InferenceSessionHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failed: Error | undefined;
  /** Resolves once the model is loaded (and warmed up). */
  readonly ready: Promise<SessionInfo>;
  refs = 0;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly worker: Worker, modelPath: string, device: DeviceSetting, warmup: boolean) {
    worker.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.type === 'error') p.reject(new Error(r.message));
      else p.resolve(r);
    });
    const fail = (e: Error): void => {
      this.failed = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the inference worker stopped (exit code ${code})`)));
    this.ready = this.request({ type: 'init', id: 0, modelPath, device, warmup }).then((r) => {
      if (r.type !== 'ok' || !r.info) throw new Error('inference worker: bad init reply');
      return r.info;
    });
    // The ready promise is awaited by users; avoid an unhandled rejection before that.
    this.ready.catch(() => undefined);
  }

  /** Sends a request (its `id` is assigned here) and resolves with the worker's reply. */
  request(msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }
}

/** Shares sessions between Predictors by model path and device. */
export class SessionPool {
  private readonly sessions = new Map<string, InferenceSessionHandle>();

  /**
   * @param workerScript path of the bundled worker (dist/extension/inferenceWorker.js)
   * @param idleMs how long an unused session stays loaded
   */
  constructor(private readonly workerScript: string, private readonly idleMs = SESSION_IDLE_MS, private readonly warmup = true) {}

  /** A session for `modelPath` on `device`, started if needed; pair with `release`. */
  acquire(modelPath: string, device: DeviceSetting): InferenceSessionHandle {
    const key = `${device}\u0000${modelPath}`;
    let h = this.sessions.get(key);
    if (!h) {
      const worker = new Worker(this.workerScript);
      // An idle pool must not keep the process (a benchmark, a test) alive.
      worker.unref();
      h = new InferenceSessionHandle(worker, modelPath, device, this.warmup);
      const handle = h;
      worker.on('exit', () => {
        if (this.sessions.get(key) === handle) this.sessions.delete(key);
      });
      this.sessions.set(key, h);
      // A failed load is forgotten so the next attempt (after fixing the setting) retries.
      h.ready.catch(() => {
        if (this.sessions.get(key) === handle) this.sessions.delete(key);
        void handle.worker.terminate();
      });
    }
    if (h.idleTimer) {
      clearTimeout(h.idleTimer);
      h.idleTimer = undefined;
    }
    h.refs++;
    return h;
  }

  /** Gives back a session from `acquire`; the last release starts the idle timer. */
  release(h: InferenceSessionHandle): void {
    h.refs = Math.max(0, h.refs - 1);
    if (h.refs > 0) return;
    if (h.idleTimer) clearTimeout(h.idleTimer);
    h.idleTimer = setTimeout(() => {
      h.idleTimer = undefined;
      if (h.refs === 0) {
        for (const [k, v] of this.sessions) if (v === h) this.sessions.delete(k);
        void h.worker.terminate();
      }
    }, this.idleMs);
    h.idleTimer.unref();
  }

  /** Number of live sessions (for tests and the status bar). */
  get size(): number {
    return this.sessions.size;
  }

  /** Terminates every worker now. */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const h of all) if (h.idleTimer) clearTimeout(h.idleTimer);
    await Promise.all(all.map((h) => h.worker.terminate()));
  }
}
