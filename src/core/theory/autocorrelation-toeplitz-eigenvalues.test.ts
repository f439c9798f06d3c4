import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circularAutocorrelation } from '../fft/circular-autocorrelation.js';
import { symmetricToeplitzEigenvalues } from '../linalg/toeplitz-eigenvalues.js';
import { createStream } from '../random/stream-seed.js';
import { fillStandardNormal } from '../random/ziggurat-normal.js';
import { autocorrelationToeplitzEigenvalues } from './autocorrelation-toeplitz-eigenvalues.js';

test('rejects T outside [1, N]', () => {
  const R = circularAutocorrelation(Float64Array.of(1, 2, 3));
  assert.throws(() => autocorrelationToeplitzEigenvalues(R, 0), RangeError);
  assert.throws(() => autocorrelationToeplitzEigenvalues(R, 4), /\[1, 3\]/);
});

test('at T = N the circulant route equals the Toeplitz solver, for even and odd N', () => {
  for (const N of [1, 2, 5, 16, 63, 200]) {
    const x = new Float64Array(N);
    fillStandardNormal(createStream(3, N), x);
    const R = circularAutocorrelation(x);
    const fast = autocorrelationToeplitzEigenvalues(R, N);
    const slow = symmetricToeplitzEigenvalues(R, N);
    for (let i = 0; i < N; i++) assert.ok(Math.abs(fast[i]! - slow[i]!) <= 1e-10 * R[0]!, `N=${N} i=${i}`);
  }
});
