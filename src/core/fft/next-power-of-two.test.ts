import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextPowerOfTwo } from './next-power-of-two.js';

describe('nextPowerOfTwo', () => {
  it('returns the smallest power of two ≥ n, and at least 1', () => {
    const cases: [number, number][] = [
      [-3, 1],
      [0, 1],
      [0.5, 1],
      [1, 1],
      [2, 2],
      [3, 4],
      [1023, 1024],
      [1024, 1024],
      [1025, 2048],
      [44099, 65536],
      [2 ** 40 + 1, 2 ** 41],
      [2 ** 52, 2 ** 52],
    ];
    for (const [n, expected] of cases) assert.equal(nextPowerOfTwo(n), expected, `n = ${n}`);
  });

  it('rejects non-finite and huge values', () => {
    assert.throws(() => nextPowerOfTwo(Number.NaN), /NaN/);
    assert.throws(() => nextPowerOfTwo(Number.POSITIVE_INFINITY), /Infinity/);
    assert.throws(() => nextPowerOfTwo(2 ** 53), RangeError);
  });
});
