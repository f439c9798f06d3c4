import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirichletKernel } from './dirichlet-kernel.js';

/** The defining sum Σ_t cos(x·(t − (T−1)/2)), term by term. */
function bySum(x: number, T: number): number {
  let s = 0;
  for (let t = 0; t < T; t++) s += Math.cos(x * (t - (T - 1) / 2));
  return s;
}

test('dirichletKernel: T at 0, (−1)^{m(T−1)}·T at 2πm, 1 for T = 1', () => {
  assert.equal(dirichletKernel(0, 8), 8);
  assert.equal(dirichletKernel(2 * Math.PI, 8), -8);
  assert.equal(dirichletKernel(2 * Math.PI, 7), 7);
  assert.equal(dirichletKernel(4 * Math.PI, 8), 8);
  assert.equal(dirichletKernel(1.3, 1), 1);
});

test('dirichletKernel: equals its defining sum, near and away from the multiples of 2π', () => {
  for (const T of [2, 3, 8, 33, 1000]) {
    for (const x of [1e-7, 0.01, 0.5, Math.PI, 2 * Math.PI - 1e-6, 2 * Math.PI + 0.3, 5.9, -1.1]) {
      assert.ok(Math.abs(dirichletKernel(x, T) - bySum(x, T)) < 1e-9 * T, `T=${T} x=${x}`);
    }
  }
});
