import { getFftPlan, type FftPlan } from '../fft/fft-plan.js';

/**
 * `LP[k] = Σ_j |φ̂_j[k]|²` on the N-point grid from the summed autocorrelation r(0..T−1):
 * the N-point DFT of r wrapped mod N (docs/theory.md §6). Holds scratch buffers; one per thread.
 */
export class LittlewoodPaleyFromAutocorrelation {
  private readonly plan: FftPlan;
  private readonly wrapped: Float64Array;
  private readonly spectrum: Float64Array;

  constructor(
    readonly filterLength: number,
    readonly signalLength: number,
  ) {
    if (filterLength > signalLength) {
      throw new RangeError(`filterLength ${filterLength} exceeds signalLength ${signalLength}`);
    }
    this.plan = getFftPlan(signalLength);
    this.wrapped = new Float64Array(signalLength);
    this.spectrum = new Float64Array(2 * signalLength);
  }

  /** Writes LP (length N) for the autocorrelation `r` (length ≥ T). */
  compute(r: Float64Array, out: Float64Array): void {
    const { filterLength: T, signalLength: N, wrapped, spectrum } = this;
    wrapped.fill(0);
    wrapped[0] = r[0]!;
    for (let tau = 1; tau < T; tau++) {
      const v = r[tau]!;
      wrapped[tau]! += v;
      wrapped[N - tau]! += v;
    }
    this.plan.forwardReal(wrapped, spectrum);
    // The wrapped sequence is even, so the DFT is real; the imaginary parts are roundoff.
    for (let k = 0; k < N; k++) out[k] = spectrum[2 * k]!;
  }
}
