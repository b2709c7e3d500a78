/**
 * The webview end of the protocol: posts typed messages to the host, dispatches host messages to
 * listeners, and sends requests whose promises reject when the host replies with an error.
 */
import { HostToWebview, RequestTracker, WebviewRequestMethod, WebviewRequests, WebviewToHost } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Receives host messages. */
export type HostMessageListener = (message: HostToWebview) => void;

export class HostConnection {
  private readonly api: VsCodeApi;
  private readonly listeners = new Set<HostMessageListener>();
  private readonly requests: RequestTracker;

  constructor() {
    this.api = acquireVsCodeApi();
    this.requests = new RequestTracker((m) => this.api.postMessage(m), 60_000);
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as HostToWebview;
      if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
      if (m.type === 'reply') {
        this.requests.handleReply(m);
        return;
      }
      for (const l of [...this.listeners]) {
        try {
          l(m);
        } catch (err) {
          this.reportError(err);
        }
      }
    });
  }

  /** Posts a message to the host. */
  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  /** Sends a request; resolves with the host's value or rejects with its error. */
  request<M extends WebviewRequestMethod>(method: M, params: WebviewRequests[M]['params']): Promise<WebviewRequests[M]['result']> {
    return this.requests.send<WebviewRequests[M]['result']>(method, params);
  }

  /** Subscribes to host messages; returns the unsubscribe function. */
  listen(listener: HostMessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports an error to the host log (and once to the user). */
  reportError(err: unknown): void {
    const message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    console.error(err);
    this.post({ type: 'webviewError', message: message.slice(0, 4000) });
  }

  /** Webview-persisted state (survives the webview being hidden and rebuilt). */
  getState<T>(): T | undefined {
    return this.api.getState() as T | undefined;
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }
}
