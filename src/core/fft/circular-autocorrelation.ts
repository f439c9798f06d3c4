import { getFftPlan } from './fft-plan.js';

/**
 * Circular autocorrelation `R_x(τ) = Σ_n x[n]·x[(n+τ) mod N]`, τ = 0..N−1 (THEORY.md §2),
 * computed with FFTs as `R_x = IDFT(|X|²)`, for any length N.
 *
 * `|X|²` is real and even, so its inverse DFT equals its forward DFT divided by N; both
 * transforms are therefore real-input transforms of size N. `R_x(0) = ‖x‖²` up to roundoff
 * (about 1e-15·‖x‖² for N ≤ 10⁵), and `R_x(τ) = R_x(N−τ)`.
 *
 * @returns a new Float64Array of length N.
 * @throws RangeError if `signal` is empty.
 */
export function circularAutocorrelation(signal: Float64Array): Float64Array {
  const n = signal.length;
  if (n === 0) {
    throw new RangeError('circularAutocorrelation: signal must not be empty (length 0)');
  }
  const plan = getFftPlan(n);
  const spectrum = new Float64Array(2 * n);
  plan.forwardReal(signal, spectrum);
  const power = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const re = spectrum[2 * k]!;
    const im = spectrum[2 * k + 1]!;
    power[k] = re * re + im * im;
  }
  plan.forwardReal(power, spectrum);
  const result = new Float64Array(n);
  const scale = 1 / n;
  for (let t = 0; t < n; t++) result[t] = spectrum[2 * t]! * scale;
  return result;
}
