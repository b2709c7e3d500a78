/**
 * Refining an existing object with clicks (src/shared/inference/refine.ts, issue 30 bug 2): the
 * anchors spread over the object, and the answer changing the object only where the clicks point.
 */
import * as assert from 'node:assert/strict';
import type { ClickXY } from '../../../src/shared/inference/clicks';
import { anchorsFor, keepLocalEdits, refineAnchors } from '../../../src/shared/inference/refine';

function disk(m: Uint8Array, W: number, cx: number, cy: number, r: number, v = 1): void {
  const H = m.length / W;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) m[y * W + x] = v;
}
function rect(m: Uint8Array | Float32Array, W: number, x0: number, y0: number, x1: number, y1: number, v = 1): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = v;
}
const count = (m: ArrayLike<number>, pred: (v: number) => boolean): number => {
  let n = 0;
  for (let i = 0; i < m.length; i++) if (pred(m[i])) n++;
  return n;
};

describe('refine anchors', () => {
  it('puts the first anchor at the most interior pixel and spreads the others over every lobe', () => {
    const W = 300, H = 120, m = new Uint8Array(W * H);
    disk(m, W, 60, 60, 50);
    disk(m, W, 240, 60, 40);
    rect(m, W, 60, 55, 240, 65); // a thin bar joins the two disks
    const a = refineAnchors(m, W, H);
    assert.ok(a.length >= 2 && a.length <= 3, `${a.length} anchors`);
    assert.ok(Math.hypot(a[0].x - 60, a[0].y - 60) <= 2, `first anchor at the big disk's centre: ${JSON.stringify(a[0])}`);
    assert.ok(Math.abs(a[0].radius - 50) <= 2);
    assert.ok(a.some((p) => Math.hypot(p.x - 240, p.y - 60) <= 20), 'one anchor in the small disk');
    for (const p of a) assert.equal(m[Math.floor(p.y) * W + Math.floor(p.x)], 1, 'every anchor is inside the object');
    // Never on the thin bar: it is far thinner than a quarter of the largest radius.
    for (const p of a) assert.ok(p.x < 115 || p.x > 195, `anchor on the bar: ${p.x}`);
  });

  it('one anchor for a compact object, none for an empty mask', () => {
    const W = 200, H = 200, m = new Uint8Array(W * H);
    assert.deepEqual(refineAnchors(m, W, H), []);
    disk(m, W, 100, 100, 60);
    assert.equal(refineAnchors(m, W, H).length, 1);
  });

  it('works on a coarse grid for large images, still inside the object and in full-image pixels', () => {
    const W = 6000, H = 4000, m = new Uint8Array(W * H);
    rect(m, W, 4000, 1000, 5800, 3000);
    const t0 = performance.now();
    const a = refineAnchors(m, W, H);
    const ms = performance.now() - t0;
    assert.ok(a.length >= 1);
    for (const p of a) {
      assert.ok(p.x > 4000 && p.x < 5800 && p.y > 1000 && p.y < 3000, JSON.stringify(p));
      assert.ok(p.radius > 100, 'the radius is in full-image pixels');
    }
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  });

  it('anchorsFor drops an anchor whose circle holds a negative click, and never sends the radius', () => {
    const anchors = [{ x: 50, y: 50, positive: true, radius: 30 }, { x: 200, y: 50, positive: true, radius: 10 }];
    assert.deepEqual(anchorsFor(anchors, [{ x: 70, y: 50, positive: true }]), [{ x: 50, y: 50, positive: true }, { x: 200, y: 50, positive: true }]);
    assert.deepEqual(anchorsFor(anchors, [{ x: 70, y: 50, positive: false }]), [{ x: 200, y: 50, positive: true }]);
    // A small anchor's circle counts as at least 16 px.
    assert.deepEqual(anchorsFor(anchors, [{ x: 214, y: 50, positive: false }]), [{ x: 50, y: 50, positive: true }]);
  });
});

describe('refine: the answer changes the object only where the clicks point', () => {
  const W = 200, H = 200;
  /** The object before: a 60x60 square at (40, 40). */
  function before(): Float32Array {
    const p = new Float32Array(W * H);
    rect(p, W, 40, 40, 100, 100);
    return p;
  }

  it('a positive click outside adds the part it is on, and nothing the model lost or spilled elsewhere', () => {
    const prev = before();
    const box = { x: 0, y: 0, width: W, height: H };
    // The model answers with only the new part (the bug: a teddy became its ear) plus a far blob.
    const plane = new Float32Array(W * H);
    rect(plane, W, 100, 50, 120, 90, 0.9); // the missing part, right of the square
    rect(plane, W, 160, 160, 190, 190, 0.8); // spill far away
    keepLocalEdits(plane, box, prev, W, [{ x: 110, y: 70, positive: true }]);
    const mask = Array.from(plane, (v) => (v > 0.5 ? 1 : 0));
    assert.equal(count(mask, (v) => v === 1), 60 * 60 + 20 * 40, 'square + part');
    assert.equal(mask[70 * W + 70], 1, 'the square stays');
    assert.equal(mask[175 * W + 175], 0, 'the far spill is not added');
    assert.equal(plane[70 * W + 70], 1, 'kept pixels keep their old probability exactly');
  });

  it('a negative click removes the region it is on and nothing else', () => {
    const prev = before();
    rect(prev, W, 100, 60, 130, 80); // a spill stuck to the square's right side
    const plane = new Float32Array(W * H);
    rect(plane, W, 40, 40, 70, 100, 0.7); // the model also dropped the square's right half...
    const box = { x: 0, y: 0, width: W, height: H };
    // ...and the spill, in one region connected to the click: the reach limit keeps the square.
    keepLocalEdits(plane, box, prev, W, [{ x: 120, y: 70, positive: false }]);
    const mask = Array.from(plane, (v) => (v > 0.5 ? 1 : 0));
    assert.equal(mask[70 * W + 125], 0, 'the spill is removed');
    assert.equal(mask[45 * W + 95], 1, 'the square\'s far corner stays');
    assert.equal(mask[70 * W + 50], 1);
    assert.ok(count(mask, (v) => v === 1) >= 60 * 60 - 30 * 30, 'at most the reach around the click is removed');
  });

  it('an edit reaches 2.5 times its click\'s distance to the old edge', () => {
    const prev = before();
    const plane = new Float32Array(W * H);
    rect(plane, W, 40, 40, 100, 100, 1);
    rect(plane, W, 100, 60, 200, 80, 0.9); // a long strip connected to the click at x=108
    keepLocalEdits(plane, { x: 0, y: 0, width: W, height: H }, prev, W, [{ x: 108, y: 70, positive: true }]);
    // The click is 8 px (the minimum) from the square: the strip is kept up to 20 px from it.
    assert.ok(plane[70 * W + 120] > 0.5);
    assert.equal(plane[70 * W + 140], 0, 'beyond the reach the background stays');
  });

  it('works on a crop box of a larger map, and a click outside the box changes nothing', () => {
    const prev = before();
    const box = { x: 90, y: 30, width: 60, height: 80 };
    const plane = new Float32Array(box.width * box.height);
    for (let r = 0; r < box.height; r++) for (let c = 0; c < box.width; c++) plane[r * box.width + c] = prev[(box.y + r) * W + box.x + c];
    rect(plane, box.width, 10, 20, 30, 60, 0.9); // image x 100..120, y 50..90
    const copy = plane.slice();
    keepLocalEdits(copy, box, prev, W, [{ x: 10, y: 10, positive: true } satisfies ClickXY]);
    assert.equal(count(copy, (v) => v > 0.5), 10 * 60, 'unchanged: only the part of the square inside the box');
    keepLocalEdits(plane, box, prev, W, [{ x: 110, y: 70, positive: true }]);
    assert.equal(plane[(70 - box.y) * box.width + (110 - box.x)], Math.fround(0.9), "the added part keeps the model's probability");
  });
});
