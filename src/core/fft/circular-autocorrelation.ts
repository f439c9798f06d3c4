import { getFftPlan } from './fft-plan.js';

/**
 * Circular autocorrelation `R_x(τ) = Σ_n x[n]·x[(n+τ) mod N]`, τ = 0..N−1 (docs/theory.md §2),
 * computed with FFTs as `R_x = IDFT(|X|²)`, for any length N.
 *
 * `|X|²` is real and even, so its inverse DFT equals its forward DFT divided by N; both
 * transforms are therefore real-input transforms of size N. `R_x(0) = ‖x‖²` up to roundoff
 * (about 1e-15·‖x‖² for N ≤ 10⁵), and `R_x(τ) = R_x(N−τ)`.
 *
 * A sparse signal (K nonzero samples with K² ≤ 8N, such as an impulse) is summed directly over
 * its K² pairs instead: exact zeros stay exactly 0 (so Q_T of an impulse is exactly r(0)·I),
 * at a cost below that of the FFTs.
 *
 * @returns a new Float64Array of length N.
 * @throws RangeError if `signal` is empty.
 */
export function circularAutocorrelation(signal: Float64Array): Float64Array {
  const n = signal.length;
  if (n === 0) {
    throw new RangeError('circularAutocorrelation: signal must not be empty (length 0)');
  }
  const sparse = sparseAutocorrelation(signal);
  if (sparse !== undefined) return sparse;
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

/** The direct pair sum when the signal has K nonzero samples with K² ≤ 8N, else undefined. */
function sparseAutocorrelation(signal: Float64Array): Float64Array | undefined {
  const n = signal.length;
  const limit = Math.floor(Math.sqrt(8 * n));
  const support: number[] = [];
  for (let i = 0; i < n; i++) {
    if (signal[i] !== 0) {
      if (support.length === limit) return undefined;
      support.push(i);
    }
  }
  const result = new Float64Array(n);
  for (const a of support) {
    const xa = signal[a]!;
    for (const b of support) {
      const lag = b >= a ? b - a : b - a + n;
      result[lag]! += xa * signal[b]!;
    }
  }
  return result;
}
