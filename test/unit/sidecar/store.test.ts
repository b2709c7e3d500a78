// The sidecar store's decisions (sidecarStore.ts) on a fake file system and fake prompts: what is
// written when, what is asked before replacing a file we did not write, which backups are kept,
// and which changes on disk reload, ask or are our own.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { AnnotationState } from '../../../src/shared/annotation/types';
import { SIDECAR_LIMITS, readCocoSidecar, writeCocoSidecar } from '../../../src/shared/formats/cocoSidecar';
import { isOurMaskPng } from '../../../src/shared/formats/maskSidecar';
import {
  DiskChangeTarget,
  LoadedSidecar,
  SidecarFiles,
  SidecarSource,
  SidecarStore,
  SidecarStorePrompts,
  backupName,
  isOurCocoSidecar,
} from '../../../src/extension/sidecar/sidecarStore';

/** Just enough of vscode.Uri for the store (file scheme, '/'-paths). */
class FakeUri {
  constructor(readonly path: string) {}
  get fsPath(): string {
    return this.path;
  }
  get scheme(): string {
    return 'file';
  }
  with(change: { path?: string }): FakeUri {
    return new FakeUri(change.path ?? this.path);
  }
  toString(): string {
    return `file://${this.path}`;
  }
}
const uri = (p: string) => new FakeUri(p) as unknown as vscode.Uri;
const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** Files in memory; records every change, can fail the next write, can pretend a file is huge. */
class FakeFiles implements SidecarFiles {
  readonly files = new Map<string, Uint8Array>();
  readonly ops: string[] = [];
  readonly sizes = new Map<string, number>();
  readonly watchers = new Map<string, () => void>();
  readonly tempFilesRemoved: string[] = [];
  failNextWrite = false;

  put(path: string, data: string | Uint8Array): void {
    this.files.set(path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  get(path: string): string | undefined {
    return text(this.files.get(path));
  }
  async stat(u: vscode.Uri) {
    const b = this.files.get(u.path);
    return b ? { size: this.sizes.get(u.path) ?? b.length } : undefined;
  }
  async read(u: vscode.Uri) {
    return this.files.get(u.path);
  }
  async writeAtomic(u: vscode.Uri, data: Uint8Array | string) {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('disk full');
    }
    this.ops.push(`write ${u.path}`);
    this.put(u.path, data);
  }
  async copy(from: vscode.Uri, to: vscode.Uri) {
    assert.ok(!this.files.has(to.path), `copy onto an existing ${to.path}`);
    this.ops.push(`copy ${from.path} -> ${to.path}`);
    this.files.set(to.path, this.files.get(from.path)!);
  }
  async move(from: vscode.Uri, to: vscode.Uri) {
    assert.ok(!this.files.has(to.path), `move onto an existing ${to.path}`);
    this.ops.push(`move ${from.path} -> ${to.path}`);
    this.files.set(to.path, this.files.get(from.path)!);
    this.files.delete(from.path);
  }
  async removeStaleTempFiles(u: vscode.Uri) {
    this.tempFilesRemoved.push(u.path);
    return 2;
  }
  watch(u: vscode.Uri, onEvent: () => void) {
    this.watchers.set(u.path, onEvent);
    return { dispose: () => this.watchers.delete(u.path) };
  }
  /** Something else changes the file (or deletes it: undefined) and the watcher fires. */
  external(path: string, data: string | undefined): void {
    if (data === undefined) this.files.delete(path);
    else this.put(path, data);
    this.watchers.get(path)?.();
  }
}

/** Prompts that answer from a script and count the questions. */
class FakePrompts implements SidecarStorePrompts {
  overwrite = true;
  reloadOrKeep: 'reload' | 'keep' | undefined = 'keep';
  readonly asked: string[] = [];
  /** When set, the reload-or-keep question stays open until this is resolved. */
  pending: Promise<void> | undefined;
  async confirmOverwrite(target: vscode.Uri) {
    this.asked.push(`overwrite ${target.path}`);
    return this.overwrite;
  }
  async askReloadOrKeep(imageName: string) {
    this.asked.push(`reload? ${imageName}`);
    await this.pending;
    return this.reloadOrKeep;
  }
}

const IMAGE = '/ws/images/a.png';
const COCO = `${IMAGE}.coco.json`;
const MASK = `${IMAGE}.mask.png`;
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
const BAK = `${COCO}.bak-20260102T030405Z`;
const labels = [{ id: 1, name: 'car', color: '#ff0000' }];
const square = (id: number, x = 0): AnnotationState['objects'][number] => ({ id, classId: 1, regions: [{ outer: [x, 0, x + 4, 0, x + 4, 4, x, 4], holes: [] }], hidden: false });
const stateOf = (...objects: AnnotationState['objects']): AnnotationState => ({ objects, nextId: Math.max(0, ...objects.map((o) => o.id)) + 1 });
const sourceOf = (state: AnnotationState): SidecarSource => ({ model: { state }, labels, image: { width: 40, height: 30 } });
/** A sidecar we wrote. */
const ourText = (state: AnnotationState) => writeCocoSidecar({ fileName: 'a.png', width: 40, height: 30 }, labels, state, { generator: 'test' });
/** A COCO file another tool wrote (no edgeflow provenance). */
const FOREIGN = '{"images":[{"id":1,"file_name":"a.png","width":40,"height":30}],"categories":[],"annotations":[]}\n';

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function setup() {
  const files = new FakeFiles();
  const prompts = new FakePrompts();
  const logs: string[] = [];
  const store = new SidecarStore(uri(IMAGE), {
    files,
    prompts,
    // The editor's reader, reduced to what the store's decisions depend on.
    read: async (u): Promise<LoadedSidecar> => {
      const t = files.get(u.path);
      const r = t === undefined ? undefined : readCocoSidecar(t, { lenient: true });
      return { state: r?.ok ? r.value.state : stateOf(), text: t, problems: [], categories: [], extras: r?.ok ? r.value.extras : undefined };
    },
    log: () => ({ info: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) }),
    t: (m, ...a) => m.replace(/\{(\d+)\}/g, (_, n: string) => String(a[Number(n)])),
    generator: 'test',
    now: () => NOW,
  });
  const doc = { dirty: false, reloads: 0, reverts: 0 };
  const target: DiskChangeTarget = {
    isDirty: () => doc.dirty,
    reload: async () => {
      doc.reloads++;
      await store.load();
    },
    requestRevert: () => doc.reverts++,
  };
  store.watch(target);
  return { files, prompts, logs, store, doc };
}

describe('sidecar store', () => {
  it('names backups <file>.bak-<UTC time>, seconds precision', () => {
    assert.equal(backupName('a.png.coco.json', NOW), 'a.png.coco.json.bak-20260102T030405Z');
  });

  it('counts as ours only a COCO sidecar with our provenance that reads cleanly', () => {
    assert.equal(isOurCocoSidecar(Buffer.from(ourText(stateOf(square(1))))), true);
    assert.equal(isOurCocoSidecar(Buffer.from(FOREIGN)), false);
    assert.equal(isOurCocoSidecar(Buffer.from('{"images": [')), false);
  });

  it('tidies the temporary files of interrupted saves of both sidecars', async () => {
    const { files, logs, store } = setup();
    store.removeInterruptedSaves();
    await flush();
    assert.deepEqual(files.tempFilesRemoved, [COCO, MASK]);
    assert.equal(logs.filter((l) => l.startsWith('removed 2 temporary file(s)')).length, 2);
  });

  it('first save writes the sidecar without asking; the watcher event of our own write is ignored', async () => {
    const { files, prompts, store, doc } = setup();
    await store.load();
    const written: string[] = [];
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'], onWritten: (t) => written.push(t) });
    assert.deepEqual(prompts.asked, []);
    assert.deepEqual(files.ops, [`write ${COCO}`]);
    assert.deepEqual(written, [files.get(COCO)]);
    assert.equal(isOurCocoSidecar(files.files.get(COCO)!), true);
    files.watchers.get(COCO)!();
    await flush();
    assert.deepEqual(doc, { dirty: false, reloads: 0, reverts: 0 });
  });

  it('replaces our own sidecar without asking or keeping a backup', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, ourText(stateOf(square(1))));
    await store.load();
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1), square(2, 10))), { formats: ['coco'] });
    assert.deepEqual(prompts.asked, []);
    assert.deepEqual(files.ops, [`write ${COCO}`]);
  });

  it('a file we did not write: declining leaves it untouched and rejects the save', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, FOREIGN);
    prompts.overwrite = false;
    await assert.rejects(store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'] }), /^Error: Not saved: a\.png\.coco\.json was left unchanged\.$/);
    assert.deepEqual(prompts.asked, [`overwrite ${COCO}`]);
    assert.deepEqual(files.ops, []);
    assert.equal(files.get(COCO), FOREIGN);
  });

  it('a file we did not write: agreeing keeps a backup copy first, then writes', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, FOREIGN);
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'] });
    assert.deepEqual(prompts.asked, [`overwrite ${COCO}`]);
    assert.deepEqual(files.ops, [`copy ${COCO} -> ${BAK}`, `write ${COCO}`]);
    assert.equal(files.get(BAK), FOREIGN);
    assert.equal(isOurCocoSidecar(files.files.get(COCO)!), true);
  });

  it('an unreadable file counts as not ours, and so does one too large to parse', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, '{"images": [');
    prompts.overwrite = false;
    await assert.rejects(store.save(uri(IMAGE), sourceOf(stateOf()), { formats: ['coco'] }), /Not saved/);
    // Too large: not parsed, so not known to be ours.
    files.put(COCO, Buffer.alloc(SIDECAR_LIMITS.maxBytes + 1, 0x20));
    await assert.rejects(store.save(uri(IMAGE), sourceOf(stateOf()), { formats: ['coco'] }), /Not saved/);
    assert.equal(prompts.asked.length, 2);
  });

  it('once the user agreed, a retry after a failed write does not ask again (the backup is there)', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, FOREIGN);
    files.failNextWrite = true;
    await assert.rejects(store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'] }), /disk full/);
    assert.equal(files.get(COCO), FOREIGN);
    assert.equal(files.get(BAK), FOREIGN);
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'] });
    assert.deepEqual(prompts.asked, [`overwrite ${COCO}`]);
    assert.deepEqual(files.ops, [`copy ${COCO} -> ${BAK}`, `write ${COCO}`]);
  });

  it('a foreign file that changed after the user agreed is asked about again', async () => {
    const { files, prompts, store } = setup();
    files.put(COCO, FOREIGN);
    files.failNextWrite = true;
    await assert.rejects(store.save(uri(IMAGE), sourceOf(stateOf()), { formats: ['coco'] }), /disk full/);
    files.put(COCO, FOREIGN.replace('"annotations":[]', '"annotations":[],"licenses":[]'));
    await store.save(uri(IMAGE), sourceOf(stateOf()), { formats: ['coco'] });
    assert.equal(prompts.asked.length, 2);
    // The second backup takes the next free name.
    assert.deepEqual(files.ops, [`copy ${COCO} -> ${BAK}`, `copy ${COCO} -> ${BAK}-1`, `write ${COCO}`]);
  });

  it('a cancelled save writes nothing', async () => {
    const { files, store } = setup();
    const cancelled = new Error('Canceled');
    await assert.rejects(
      store.save(uri(IMAGE), sourceOf(stateOf(square(1))), {
        formats: ['coco', 'mask'],
        throwIfCancelled: () => {
          throw cancelled;
        },
      }),
      (e) => e === cancelled,
    );
    assert.deepEqual(files.ops, []);
  });

  it('writes the mask sidecar when asked, and asks before replacing a PNG we did not write', async () => {
    const { files, prompts, store } = setup();
    files.put(MASK, Buffer.from('\x89PNG from another tool'));
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco', 'mask'] });
    assert.deepEqual(prompts.asked, [`overwrite ${MASK}`]);
    assert.deepEqual(files.ops, [`write ${COCO}`, `copy ${MASK} -> ${MASK}.bak-20260102T030405Z`, `write ${MASK}`]);
    assert.ok(isOurMaskPng(files.files.get(MASK)!));
  });

  it('Save As writes beside the other image, without this file\'s extra keys and without touching its state', async () => {
    const { files, store, doc } = setup();
    files.put(COCO, ourText(stateOf(square(1))).replace('"images": [', '"x_review": "done", "images": ['));
    await store.load();
    const written: string[] = [];
    await store.save(uri('/ws/copy/b.png'), sourceOf(stateOf(square(1))), { formats: ['coco'], onWritten: (t) => written.push(t) });
    assert.deepEqual(written, []);
    const copy = files.get('/ws/copy/b.png.coco.json')!;
    assert.match(copy, /"file_name": "b\.png"/);
    assert.doesNotMatch(copy, /x_review/);
    // The own sidecar is unchanged, so an event for it is not a change.
    files.watchers.get(COCO)!();
    await flush();
    assert.equal(doc.reloads, 0);
    // A save of this image writes its extra keys back.
    await store.save(uri(IMAGE), sourceOf(stateOf(square(1))), { formats: ['coco'] });
    assert.match(files.get(COCO)!, /x_review/);
  });

  it('a change on disk reloads a clean document; a deleted file too', async () => {
    const { files, store, doc } = setup();
    files.put(COCO, ourText(stateOf(square(1))));
    await store.load();
    files.external(COCO, ourText(stateOf(square(1), square(2, 10))));
    await flush();
    assert.equal(doc.reloads, 1);
    files.external(COCO, undefined);
    await flush();
    assert.equal(doc.reloads, 2);
    // Already seen: nothing more to do.
    files.watchers.get(COCO)!();
    await flush();
    assert.equal(doc.reloads, 2);
  });

  it('a file too large to read counts as changed every time (it is never read to compare)', async () => {
    const { files, store, doc } = setup();
    files.put(COCO, ourText(stateOf(square(1))));
    await store.load();
    files.sizes.set(COCO, SIDECAR_LIMITS.maxBytes + 1);
    files.watchers.get(COCO)!();
    await flush();
    files.watchers.get(COCO)!();
    await flush();
    assert.equal(doc.reloads, 2);
  });

  it('a dirty document is asked once, even for several events while the question is open', async () => {
    const { files, prompts, store, doc } = setup();
    await store.load();
    doc.dirty = true;
    let answer!: () => void;
    prompts.pending = new Promise((r) => (answer = r));
    prompts.reloadOrKeep = 'reload';
    files.external(COCO, ourText(stateOf(square(3))));
    await flush();
    files.external(COCO, ourText(stateOf(square(4))));
    await flush();
    assert.deepEqual(prompts.asked, ['reload? a.png']);
    answer();
    await flush();
    assert.equal(doc.reverts, 1);
    assert.equal(doc.reloads, 0);
  });

  it('keeping my changes marks that disk version as seen: no second question, and saving replaces it', async () => {
    const { files, prompts, store, doc } = setup();
    await store.load();
    doc.dirty = true;
    prompts.reloadOrKeep = 'keep';
    const theirs = ourText(stateOf(square(3)));
    files.external(COCO, theirs);
    await flush();
    files.watchers.get(COCO)!();
    await flush();
    assert.deepEqual(prompts.asked, ['reload? a.png']);
    assert.equal(doc.reverts, 0);
    // Dismissing the question counts as keeping too.
    prompts.reloadOrKeep = undefined;
    files.external(COCO, ourText(stateOf(square(5))));
    await flush();
    files.watchers.get(COCO)!();
    await flush();
    assert.equal(prompts.asked.length, 2);
    await store.save(uri(IMAGE), sourceOf(stateOf(square(9))), { formats: ['coco'] });
    assert.ok(readCocoSidecar(files.get(COCO)!).ok);
    assert.match(files.get(COCO)!, /"id": 9/);
  });

  it('a failure while following the file is logged, not thrown', async () => {
    const { files, logs, store } = setup();
    await store.load();
    files.read = async () => {
      throw new Error('EACCES');
    };
    files.external(COCO, 'x');
    await flush();
    assert.ok(logs.some((l) => l.startsWith('ERROR sidecar watcher: Error: EACCES')), logs.join('\n'));
  });

  it('Repair keeps a backup copy and rewrites the file with what could be read', async () => {
    const { files, store, doc } = setup();
    const broken = ourText(stateOf(square(1))).replace('"annotations": [', '"annotations": [{"id":2,"category_id":1,"segmentation":[[0,0,1]]},');
    files.put(COCO, broken);
    const loaded = await store.load();
    const backup = await store.rewrite(sourceOf(loaded.state));
    assert.equal(backup.path, BAK);
    assert.equal(files.get(BAK), broken);
    assert.deepEqual(files.ops, [`copy ${COCO} -> ${BAK}`, `write ${COCO}`]);
    const r = readCocoSidecar(files.get(COCO)!);
    assert.ok(r.ok && r.value.issues.length === 0);
    // Our own rewrite: its watcher event is not a change.
    files.watchers.get(COCO)!();
    await flush();
    assert.equal(doc.reloads, 0);
  });

  it('Start over moves the file aside (never deletes it)', async () => {
    const { files, store } = setup();
    files.put(COCO, '{ not json');
    files.put(BAK, 'an older backup');
    const backup = await store.moveAside();
    assert.equal(backup.path, `${BAK}-1`);
    assert.equal(files.get(`${BAK}-1`), '{ not json');
    assert.equal(files.get(BAK), 'an older backup');
    assert.equal(files.get(COCO), undefined);
    assert.equal((await store.load()).text, undefined);
  });
});
