import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { outputFolderProblem, outputsReplaced, resolveOutputFolder } from '../../../src/extension/export/outputFolder';
import { tempDir } from './helpers';

describe('export output folder (palette)', () => {
  let ws: string;
  beforeEach(async () => {
    ws = await tempDir('edgeflow-out-');
  });
  afterEach(async () => fs.rm(ws, { recursive: true, force: true }));

  it('refuses only what the export would refuse, while typing', async () => {
    assert.equal(outputFolderProblem(ws, 'dataset'), undefined, 'a new folder: created by the export');
    assert.equal(outputFolderProblem(ws, 'out/2026/run1'), undefined);
    assert.match(outputFolderProblem(ws, '') ?? '', /Enter a folder/);
    assert.match(outputFolderProblem(ws, '  ') ?? '', /Enter a folder/);
    assert.match(outputFolderProblem(ws, '.') ?? '', /must not be the workspace folder itself/);
    assert.match(outputFolderProblem(ws, ws) ?? '', /must not be the workspace folder itself/);
    assert.match(outputFolderProblem(ws, 'sub/..') ?? '', /must not be the workspace folder itself/);
    await fs.writeFile(path.join(ws, 'notes.txt'), 'x');
    assert.match(outputFolderProblem(ws, 'notes.txt') ?? '', /is a file/);
    await fs.mkdir(path.join(ws, 'dataset'));
    assert.equal(outputFolderProblem(ws, 'dataset'), undefined, 'an existing folder');
    assert.equal(resolveOutputFolder(ws, ' dataset '), path.join(ws, 'dataset'));
    assert.equal(resolveOutputFolder(ws, '/abs/out'), '/abs/out');
  });

  it('names only the entries this export replaces', async () => {
    const out = path.join(ws, 'dataset');
    assert.deepEqual(await outputsReplaced(out, ['coco', 'voc']), [], 'a folder that does not exist yet');
    await fs.mkdir(path.join(out, 'coco'), { recursive: true });
    await fs.mkdir(path.join(out, 'yolo'));
    await fs.writeFile(path.join(out, 'README.txt'), 'mine');
    assert.deepEqual(await outputsReplaced(out, ['voc']), [], 'other formats and the user\'s own files are not replaced');
    assert.deepEqual(await outputsReplaced(out, ['coco', 'voc', 'yolo']), ['coco/', 'yolo/']);
    await fs.writeFile(path.join(out, 'edgeflow-export.json'), '{}');
    await fs.mkdir(path.join(out, 'masks'));
    assert.deepEqual(await outputsReplaced(out, ['mask']), ['masks/', 'edgeflow-export.json']);
  });
});
