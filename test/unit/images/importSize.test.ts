import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { main } from '../../../src/cli/main';

function io() {
  const o = { stdout: '', stderr: '', tty: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

describe('import sizes images in the frame the editor shows', function () {
  this.timeout(30_000);

  it('a labelme file without a size, on an EXIF-rotated photo: the sidecar has the displayed size', async () => {
    const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'edgeflow-import-exif-'));
    try {
      await fs.mkdir(path.join(ws, 'images'));
      // Stored 64x96, orientation 6: displayed 96x64.
      const stored = await sharp({ create: { width: 64, height: 96, channels: 3, background: '#336699' } }).jpeg().toBuffer();
      await sharp(stored).withMetadata({ orientation: 6 }).jpeg().toFile(path.join(ws, 'images/photo.jpg'));
      const lm = path.join(ws, 'lm');
      await fs.mkdir(lm);
      await fs.writeFile(
        path.join(lm, 'photo.json'),
        JSON.stringify({ version: '5.0.0', flags: {}, imagePath: '../images/photo.jpg', imageData: null, shapes: [{ label: 'thing', points: [[10, 10], [80, 10], [80, 50]], shape_type: 'polygon', flags: {} }] }),
      );
      const o = io();
      assert.equal(await main(['import', '--workspace', ws, '--from', lm, '--quiet'], o), 0, o.stderr);
      const coco = JSON.parse(await fs.readFile(path.join(ws, 'images/photo.jpg.coco.json'), 'utf8'));
      assert.deepEqual([coco.images[0].width, coco.images[0].height], [96, 64]);
      assert.equal(coco.annotations.length, 1);
    } finally {
      await fs.rm(ws, { recursive: true, force: true });
    }
  });
});
