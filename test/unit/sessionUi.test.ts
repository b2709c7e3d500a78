/**
 * Next/previous image keep the annotator's tool and class (issue 30): the panel the user works in
 * reports its tool and class, the provider remembers them, and the next panel's `init` carries
 * them for the webview to start with.
 */
import * as assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../src/shared/protocol';
import { type FakeSessionHost, openPanel } from './helpers/fakePanel';

const ui = (tool: string, activeClassId: unknown) => ({
  type: 'uiContext', textInputFocus: false, drawing: false, hasSelection: false, focused: true, tool, activeClassId,
});

describe('the tool and class carry over to the next image', () => {
  it('uiContext carries the class for new objects (a label id or null), validated', () => {
    const a = parseWebviewMessage(ui('segment', 3));
    assert.ok(a.ok && a.value.type === 'uiContext' && a.value.activeClassId === 3);
    const b = parseWebviewMessage(ui('segment', null));
    assert.ok(b.ok && b.value.type === 'uiContext' && b.value.activeClassId === null);
    const { activeClassId: _, ...older } = ui('select', 1); // a webview that does not send it: null
    const c = parseWebviewMessage(older);
    assert.ok(c.ok && c.value.type === 'uiContext' && c.value.activeClassId === null);
    for (const badId of ['3', 0, 256, 1.5, -1]) assert.ok(!parseWebviewMessage(ui('segment', badId)).ok, String(badId));
  });

  it("the next panel's init starts with the tool and class the last one used", async () => {
    const session: FakeSessionHost = { last: undefined };
    const first = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      first.receive({ type: 'ready' });
      const init1 = first.posted.find((m) => m.type === 'init');
      assert.ok(init1 && !('session' in init1), 'nothing to carry over yet');
      first.receive(ui('segment', 3));
      assert.deepEqual(session.last, { tool: 'segment', activeClassId: 3 });
    } finally {
      first.dispose();
    }
    const second = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      second.receive({ type: 'ready' });
      const init2 = second.posted.find((m) => m.type === 'init');
      assert.deepEqual(init2?.session, { tool: 'segment', activeClassId: 3 });
      // a malformed report changes nothing
      second.receive(ui('segment', 'x'));
      assert.deepEqual(session.last, { tool: 'segment', activeClassId: 3 });
    } finally {
      second.dispose();
    }
  });
});

describe('keys typed into a text input are not shortcuts', () => {
  it('the panel reports typing only while the webview has the focus in a text input', async () => {
    const p = await openPanel({ objects: [], nextId: 1 });
    try {
      p.receive({ type: 'ready' });
      const state = (focused: boolean, textInputFocus: boolean) => p.receive({ ...ui('select', 3), focused, textInputFocus });
      state(true, true);
      assert.equal(p.typing(), true, 'typing in the class name: shortcuts are text');
      state(false, true);
      assert.equal(p.typing(), false, 'the palette took the focus: its commands run');
      state(true, false);
      assert.equal(p.typing(), false);
    } finally {
      p.dispose();
    }
  });
});

describe('the overlay opacity carries over to the next image (issue 30, bug 6)', () => {
  it('uiContext validates it and the next panel starts with it', async () => {
    for (const bad of [-0.1, 1.5, '1', null]) assert.ok(!parseWebviewMessage({ ...ui('select', null), overlayOpacity: bad }).ok, String(bad));
    const session: FakeSessionHost = { last: undefined };
    const first = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      first.receive({ type: 'ready' });
      first.receive({ ...ui('brush', null), overlayOpacity: 0.5 });
      assert.deepEqual(session.last, { tool: 'brush', activeClassId: null, overlayOpacity: 0.5 });
    } finally {
      first.dispose();
    }
    const second = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      second.receive({ type: 'ready' });
      assert.deepEqual(second.posted.find((m) => m.type === 'init')?.session, { tool: 'brush', activeClassId: null, overlayOpacity: 0.5 });
    } finally {
      second.dispose();
    }
  });
});

describe('the click tool remembers the mask options (issue 30: "Fill holes" and ring-shaped parts)', () => {
  const opts = (options: unknown) => ({ type: 'segmentOptions', options });

  it('segmentOptions keeps only valid fields and refuses a message with none', () => {
    const a = parseWebviewMessage(opts({ fillHoles: false, threshold: 0.4, tolerance: 2.5, keepLargest: true, autoFirst: false, brush: 7 }));
    assert.ok(a.ok && a.value.type === 'segmentOptions');
    assert.deepEqual(a.value.options, { fillHoles: false, threshold: 0.4, tolerance: 2.5, keepLargest: true, autoFirst: false });
    const b = parseWebviewMessage(opts({ fillHoles: 'no', threshold: 2, tolerance: -1, keepLargest: true }));
    assert.ok(b.ok && b.value.type === 'segmentOptions');
    assert.deepEqual(b.value.options, { keepLargest: true }, 'out-of-range numbers and non-booleans are dropped');
    for (const bad of [null, [], 'fillHoles', {}, { threshold: Number.NaN }]) assert.ok(!parseWebviewMessage(opts(bad)).ok, JSON.stringify(bad));
  });

  it("the next panel's init carries the options the user set in another panel", async () => {
    const session: FakeSessionHost = { last: undefined };
    const first = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      first.receive({ type: 'ready' });
      assert.ok(!('segmentOptions' in (first.posted.find((m) => m.type === 'init') ?? {})), 'nothing remembered yet');
      first.receive(opts({ threshold: 0.5, keepLargest: true, fillHoles: false, tolerance: 1, autoFirst: true }));
      first.receive(opts({ fillHoles: 'off', tolerance: 99 })); // malformed: ignored
    } finally {
      first.dispose();
    }
    const second = await openPanel({ objects: [], nextId: 1 }, session);
    try {
      second.receive({ type: 'ready' });
      const init = second.posted.find((m) => m.type === 'init');
      assert.deepEqual(init?.segmentOptions, { threshold: 0.5, keepLargest: true, fillHoles: false, tolerance: 1, autoFirst: true });
    } finally {
      second.dispose();
    }
  });
});
