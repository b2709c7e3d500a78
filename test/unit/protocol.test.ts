import * as assert from 'node:assert/strict';
import { RequestError, RequestTracker, parseWebviewMessage } from '../../src/shared/protocol';

describe('protocol: host-side validation of webview messages', () => {
  it('accepts well-formed messages and drops unknown fields', () => {
    const ok = [
      { type: 'ready', extra: 1 },
      { type: 'edit', edit: { kind: 'setClass', id: 1, before: 1, after: 2 } },
      { type: 'viewStatus', zoom: 1.5, cursor: { x: 1, y: 2 } },
      { type: 'viewStatus', zoom: 0.1, cursor: null },
      { type: 'uiContext', textInputFocus: false, drawing: true, hasSelection: false, focused: true, tool: 'polygon' },
      { type: 'webviewError', message: 'boom' },
      { type: 'imageLoaded', naturalWidth: 10, naturalHeight: 20 },
      { type: 'request', requestId: 3, method: 'addLabel', params: { name: 'car' } },
      { type: 'request', requestId: 4, method: 'addLabel', params: { name: 'car', color: '#aabbcc' } },
      { type: 'request', requestId: 5, method: 'updateLabel', params: { id: 2, name: 'x', color: '#000000' } },
      { type: 'request', requestId: 6, method: 'removeLabel', params: { id: 2 } },
      { type: 'request', requestId: 7, method: 'openSetting', params: { key: 'edgeflow.inference.targetSize' } },
    ];
    for (const m of ok) {
      const r = parseWebviewMessage(m);
      assert.ok(r.ok, `${JSON.stringify(m)}: ${!r.ok && r.error}`);
      assert.ok(!('extra' in r.value));
    }
  });

  it('rejects malformed or hostile messages with a reason', () => {
    const bad = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'edit', edit: { kind: 'setGeometry', id: 1, before: [], after: [{ outer: [0, 0, 1, 1], holes: [] }] } },
      { type: 'edit', edit: { kind: 'addObject', object: { id: 1, classId: 1, regions: [{ outer: [0, 0, 1e12, 0, 0, 1], holes: [] }] }, index: 0 } },
      { type: 'viewStatus', zoom: -1, cursor: null },
      { type: 'viewStatus', zoom: 1, cursor: { x: 'a', y: 1 } },
      { type: 'uiContext', textInputFocus: 'yes', drawing: false, hasSelection: false, focused: true, tool: 'x' },
      { type: 'uiContext', textInputFocus: false, drawing: false, hasSelection: false, tool: 'x' },
      { type: 'webviewError', message: 'x'.repeat(20000) },
      { type: 'imageLoaded', naturalWidth: 1.5, naturalHeight: 2 },
      { type: 'request', requestId: -1, method: 'addLabel', params: { name: 'a' } },
      { type: 'request', requestId: 1, method: 'addLabel', params: { name: 'a', color: 'red' } },
      { type: 'request', requestId: 1, method: 'addLabel', params: { name: 'x'.repeat(500) } },
      { type: 'request', requestId: 1, method: 'deleteEverything', params: {} },
      { type: 'request', requestId: 1, method: 'removeLabel', params: null },
      // The Settings editor opens only at our own settings.
      { type: 'request', requestId: 1, method: 'openSetting', params: { key: 'security.workspace.trust.enabled' } },
      { type: 'request', requestId: 1, method: 'openSetting', params: { key: 'edgeflow.model @ext:evil' } },
      { type: 'request', requestId: 1, method: 'openSetting', params: { key: 42 } },
    ];
    for (const m of bad) {
      const r = parseWebviewMessage(m);
      assert.ok(!r.ok, JSON.stringify(m)?.slice(0, 120));
      assert.ok(r.error.length > 0 && r.error.length <= 300);
    }
  });
});

describe('protocol: request tracker', () => {
  it('resolves replies, rejects error replies, and ignores unknown ids', async () => {
    const sent: { requestId: number; method: string }[] = [];
    const t = new RequestTracker((m) => sent.push(m));
    const a = t.send<number>('addLabel', { name: 'a' });
    const b = t.send<number>('removeLabel', { id: 1 });
    assert.deepEqual(sent.map((m) => [m.requestId, m.method]), [[1, 'addLabel'], [2, 'removeLabel']]);
    assert.equal(t.size, 2);
    assert.ok(t.handleReply({ type: 'reply', requestId: 2, ok: false, error: 'no such class' }));
    assert.ok(t.handleReply({ type: 'reply', requestId: 1, ok: true, value: 42 }));
    assert.ok(!t.handleReply({ type: 'reply', requestId: 9, ok: true, value: 0 }));
    assert.equal(await a, 42);
    await assert.rejects(b, (e: Error) => e instanceof RequestError && e.message === 'no such class');
    assert.equal(t.size, 0);
  });

  it('rejects pending requests on dispose and on timeout', async () => {
    const t = new RequestTracker(() => undefined);
    const p = t.send('x', {});
    t.dispose();
    await assert.rejects(p, /connection closed/);
    const t2 = new RequestTracker(() => undefined, 10);
    await assert.rejects(t2.send('slow', {}), /no reply within 10 ms/);
  });
});
