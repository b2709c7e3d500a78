/**
 * One test per rule of the host's validation of webview messages (the webview is untrusted):
 * types, ranges, sizes, caps on strings and arrays, and no field that could name a path.
 */
import * as assert from 'node:assert/strict';
import { AnnotationModel, type AnnotationEdit } from '../../../src/shared/annotation';
import { editConflict } from '../../../src/shared/editGuard';
import { MAX_SEGMENT_CLICKS } from '../../../src/shared/inference/segmentProtocol';
import { openPanel } from '../helpers/fakePanel';
import { MAX_EDIT_DEPTH, MAX_IMAGE_SIDE, MAX_LABEL_NAME, MAX_STRING, MAX_ZOOM, parseWebviewMessage } from '../../../src/shared/protocol';

const refused = (m: unknown, why?: RegExp) => {
  const r = parseWebviewMessage(m);
  if (r.ok) assert.fail(`accepted ${String(JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).slice(0, 200)}`);
  if (why) assert.match(r.error, why);
  return r;
};
const accepted = (m: unknown) => {
  const r = parseWebviewMessage(m);
  assert.ok(r.ok, !r.ok ? r.error : '');
  return r.value;
};

const square = [0, 0, 10, 0, 10, 10, 0, 10];

describe('security: webview message rules', () => {
  it('numbers must be finite: NaN, Infinity in coordinates, zoom, clicks are refused', () => {
    refused({ type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: [0, 0, NaN, 0, 0, 5], holes: [] }] } });
    refused({ type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: [0, 0, Infinity, 0, 0, 5], holes: [] }] } });
    refused({ type: 'viewStatus', zoom: Infinity, cursor: null });
    refused({ type: 'viewStatus', zoom: 1, cursor: { x: NaN, y: 0 } });
    refused({ type: 'segmentClicks', session: 1, undo: false, clicks: [{ x: Infinity, y: 1, positive: true }] });
  });

  it('coordinates and sizes stay within sane bounds', () => {
    refused({ type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: [0, 0, 2e7, 0, 0, 5], holes: [] }] } });
    refused({ type: 'viewStatus', zoom: MAX_ZOOM * 2, cursor: null });
    refused({ type: 'viewStatus', zoom: 0, cursor: null });
    refused({ type: 'viewStatus', zoom: 1, cursor: { x: 1e9, y: 0 } });
    refused({ type: 'imageLoaded', naturalWidth: MAX_IMAGE_SIDE + 1, naturalHeight: 10 });
    accepted({ type: 'imageLoaded', naturalWidth: 20000, naturalHeight: 20000 });
    // Clicks outside the image are refused by the segment controller, which knows the image size.
  });

  it('ids and counters are non-negative safe integers', () => {
    refused({ type: 'edit', edit: { kind: 'setClass', id: -1, before: 0, after: 1 } });
    refused({ type: 'edit', edit: { kind: 'setClass', id: 2 ** 53, before: 0, after: 1 } });
    refused({ type: 'request', requestId: 1.5, method: 'removeLabel', params: { id: 1 } });
    refused({ type: 'segmentStart', session: -3, refineObjectId: null });
    refused({ type: 'segmentStart', session: 1, refineObjectId: '7' });
  });

  it('arrays are capped: clicks, nesting depth, total values', () => {
    const click = { x: 1, y: 1, positive: true };
    accepted({ type: 'segmentClicks', session: 1, undo: false, clicks: new Array(MAX_SEGMENT_CLICKS).fill(click) });
    refused({ type: 'segmentClicks', session: 1, undo: false, clicks: new Array(MAX_SEGMENT_CLICKS + 1).fill(click) });
    let deep: Record<string, unknown> = { kind: 'setHidden', id: 1, before: false, after: true };
    for (let i = 0; i < MAX_EDIT_DEPTH; i++) deep = { kind: 'batch', edits: [deep] };
    refused({ type: 'edit', edit: deep }, /nested|deep/);
    const huge = new Array(4_000_002).fill(1);
    refused({ type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: huge, holes: [] }] } }, /values/);
  });

  it('strings are capped and class names are plain text', () => {
    refused({ type: 'webviewError', message: 'x'.repeat(MAX_STRING + 1) });
    accepted({ type: 'webviewError', message: 'line 1\nline 2' });
    refused({ type: 'request', requestId: 1, method: 'addLabel', params: { name: 'x'.repeat(MAX_LABEL_NAME + 1) } });
    refused({ type: 'request', requestId: 1, method: 'addLabel', params: { name: '   ' } });
    refused({ type: 'request', requestId: 1, method: 'addLabel', params: { name: 'car\u0000' } });
    refused({ type: 'request', requestId: 1, method: 'updateLabel', params: { id: 1, name: 'a\nb', color: '#000000' } });
    refused({ type: 'request', requestId: 1, method: 'addLabel', params: { name: 'car', color: 'url(https://x)' } });
    refused({ type: 'uiContext', textInputFocus: false, drawing: false, hasSelection: false, focused: true, tool: '../../x' });
    accepted({ type: 'request', requestId: 1, method: 'addLabel', params: { name: 'traffic light (red)' } });
  });

  it('unknown fields never reach the host, not even on arrays', () => {
    const outer = [...square] as number[] & { extra?: string };
    outer.extra = '/etc/passwd';
    const m = accepted({ type: 'edit', path: '/tmp/x', edit: { kind: 'setGeometry', id: 1, file: 'a', before: [], after: [{ outer, holes: [] }] } });
    assert.deepEqual(JSON.parse(JSON.stringify(m)), { type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: square, holes: [] }] } });
    assert.equal((m as { edit: { after: { outer: { extra?: string } }[] } }).edit.after[0].outer.extra, undefined);
  });

  it('values JSON cannot describe (BigInt, cycles) are refused with a reason, never a throw', () => {
    refused({ type: 10n });
    refused({ type: 'request', requestId: 1, method: 5n, params: {} });
    refused({ type: 'edit', edit: { kind: 1n } });
    const cyc: Record<string, unknown> = { kind: 'batch' };
    cyc.edits = [cyc];
    refused({ type: 'edit', edit: cyc });
    const t: Record<string, unknown> = {};
    t.t = t;
    refused({ type: t });
  });

  it('no accepted message carries a path: the host never writes where the webview says', () => {
    // Every webview->host message type, valid: the string fields are text, never file names.
    const samples = [
      { type: 'ready' },
      { type: 'edit', edit: { kind: 'addObject', object: { id: 1, classId: 0, regions: [{ outer: square, holes: [] }] }, index: 0 } },
      { type: 'viewStatus', zoom: 1, cursor: { x: 1, y: 1 } },
      { type: 'uiContext', textInputFocus: false, drawing: false, hasSelection: false, focused: true, tool: 'polygon' },
      { type: 'webviewError', message: 'm' },
      { type: 'imageLoaded', naturalWidth: 1, naturalHeight: 1 },
      { type: 'request', requestId: 1, method: 'addLabel', params: { name: 'a', color: '#ffffff' } },
      { type: 'request', requestId: 1, method: 'updateLabel', params: { id: 1, name: 'a', color: '#ffffff' } },
      { type: 'request', requestId: 1, method: 'removeLabel', params: { id: 1 } },
      { type: 'segmentStart', session: 1, refineObjectId: null },
      { type: 'segmentClicks', session: 1, undo: false, clicks: [{ x: 1, y: 1, positive: true }] },
      { type: 'segmentEnd', session: 1 },
    ];
    const strings = new Set<string>();
    const walk = (v: unknown, key: string) => {
      if (typeof v === 'string') strings.add(key);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    for (const s of samples) walk(accepted(s), '');
    assert.deepEqual([...strings].sort(), ['color', 'kind', 'message', 'method', 'name', 'tool', 'type']);
  });

  it('an edit whose "before" values differ from the document is refused (else Ctrl+Z would write them)', () => {
    const obj = { id: 1, classId: 3, hidden: false, regions: [{ outer: square, holes: [] }] };
    const state = () => ({ objects: [structuredClone(obj)], nextId: 2 });
    // Without the check: the lie about "before" becomes the undo.
    const lie: AnnotationEdit = { kind: 'setClass', id: 1, before: 9, after: 4 };
    const m = new AnnotationModel(state());
    m.apply(lie);
    m.undo(lie);
    assert.equal(m.state.objects[0].classId, 9, 'the model alone trusts "before"');
    // With it: every kind of "before" is checked, batches edit by edit.
    const other = [{ outer: [0, 0, 5, 0, 5, 5], holes: [] }];
    const bad: AnnotationEdit[] = [
      lie,
      { kind: 'setHidden', id: 1, before: true, after: false },
      { kind: 'setGeometry', id: 1, before: other, after: other },
      { kind: 'removeObject', object: { ...structuredClone(obj), classId: 4 }, index: 0 },
      { kind: 'replaceAll', before: { objects: [], nextId: 1 }, after: { objects: [], nextId: 1 } },
      { kind: 'batch', edits: [{ kind: 'setClass', id: 1, before: 3, after: 4 }, { kind: 'setClass', id: 1, before: 3, after: 5 }] },
      { kind: 'batch', edits: [{ kind: 'setClass', id: 7, before: 3, after: 4 }] },
    ];
    for (const e of bad) assert.ok(editConflict(state(), e), `${e.kind} was not refused`);
    const good: AnnotationEdit[] = [
      { kind: 'setClass', id: 1, before: 3, after: 4 },
      { kind: 'setHidden', id: 1, before: false, after: true },
      { kind: 'setGeometry', id: 1, before: structuredClone(obj.regions), after: other },
      { kind: 'removeObject', object: structuredClone(obj), index: 0 },
      { kind: 'replaceAll', before: state(), after: { objects: [], nextId: 2 } },
      { kind: 'batch', edits: [{ kind: 'setClass', id: 1, before: 3, after: 4 }, { kind: 'setClass', id: 1, before: 4, after: 5 }] },
    ];
    for (const e of good) assert.equal(editConflict(state(), e), undefined, e.kind);
  });

  it('the editor panel applies no edit whose "before" differs from the document, and resyncs the webview', async function () {
    // The first import of the host code takes a few seconds on a busy machine.
    this.timeout(30000);
    const obj = { id: 1, classId: 3, hidden: false, regions: [{ outer: square, holes: [] }] };
    const p = await openPanel({ objects: [obj], nextId: 2 });
    try {
      p.receive({ type: 'ready' });
      assert.equal(p.posted.at(-1)?.type, 'init');
      const lies: AnnotationEdit[] = [
        { kind: 'setClass', id: 1, before: 9, after: 4 },
        { kind: 'batch', edits: [{ kind: 'setHidden', id: 1, before: false, after: true }, { kind: 'setClass', id: 1, before: 7, after: 4 }] },
      ];
      for (const edit of lies) {
        const sent = p.posted.length;
        p.receive({ type: 'edit', edit });
        assert.deepEqual(p.applied, [], `${edit.kind}: applied`);
        assert.deepEqual(p.posted.slice(sent), [{ type: 'state', state: p.model.state, reason: 'reload' }], `${edit.kind}: the webview is put back in step`);
      }
      // An invalid message that claims to be an edit: refused, and the webview resynced too.
      p.receive({ type: 'edit', edit: { kind: 'setClass', id: 1, before: 3, after: Number.NaN } });
      assert.deepEqual(p.applied, []);
      assert.equal(p.posted.at(-1)?.reason, 'reload');
      assert.equal(p.model.state.objects[0].classId, 3);
      // The truth goes through.
      const truth: AnnotationEdit = { kind: 'setClass', id: 1, before: 3, after: 4 };
      p.receive({ type: 'edit', edit: truth });
      assert.deepEqual(p.applied, [truth]);
      assert.equal(p.model.state.objects[0].classId, 4);
    } finally {
      p.dispose();
    }
  });
});
