// Sidecars nested under their image in the Explorer (issue 30): the patterns merged into the
// workspace's own (never replacing them), set by the default-editor command and offered once
// after a save in a folder with a few sidecars (vscode faked).
import * as assert from 'node:assert/strict';
import { Uri, installFakeVscode, recorded, resetFakeVscode, workspace } from './helpers/fakeVscode';

installFakeVscode();
type Nesting = typeof import('../../src/extension/fileNesting');
let nesting: Nesting;
before(async () => {
  nesting = await import('../../src/extension/fileNesting');
});

class Memento {
  readonly values = new Map<string, unknown>();
  keys(): string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return (this.values.has(key) ? this.values.get(key) : fallback) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

const PATTERNS = 'explorer.fileNesting.patterns';
const FOLDER = Uri.file('/ws');
const IMAGE = Uri.file('/ws/images/a.png');

describe('file nesting of the sidecars', () => {
  let restore: () => void;
  beforeEach(() => {
    resetFakeVscode();
    const w = workspace as unknown as { workspaceFolders: unknown; getWorkspaceFolder: (u: Uri) => unknown };
    const saved = { folders: w.workspaceFolders, get: w.getWorkspaceFolder };
    w.workspaceFolders = [{ uri: FOLDER, name: 'ws', index: 0 }];
    w.getWorkspaceFolder = (u: Uri) => (u.path.startsWith('/ws/') ? { uri: FOLDER, name: 'ws', index: 0 } : undefined);
    restore = () => {
      w.workspaceFolders = saved.folders;
      w.getWorkspaceFolder = saved.get;
    };
  });
  afterEach(() => restore());

  it("nests each image type's sidecars, after what the workspace or the user already nests there", () => {
    const merged = nesting.mergeNestingPatterns({ '*.png': '${capture}.webp', 'package.json': 'package-lock.json' }, { '*.jpg': '${capture}.xmp', '*.ts': '${capture}.js' })!;
    assert.equal(merged['*.png'], '${capture}.webp, ${capture}.png.coco.json, ${capture}.png.mask.png, ${capture}.png.coco.json.bak-*');
    assert.equal(merged['*.jpg'], '${capture}.xmp, ${capture}.jpg.coco.json, ${capture}.jpg.mask.png, ${capture}.jpg.coco.json.bak-*', "the user's own pattern is kept");
    assert.equal(merged['package.json'], 'package-lock.json');
    assert.equal(merged['*.ts'], undefined, 'keys we do not touch stay where they are set');
    for (const ext of ['png', 'jpg', 'jpeg', 'bmp', 'webp', 'gif', 'tif', 'tiff']) assert.ok(merged[`*.${ext}`]?.includes(`\${capture}.${ext}.coco.json`), ext);
    assert.equal(nesting.mergeNestingPatterns(merged, undefined), null, 'nothing missing: no write');
  });

  it('applyFileNesting writes the merged patterns, enables nesting and collapses nests unless the user chose', async () => {
    recorded.settings.set(PATTERNS, { defaultValue: { '*.ts': '${capture}.js' }, workspaceValue: { '*.png': '${capture}.webp' } });
    await nesting.applyFileNesting();
    const ws = recorded.settings.get(PATTERNS)!.workspaceValue as Record<string, string>;
    assert.match(ws['*.png'], /^\$\{capture\}\.webp, \$\{capture\}\.png\.coco\.json/);
    assert.equal(recorded.settings.get('explorer.fileNesting.enabled')?.workspaceValue, true);
    assert.equal(recorded.settings.get('explorer.fileNesting.expand')?.workspaceValue, false);
    assert.equal(nesting.nestingInEffect(), true);
    // A user who set expand keeps it.
    resetFakeVscode();
    recorded.settings.set('explorer.fileNesting.expand', { defaultValue: true, globalValue: true });
    await nesting.applyFileNesting();
    assert.equal(recorded.settings.get('explorer.fileNesting.expand')?.workspaceValue, undefined);
  });

  it('offers once per workspace, only with a few sidecars in the folder; "Never" is for every workspace', async () => {
    const globalState = new Memento();
    const workspaceState = new Memento();
    let sidecars = 1;
    const offer = new nesting.FileNestingOffer({ globalState: globalState as never, workspaceState: workspaceState as never, countSidecars: () => Promise.resolve(sidecars) });
    await offer.afterSave(IMAGE as never);
    assert.equal(recorded.messages.length, 0, 'one sidecar: not worth asking');
    sidecars = nesting.OFFER_AT_SIDECARS;
    recorded.answer = 'Not now';
    await offer.afterSave(IMAGE as never);
    assert.deepEqual(recorded.messages.map((m) => m.items), [['Nest', 'Not now', 'Never']]);
    assert.equal(recorded.settings.size, 0, '"Not now" changes no setting');
    await offer.afterSave(IMAGE as never);
    assert.equal(recorded.messages.length, 1, 'asked once per workspace');

    // Another workspace: "Nest" writes the settings.
    const offer2 = new nesting.FileNestingOffer({ globalState: globalState as never, workspaceState: new Memento() as never, countSidecars: () => Promise.resolve(5) });
    recorded.answer = 'Nest';
    await offer2.afterSave(IMAGE as never);
    assert.equal(recorded.settings.get('explorer.fileNesting.enabled')?.workspaceValue, true);
    assert.ok((recorded.settings.get(PATTERNS)?.workspaceValue as Record<string, string>)['*.png'].includes('${capture}.png.coco.json'));

    // A third workspace, nesting not yet set: "Never" stops the offer everywhere.
    resetFakeVscode();
    recorded.answer = 'Never';
    await new nesting.FileNestingOffer({ globalState: globalState as never, workspaceState: new Memento() as never, countSidecars: () => Promise.resolve(5) }).afterSave(IMAGE as never);
    assert.equal(globalState.get(nesting.NEVER_KEY), true);
    await new nesting.FileNestingOffer({ globalState: globalState as never, workspaceState: new Memento() as never, countSidecars: () => Promise.resolve(5) }).afterSave(IMAGE as never);
    assert.equal(recorded.messages.length, 1);
  });

  it('no offer outside the workspace or when the Explorer already nests the sidecars', async () => {
    const offer = () => new nesting.FileNestingOffer({ globalState: new Memento() as never, workspaceState: new Memento() as never, countSidecars: () => Promise.resolve(9) });
    await offer().afterSave(Uri.file('/elsewhere/a.png') as never);
    await nesting.applyFileNesting();
    await offer().afterSave(IMAGE as never);
    assert.deepEqual(recorded.messages, []);
  });
});
