import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_HELP, IMPORT_HELP, UsageError, parseArgs } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { copyFixtureWorkspace, listTree, tempDir } from './helpers';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

describe('CLI arguments', () => {
  it('parses export with every option', () => {
    const c = parseArgs([
      'export', '--workspace', 'ws', '--format', 'coco,voc', '--format=mask', '--out', 'o', '--split', '0.8,0.2', '--seed', '-3',
      '--images', 'link', '--include', 'a', '--include', 'b/../c', '--no-empty', '--voc-boundary', '5', '--object-masks',
      '--jpeg-quality', '80', '--quiet', '--json',
    ]);
    assert.equal(c.kind, 'export');
    if (c.kind !== 'export') return;
    assert.deepEqual(c.settings.formats, ['coco', 'voc', 'mask']);
    assert.equal(c.settings.out, 'o');
    assert.deepEqual(c.settings.splits?.map((s) => s.name), ['train', 'val']);
    assert.equal(c.settings.seed, -3);
    assert.equal(c.settings.images, 'link');
    assert.deepEqual(c.settings.include, ['a', 'c']);
    assert.equal(c.settings.includeEmpty, false);
    assert.equal(c.settings.vocBoundary, 5);
    assert.equal(c.settings.objectMasks, true);
    assert.equal(c.settings.jpegQuality, 80);
    assert.ok(c.quiet && c.json);
  });

  it('parses import, help and version', () => {
    assert.deepEqual(parseArgs(['import', '--from', 'x.json', '--overwrite']), {
      kind: 'import', workspace: '.', from: 'x.json', overwrite: true, imagesDir: undefined, quiet: false, json: false,
    });
    assert.deepEqual(parseArgs([]), { kind: 'help' });
    assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['export', '--help']), { kind: 'help', topic: 'export' });
    assert.deepEqual(parseArgs(['help', 'import']), { kind: 'help', topic: 'import' });
    assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  });

  it('rejects bad arguments with a usage error naming the problem', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command/],
      [['export', '--bogus'], /unknown option --bogus/],
      [['export', '--out'], /--out needs a value/],
      [['export', '--out', 'a', '--out', 'b'], /given twice/],
      [['export', '--format', 'tiff'], /unknown format "tiff"/],
      [['export', '--split', '0.9,0.3'], /--split: .*add up to 1/],
      [['export', '--seed', '1.5'], /--seed/],
      [['export', '--images', 'move'], /copy, link or reference/],
      [['export', '--include', '../x'], /--include: unsafe path/],
      [['export', '--jpeg-quality', '0'], /1\.\.100/],
      [['export', '--object-masks=yes'], /takes no value/],
      [['export', 'stray'], /unexpected argument/],
      [['import'], /--from/],
      [['help', 'me'], /no help/],
    ];
    for (const [argv, re] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(' '));
  });

  it('documents every option in --help', () => {
    const src = ['workspace', 'format', 'out', 'split', 'seed', 'images', 'include', 'no-empty', 'voc-boundary', 'object-masks', 'jpeg-quality', 'config', 'no-config', 'json', 'quiet'];
    for (const f of src) assert.ok(EXPORT_HELP.includes(`--${f}`), f);
    for (const f of ['workspace', 'from', 'images', 'overwrite', 'json', 'quiet']) assert.ok(IMPORT_HELP.includes(`--${f}`), f);
  });
});

describe('CLI runs and exit codes', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  beforeEach(async () => {
    tmp = await tempDir('edgeflow-cli-');
    ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('exits 0 and summarises an export', async () => {
    const o = io();
    const code = await main(['export', '--workspace', ws, '--format', 'coco,yolo', '--out', path.join(tmp, 'out'), '--split', '0.5,0.5'], o);
    assert.equal(code, 0, o.stderr);
    assert.match(o.stdout, /^Exported 4 images, 8 objects as coco, yolo to .*out \(train 2, val 2;/);
    assert.match(o.stdout, /warning: Classes without objects \(1\): bike/);
    assert.match(o.stderr, /exporting 4\/4 \(100%\)/);
    assert.ok((await listTree(path.join(tmp, 'out'))).includes('coco/annotations/instances_val.json'));
  });

  it('prints a JSON summary with --json', async () => {
    const o = io();
    assert.equal(await main(['export', '--workspace', ws, '--format', 'mask', '--out', path.join(tmp, 'o'), '--json', '--quiet'], o), 0);
    const s = JSON.parse(o.stdout);
    assert.equal(s.images, 4);
    assert.equal(o.stderr, '');
  });

  it('exits 2 on bad arguments, 1 with one line on failures', async () => {
    const a = io();
    assert.equal(await main(['export', '--format', 'nope'], a), 2);
    assert.match(a.stderr, /^edgeflow: --format: unknown format "nope"/);
    const b = io();
    assert.equal(await main(['export', '--workspace', path.join(tmp, 'missing'), '--out', path.join(tmp, 'o')], b), 1);
    assert.equal(b.stderr.trim().split('\n').length, 1);
    assert.match(b.stderr, /^edgeflow: error: .*missing is not a folder/);
    const c = io();
    assert.equal(await main(['export', '--workspace', ws], c), 1);
    assert.match(c.stderr, /no output folder: pass --out/);
    const d = io();
    assert.equal(await main(['export', '--workspace', ws, '--no-config'], d), 2);
    const e = io();
    assert.equal(await main(['import', '--workspace', ws, '--from', path.join(tmp, 'nothing.json')], e), 1);
    assert.match(e.stderr, /does not exist/);
  });

  it('exits 1 when cancelled (Ctrl+C)', async () => {
    const o = io();
    assert.equal(await main(['export', '--workspace', ws, '--out', path.join(tmp, 'o'), '--quiet'], o, () => true), 1);
    assert.match(o.stderr, /cancelled/);
  });

  it('imports, keeps existing sidecars without --overwrite, replaces them with it', async () => {
    const out = path.join(tmp, 'out');
    assert.equal(await main(['export', '--workspace', ws, '--format', 'coco', '--images', 'reference', '--out', out, '--quiet'], io()), 0);
    const from = path.join(out, 'coco/annotations/instances_all.json');
    const a = io();
    assert.equal(await main(['import', '--workspace', ws, '--from', from, '--quiet'], a), 0);
    assert.match(a.stdout, /0 sidecars written, 0 objects, 4 existing sidecars kept \(--overwrite replaces them\)/);
    const b = io();
    assert.equal(await main(['import', '--workspace', ws, '--from', from, '--overwrite', '--quiet'], b), 0);
    assert.match(b.stdout, /Imported coco: 4 sidecars written, 8 objects/);
  });

  it('uses the workspace config; --no-config ignores it', async () => {
    await fs.writeFile(path.join(ws, '.edgeflow/export.json'), JSON.stringify({ formats: ['labelme'], out: 'dataset' }));
    assert.equal(await main(['export', '--workspace', ws, '--quiet'], io()), 0);
    assert.ok((await listTree(path.join(ws, 'dataset'))).includes('labelme/photos/street_png.json'));
    assert.equal(await main(['export', '--workspace', ws, '--no-config', '--out', path.join(tmp, 'x'), '--quiet'], io()), 0);
    assert.ok((await listTree(path.join(tmp, 'x'))).includes('coco/annotations/instances_all.json'));
  });
});

describe('export config', () => {
  it('round-trips the palette\'s saved defaults through the config reader', async () => {
    const { parseExportConfig, resolveExportOptions, serializeExportConfig } = await import('../../../src/shared/export/config');
    const { parseSplits } = await import('../../../src/shared/formats/split');
    const options = resolveExportOptions({
      formats: ['voc', 'yolo'],
      splits: parseSplits('train=0.7,val=0.2,test=0.1'),
      seed: 12,
      images: 'link',
      include: ['a/b'],
      includeEmpty: false,
      vocBoundary: 5,
      objectMasks: true,
      jpegQuality: 90,
    });
    const text = serializeExportConfig(options, 'datasets/v1');
    const back = parseExportConfig(text);
    assert.equal(back.out, 'datasets/v1');
    const { out, ...again } = resolveExportOptions(back);
    assert.equal(out, 'datasets/v1');
    const { out: _none, ...expected } = options;
    assert.equal(_none, undefined);
    assert.deepEqual(again, expected);
  });

  it('rejects unknown keys and bad values naming the file', async () => {
    const { parseExportConfig } = await import('../../../src/shared/export/config');
    assert.throws(() => parseExportConfig('{"fromats": ["coco"]}'), /export\.json: unknown key "fromats"/);
    assert.throws(() => parseExportConfig('{"split": "0.5,0.6"}'), /export\.json: .*add up to 1/);
    assert.throws(() => parseExportConfig('{"images": "move"}'), /export\.json: images must be/);
    assert.throws(() => parseExportConfig('{"include": ["../x"]}'), /export\.json: unsafe path/);
    assert.throws(() => parseExportConfig('[1]'), /export\.json: must be a JSON object/);
    assert.deepEqual(parseExportConfig('{"voc": {"boundary": true}}'), { vocBoundary: 5 });
  });
});
