import { getFftPlan } from './fft-plan.js';

/**
 * Power spectrum `|X[k]|²`, k = 0..size−1, of `signal` zero-padded to `size` points
 * (the `|φ̂_j[k]|²` terms of the Littlewood–Paley sum, docs/theory.md §6).
 *
 * @param signal real samples; its length must not exceed `size`.
 * @param size DFT length N (default: the signal's length); any positive integer.
 * @returns a new Float64Array of length `size`.
 * @throws RangeError if `size` is not a positive integer or `signal` is longer than `size`.
 */
export function powerSpectrum(signal: Float64Array, size: number = signal.length): Float64Array {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`powerSpectrum: size must be a positive integer, got ${size}`);
  }
  if (signal.length > size) {
    throw new RangeError(`powerSpectrum: signal length ${signal.length} exceeds size ${size}`);
  }
  const plan = getFftPlan(size);
  let padded = signal;
  if (signal.length < size) {
    padded = new Float64Array(size);
    padded.set(signal);
  }
  const spectrum = new Float64Array(2 * size);
  plan.forwardReal(padded, spectrum);
  const power = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const re = spectrum[2 * k]!;
    const im = spectrum[2 * k + 1]!;
    power[k] = re * re + im * im;
  }
  return power;
}
