/**
 * An `EditorPanel` (the host end of the webview protocol) over a fake webview panel and a fake
 * document holding a real `AnnotationModel`, with `vscode` faked (fakeVscode.ts): tests post
 * messages as the webview would and look at what the host posted back and what it applied.
 */
import { AnnotationModel, type AnnotationEdit, type AnnotationState } from '../../../src/shared/annotation';
import type { SessionUi } from '../../../src/shared/protocol';
import type { RememberedSegmentOptions } from '../../../src/shared/inference/segmentOptions';
import { EventEmitter, Uri, installFakeVscode } from './fakeVscode';

export const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

export interface PanelUnderTest {
  /** What the panel set on its webview. */
  webview: { options: unknown; html: string };
  /** Messages the host posted to the webview, in order. */
  posted: { type: string; [k: string]: unknown }[];
  /** Edits the host applied to the document. */
  applied: AnnotationEdit[];
  model: AnnotationModel;
  /** Delivers a message as the webview would post it. */
  receive(message: unknown): void;
  extensionUri: Uri;
  imageUri: Uri;
  cacheDir: Uri;
  /** The panel's `typing` (a shortcut's key went into a text input). */
  typing(): boolean;
  dispose(): void;
}

/** What the provider keeps across panels (the tool and class last used), shared by the panels
 * opened with it. */
export interface FakeSessionHost {
  last: SessionUi | undefined;
  /** The click tool's remembered mask options (the provider keeps them in workspace state). */
  segmentOptions?: Partial<RememberedSegmentOptions>;
}

/** Opens an `EditorPanel` on an image whose annotations are `state`. */
export async function openPanel(state: AnnotationState, session?: FakeSessionHost): Promise<PanelUnderTest> {
  installFakeVscode();
  const { EditorPanel } = await import('../../../src/extension/editorPanel');
  const received = new EventEmitter<unknown>();
  const posted: PanelUnderTest['posted'] = [];
  const webview = {
    options: {} as unknown,
    html: '',
    cspSource: CSP_SOURCE,
    asWebviewUri: (u: Uri) => Uri.parse(`${CSP_SOURCE}${u.path}`),
    postMessage: (m: PanelUnderTest['posted'][number]) => {
      posted.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: received.event,
  };
  const panel = { webview, active: true, viewColumn: 1, onDidChangeViewState: new EventEmitter<unknown>().event, reveal: () => undefined };

  const imageUri = Uri.file('/work/data/train/cat 1.png');
  const model = new AnnotationModel(state);
  const applied: AnnotationEdit[] = [];
  const document = {
    uri: imageUri,
    model,
    labels: [{ id: 3, name: 'car', color: '#ff0000' }],
    image: { displayUri: imageUri, width: 100, height: 80, mtime: 1, converted: false },
    readOnly: undefined,
    applyEdit(edit: AnnotationEdit) {
      applied.push(edit);
      model.apply(edit);
    },
    onDidChangeState: new EventEmitter<unknown>().event,
    onDidChangeLabels: new EventEmitter<unknown>().event,
    onDidChangeReadOnly: new EventEmitter<unknown>().event,
  };
  const extensionUri = Uri.file('/home/me/.vscode/extensions/edgeflow');
  const cacheDir = Uri.file('/home/me/.config/Code/User/globalStorage/edgeflow.edgeflow-annotator');
  const host = {
    setActive: () => undefined,
    refresh: () => undefined,
    ...(session
      ? {
        sessionUi: () => session.last,
        rememberUi: (ui: SessionUi) => (session.last = ui),
        segmentOptions: () => session.segmentOptions,
        rememberSegmentOptions: (o: Partial<RememberedSegmentOptions>) => (session.segmentOptions = { ...session.segmentOptions, ...o }),
      }
      : {}),
  };
  type Args = ConstructorParameters<typeof EditorPanel>;
  // Click segmentation is not what these tests look at: a controller that takes every message and
  // does nothing.
  const segment = { handle: () => undefined, preload: () => undefined, dispose: () => undefined };
  const p = new EditorPanel(document as unknown as Args[0], panel as unknown as Args[1], extensionUri as unknown as Args[2], cacheDir as unknown as Args[3], host,
    (() => segment) as unknown as Args[5]);
  return {
    webview,
    posted,
    applied,
    model,
    receive: (m) => received.fire(m),
    extensionUri,
    imageUri,
    cacheDir,
    typing: () => p.typing,
    dispose: () => p.dispose(),
  };
}
