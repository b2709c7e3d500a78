import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_HELP, UsageError, parseArgs } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { runExport } from '../../../src/extension/export/run';
import { copyFixtureWorkspace, tempDir } from './helpers';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

/** The fixture's classes under other names and colours, and one class more. */
const CUSTOM = {
  version: 1,
  labels: [
    { id: 1, name: 'vehicle', color: '#112233' },
    { id: 2, name: 'pedestrian', color: '#445566' },
    { id: 3, name: 'plant', color: '#778899' },
    { id: 12, name: 'sign', color: '#abcdef' },
  ],
};

describe('CLI --labels', function () {
  this.timeout(30000);
  let tmp: string;
  let ws: string;
  let labels: string;
  beforeEach(async () => {
    tmp = await tempDir('edgeflow-cli-labels-');
    ws = await copyFixtureWorkspace(path.join(tmp, 'ws'));
    labels = path.join(tmp, 'custom-labels.json');
    await fs.writeFile(labels, JSON.stringify(CUSTOM));
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('parses --labels FILE and --labels=FILE; rejects an empty, missing or repeated one', () => {
    for (const argv of [['export', '--labels', 'l.json'], ['export', '--labels=l.json']]) {
      const c = parseArgs(argv);
      assert.equal(c.kind === 'export' && c.labels, 'l.json', argv.join(' '));
    }
    const none = parseArgs(['export']);
    assert.equal(none.kind === 'export' && none.labels, undefined);
    const cases: [string[], RegExp][] = [
      [['export', '--labels'], /--labels needs a value/],
      [['export', '--labels', '--quiet'], /--labels needs a value/],
      [['export', '--labels='], /--labels needs a file/],
      [['export', '--labels', 'a', '--labels', 'b'], /--labels given twice/],
      [['import', '--from', 'x.json', '--labels', 'a'], /unknown option --labels for import/],
    ];
    for (const [argv, re] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(' '));
    assert.match(EXPORT_HELP, /--labels FILE/);
  });

  it('exports with the labels file named, as the palette does with edgeflow.labelsFile', async () => {
    const fromCli = path.join(tmp, 'cli');
    // Relative to the current folder, as --out and --config are.
    const o = io();
    const code = await main(['export', '--workspace', ws, '--format', 'coco,voc,pseudo', '--out', fromCli, '--labels', path.relative(process.cwd(), labels), '--quiet'], o);
    assert.equal(code, 0, o.stderr);
    const coco = JSON.parse(await fs.readFile(path.join(fromCli, 'coco/annotations/instances_all.json'), 'utf8'));
    assert.deepEqual(
      coco.categories.map((c: { id: number; name: string }) => `${c.id} ${c.name}`),
      ['1 vehicle', '2 pedestrian', '3 plant', '9 class_9', '12 sign'],
    );
    assert.match(o.stdout, /warning: Classes without objects \(1\): sign/);

    // The palette passes the setting's value as labelsFile: the same dataset, byte for byte.
    const fromPalette = path.join(tmp, 'palette');
    await runExport({ workspaceDir: ws, outDir: fromPalette, settings: { formats: ['coco', 'voc', 'pseudo'] }, labelsFile: labels });
    for (const f of ['coco/annotations/instances_all.json', 'voc/labelmap.txt', 'pseudo/legend.json', 'pseudo/photos/street_png.png', 'edgeflow-export.json']) {
      assert.deepEqual(await fs.readFile(path.join(fromCli, f)), await fs.readFile(path.join(fromPalette, f)), f);
    }
    // Without --labels the workspace's own labels file is used.
    const plain = path.join(tmp, 'plain');
    assert.equal(await main(['export', '--workspace', ws, '--format', 'coco', '--out', plain, '--quiet'], io()), 0);
    const names = JSON.parse(await fs.readFile(path.join(plain, 'coco/annotations/instances_all.json'), 'utf8')).categories.map((c: { name: string }) => c.name);
    assert.ok(names.includes('car') && !names.includes('vehicle'), names.join(', '));
  });

  it('fails with one line when the labels file is missing or broken', async () => {
    const a = io();
    assert.equal(await main(['export', '--workspace', ws, '--out', path.join(tmp, 'a'), '--labels', path.join(tmp, 'nope.json'), '--quiet'], a), 1);
    assert.match(a.stderr, /^edgeflow: error: cannot read labels .*nope\.json: ENOENT\n$/);
    const broken = path.join(tmp, 'broken.json');
    await fs.writeFile(broken, '{"version": 1, "labels": [');
    const b = io();
    assert.equal(await main(['export', '--workspace', ws, '--out', path.join(tmp, 'b'), '--labels', broken, '--quiet'], b), 1);
    assert.match(b.stderr, /^edgeflow: error: .*broken\.json: /);
    assert.equal(b.stderr.trim().split('\n').length, 1);
  });
});
