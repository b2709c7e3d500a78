import * as assert from 'node:assert/strict';
import { OverrideLayer } from '../../../src/shared/geometry/brush';
import { applyPatch, emptyPredictionState } from '../../../src/shared/inference/pipeline';
import { overridePlane, strokeIntoState } from '../../../src/shared/inference/strokeState';

describe('brush strokes on the click state (worker side)', () => {
  it('sets the stroked probabilities, redraws the edge prior around them, and undoes exactly', () => {
    const s = emptyPredictionState(50, 40);
    s.probs.fill(0.3);
    s.edges.fill(0.2);
    const probs0 = s.probs.slice(), edges0 = s.edges.slice();
    const o = new OverrideLayer(50, 40);
    const undo = strokeIntoState(s, o, { mode: 'paint', radius: 4, points: [20.5, 20.5] })!;
    assert.equal(s.probs[20 * 50 + 20], 1);
    assert.equal(s.probs[20 * 50 + 30], Math.fround(0.3), 'outside the stroke');
    // The binary mask's edge: 1 on the disc's rim (and just outside), 0 in its middle.
    assert.equal(s.edges[20 * 50 + 20], 0);
    assert.equal(s.edges[20 * 50 + 24], 1);
    assert.equal(s.edges[20 * 50 + 35], Math.fround(0.2), 'the model edge far from the stroke');
    assert.ok(undo.state.box.width <= 12 && undo.state.box.height <= 12, 'the undo covers the stroke, not the image');
    applyPatch(s, undo.state);
    o.restore(undo.override);
    assert.deepEqual(s.probs, probs0);
    assert.deepEqual(s.edges, edges0);
    assert.equal(o.at(20, 20), 0);
  });

  it('puts the strokes on a later prediction', () => {
    const o = new OverrideLayer(50, 40);
    o.draw({ mode: 'paint', radius: 2, points: [10.5, 10.5] });
    o.draw({ mode: 'erase', radius: 2, points: [14.5, 10.5] });
    const box = { x: 8, y: 8, width: 10, height: 5 };
    const plane = new Float32Array(50).fill(0.6);
    plane[0] = 0.1; // (8, 8): outside both strokes
    overridePlane(plane, box, o);
    assert.equal(plane[(10 - 8) * 10 + (10 - 8)], 1);
    assert.equal(plane[(10 - 8) * 10 + (14 - 8)], 0);
    assert.ok(Math.abs(plane[0] - 0.1) < 1e-6);
  });
});
