import { getFftPlan } from '../fft/fft-plan.js';
import { symmetricToeplitzEigenvalues } from '../linalg/toeplitz-eigenvalues.js';
import type { Kernel } from '../wasm/kernel-choice.js';

/**
 * Eigenvalues (ascending) of `Q_T = [R_x(s−t mod N)]`, the T×T Toeplitz matrix of a signal's
 * circular autocorrelation (docs/theory.md §2). At T = N the matrix is the full circulant, whose
 * eigenvalues are the DFT of R_x, i.e. |X[k]|²: O(N log N) instead of an O(T³) solve. Every
 * other T goes through the split Toeplitz solver, in JS or (`kernel` = `wasm`) in WebAssembly,
 * which give the same doubles (docs/theory.md §12.1).
 */
export function autocorrelationToeplitzEigenvalues(
  autocorrelation: Float64Array,
  filterLength: number,
  kernel: Kernel = 'js',
): Float64Array {
  const N = autocorrelation.length;
  if (!Number.isInteger(filterLength) || filterLength < 1 || filterLength > N) {
    throw new RangeError(`filterLength must be an integer in [1, ${N}], got ${filterLength}`);
  }
  if (filterLength < N) return symmetricToeplitzEigenvalues(autocorrelation, filterLength, kernel);
  const spectrum = new Float64Array(2 * N);
  getFftPlan(N).forwardReal(autocorrelation, spectrum);
  const eigenvalues = new Float64Array(N);
  // R_x is even (R(N−τ) = R(τ)), so its DFT is real; the imaginary parts are roundoff.
  for (let k = 0; k < N; k++) eigenvalues[k] = spectrum[2 * k]!;
  return eigenvalues.sort();
}
