import * as assert from 'node:assert/strict';
import { clickRegressionShare } from '../bench/common';

describe('bench:noc statistics', () => {
  it('counts the objects whose click k lowers the IoU of click k-1 by more than 0.02', () => {
    const ious = [
      [0.5, 0.47, 0.8], // click 2 drops 0.03: counted
      [0.5, 0.49, 0.3], // click 2 drops 0.01: not counted; click 3 drops 0.19
      [0.9, 0.95], // better
      [0.92], // stopped after click 1: not in the denominator of click 2
    ];
    assert.deepEqual(clickRegressionShare(ious, 2), { share: 1 / 3, count: 1, n: 3 });
    assert.deepEqual(clickRegressionShare(ious, 3), { share: 1 / 2, count: 1, n: 2 });
    assert.deepEqual(clickRegressionShare(ious, 2, 0.005), { share: 2 / 3, count: 2, n: 3 });
    assert.deepEqual(clickRegressionShare([], 2), { share: 0, count: 0, n: 0 });
    assert.throws(() => clickRegressionShare(ious, 1));
  });
});
