import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirichletKernel } from './dirichlet-kernel.js';
import { littlewoodPaleyCorrelation, littlewoodPaleyVarianceSplit } from './littlewood-paley-correlation.js';

test('littlewoodPaleyVarianceSplit: 1 at ω = 0 and π (all cosine), 1/2 at ω = π/2 for even T', () => {
  assert.equal(littlewoodPaleyVarianceSplit(0, 8, 64), 1);
  assert.ok(Math.abs(littlewoodPaleyVarianceSplit(32, 8, 64) - 1) < 1e-12);
  assert.ok(Math.abs(littlewoodPaleyVarianceSplit(16, 8, 64) - 0.5) < 1e-12);
});

test('littlewoodPaleyCorrelation: 1 with itself, symmetric, 0 between neighbours at T = N (§11.1)', () => {
  assert.ok(Math.abs(littlewoodPaleyCorrelation(5, 5, 8, 64) - 1) < 1e-12);
  assert.equal(littlewoodPaleyCorrelation(3, 9, 8, 64), littlewoodPaleyCorrelation(9, 3, 8, 64));
  assert.ok(littlewoodPaleyCorrelation(3, 4, 16, 16) < 1e-24);
});

test('littlewoodPaleyCorrelation: the Fejér kernel (D(Δ)/T)² inside the band', () => {
  const [T, N] = [8, 1024];
  // Up to (D(ω+ω′)/T)², which is small for near neighbours at ω = π/2.
  for (const step of [1, 4, 10]) {
    const fejer = (dirichletKernel((2 * Math.PI * step) / N, T) / T) ** 2;
    assert.ok(Math.abs(littlewoodPaleyCorrelation(256, 256 + step, T, N) - fejer) < 1e-3, `step ${step}`);
  }
});
