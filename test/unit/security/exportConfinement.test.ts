/**
 * Export and import never write outside the chosen folder: for every folder and every file an
 * export of each format writes, a symbolic link planted there that points out of the output
 * folder (to a folder or file in a separate "outside" tree) leaves the outside untouched: no
 * file written, changed or removed, no folder created. The same for the node I/O layer's single
 * operations and for an import whose workspace holds links to the outside.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NodeOutput, NodeWorkspace } from '../../../src/extension/export/nodeIo';
import { runExport, runImport } from '../../../src/extension/export/run';
import { EXPORT_FORMATS } from '../../../src/shared/export/types';
import { copyFixtureWorkspace, tempDir } from '../export/helpers';

/** Every entry under `dir` (folders too, links not followed) with a content hash for files. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, d), { withFileTypes: true })) {
      const rel = d ? `${d}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${rel}/`);
        await walk(rel);
      } else if (e.isSymbolicLink()) out.push(`${rel} -> ${await fs.readlink(path.join(dir, rel))}`);
      else out.push(`${rel} ${(await fs.readFile(path.join(dir, rel))).toString('base64').slice(0, 40)}`);
    }
  };
  await walk('');
  return out.sort();
}

/** Folders and files an export writes (relative to the output folder). */
async function layout(dir: string): Promise<{ dirs: string[]; files: string[] }> {
  const s = await snapshot(dir);
  return { dirs: s.filter((e) => e.endsWith('/')).map((e) => e.slice(0, -1)), files: s.filter((e) => !e.endsWith('/')).map((e) => e.split(' ')[0]) };
}

describe('security: export and import stay inside their folders', function () {
  this.timeout(120000);
  let tmp: string;
  let ws: string;
  let outside: string;
  let before: string[];

  beforeEach(async () => {
    tmp = await tempDir('edgeflow-confine-');
    ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
    outside = path.join(tmp, 'outside');
    await fs.mkdir(path.join(outside, 'existing'), { recursive: true });
    await fs.writeFile(path.join(outside, 'victim.txt'), 'keep me');
    await fs.writeFile(path.join(outside, 'existing', 'old.png'), 'old');
    before = await snapshot(outside);
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  for (const format of EXPORT_FORMATS) {
    it(`${format}: a link to the outside at any folder the export writes is never written through`, async () => {
      const probe = path.join(tmp, 'probe');
      await runExport({ workspaceDir: ws, outDir: probe, settings: { formats: [format] } });
      const { dirs } = await layout(probe);
      assert.ok(dirs.length > 0);
      for (const d of dirs) {
        const out = path.join(tmp, `out-${d.replace(/\//g, '_')}`);
        await fs.mkdir(path.dirname(path.join(out, d)), { recursive: true });
        await fs.symlink(outside, path.join(out, d));
        await runExport({ workspaceDir: ws, outDir: out, settings: { formats: [format] } }).then(
          () => assert.fail(`${format}: export through ${d} -> outside succeeded`),
          (e: Error) => assert.match(e.message, /outside|symbolic link/, `${d}: ${e.message}`),
        );
        assert.deepEqual(await snapshot(outside), before, `${format}: ${d} -> outside changed the outside`);
      }
    });

    it(`${format}: a link to an outside file at any file the export writes is replaced, not written through`, async () => {
      const probe = path.join(tmp, 'probe');
      await runExport({ workspaceDir: ws, outDir: probe, settings: { formats: [format] } });
      const { files } = await layout(probe);
      const out = path.join(tmp, 'out');
      for (const f of files) {
        await fs.mkdir(path.dirname(path.join(out, f)), { recursive: true });
        await fs.symlink(path.join(outside, 'victim.txt'), path.join(out, f));
      }
      await runExport({ workspaceDir: ws, outDir: out, settings: { formats: [format] } });
      assert.deepEqual(await snapshot(outside), before);
      // The outputs are real files now (image links of a 'link' export point into the workspace).
      for (const f of files) {
        const st = await fs.lstat(path.join(out, f));
        if (st.isSymbolicLink()) assert.ok(!(await fs.realpath(path.join(out, f))).startsWith(outside), f);
      }
    });
  }

  it('the output folder chosen as a link is fine; a link below it that leaves it is not', async () => {
    const real = path.join(tmp, 'real-out');
    await fs.mkdir(real);
    await fs.symlink(real, path.join(tmp, 'out-link'));
    await runExport({ workspaceDir: ws, outDir: path.join(tmp, 'out-link'), settings: { formats: ['coco'] } });
    assert.ok((await snapshot(real)).length > 0);
    // A link inside the output folder to another place inside it is followed.
    const out = path.join(tmp, 'out2');
    await fs.mkdir(path.join(out, 'elsewhere'), { recursive: true });
    await fs.symlink(path.join(out, 'elsewhere'), path.join(out, 'coco'));
    await runExport({ workspaceDir: ws, outDir: out, settings: { formats: ['coco'] } });
    assert.ok((await snapshot(path.join(out, 'elsewhere'))).some((e) => e.startsWith('annotations/')));
  });

  it('node I/O: writeFile, openStream, rename, remove and placeImage refuse paths through links or out of the folder', async () => {
    const out = path.join(tmp, 'out');
    await fs.mkdir(out);
    await fs.symlink(outside, path.join(out, 'sub'));
    const o = await NodeOutput.open(out, await NodeWorkspace.open(ws, true));
    const refuse = (p: Promise<unknown>, what: string) => assert.rejects(p, (e: Error) => /outside|symbolic link|unsafe path/.test(e.message) || assert.fail(`${what}: ${e.message}`));
    await refuse(o.writeFile('sub/new/a.txt', 'x'), 'writeFile in a new folder under a link');
    await refuse(o.writeFile('sub/victim.txt', 'x'), 'writeFile through a link');
    await refuse(o.openStream('sub/s.txt'), 'openStream');
    await refuse(o.writeFile('../escape.txt', 'x'), 'writeFile ..');
    await refuse(o.writeFile('/tmp/abs.txt', 'x'), 'absolute');
    await o.writeFile('inside.txt', 'x');
    await refuse(o.rename('inside.txt', 'sub/moved.txt'), 'rename into a link');
    await refuse(o.remove('sub/victim.txt'), 'remove through a link');
    await refuse(o.remove('sub/existing/old.png'), 'remove through a link, deeper');
    await refuse(o.placeImage('photos/street.png', 'sub/existing/old.png', 'copy'), 'placeImage');
    await refuse(o.writeJpeg('photos/street.png', 'sub/j.jpg', 90), 'writeJpeg');
    assert.deepEqual(await snapshot(outside), before);
    await fs.access(path.join(tmp, 'escape.txt')).then(() => assert.fail('wrote ../escape.txt'), () => undefined);
  });

  it('import: sidecars are never written through a workspace folder that links outside', async () => {
    await fs.symlink(outside, path.join(ws, 'linked'));
    const w = await NodeWorkspace.open(ws);
    await assert.rejects(w.writeFileAtomic('linked/existing/old.png.coco.json', '{}'), /outside|symbolic link/);
    await assert.rejects(w.writeFileAtomic('linked/new/x.png.coco.json', '{}'), /outside|symbolic link/);
    const coco = {
      images: [{ id: 1, file_name: 'linked/existing/old.png', width: 4, height: 4 }],
      categories: [{ id: 1, name: 'car' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [[0, 0, 3, 0, 3, 3]] }],
    };
    await fs.writeFile(path.join(tmp, 'in.json'), JSON.stringify(coco));
    await runImport({ workspaceDir: ws, from: path.join(tmp, 'in.json'), overwrite: true });
    assert.deepEqual(await snapshot(outside), before);
  });
});
