import * as assert from 'node:assert/strict';
import { MAX_SCALE, actualSize, fitView, imageToScreen, panBy, screenToImage, wheelZoomFactor, zoomAt } from '../../../src/webview/view';

describe('webview view transform', () => {
  it('fits the image centred with a margin', () => {
    const v = fitView(1000, 500, 6000, 4000, 0);
    assert.equal(v.scale, 0.125);
    assert.equal(v.tx, (1000 - 750) / 2);
    assert.equal(v.ty, 0);
  });

  it('zooms around the cursor: the image point under it stays put', () => {
    const v = { scale: 0.5, tx: 10, ty: 20 };
    const p = screenToImage(v, 300, 200);
    const z = zoomAt(v, 3, 300, 200);
    assert.equal(z.scale, 1.5);
    const q = imageToScreen(z, p.x, p.y);
    assert.ok(Math.abs(q.x - 300) < 1e-9 && Math.abs(q.y - 200) < 1e-9);
    assert.equal(zoomAt(v, 1e9, 0, 0).scale, MAX_SCALE, 'clamped');
  });

  it('100 % and pan', () => {
    const v = actualSize({ scale: 0.25, tx: 0, ty: 0 }, 100, 100);
    assert.equal(v.scale, 1);
    assert.deepEqual(screenToImage(v, 100, 100), { x: 400, y: 400 });
    assert.deepEqual(panBy(v, 5, -5), { scale: 1, tx: v.tx + 5, ty: v.ty - 5 });
  });

  it('wheel factor: up zooms in, down zooms out, symmetric', () => {
    assert.ok(wheelZoomFactor(-100) > 1);
    assert.ok(wheelZoomFactor(100) < 1);
    assert.ok(Math.abs(wheelZoomFactor(100) * wheelZoomFactor(-100) - 1) < 1e-12);
  });
});
