import { getFftPlan, type FftPlan } from '../fft/fft-plan.js';

/**
 * `P[k] = Σ_j |DFT_G(φ_j)[k]|²` on a grid of G ≥ T points (THEORY.md §6: on the N-point grid
 * this is the Littlewood–Paley sum; on a grid of at least 2T−1 points it is the DFT of the
 * summed linear autocorrelation r). Two real filters share one complex FFT:
 * with z = a + i·b, |A_k|² + |B_k|² = (|Z_k|² + |Z_{G−k}|²)/2, so no unpacking is needed.
 *
 * Holds its scratch buffers, so one instance serves one thread.
 */
export class SummedSpectralPower {
  readonly gridSize: number;
  private readonly plan: FftPlan;
  private readonly packed: Float64Array;
  private readonly spectrum: Float64Array;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    gridSize: number,
  ) {
    if (!Number.isInteger(gridSize) || gridSize < filterLength) {
      throw new RangeError(`gridSize must be an integer ≥ filterLength (${filterLength}), got ${gridSize}`);
    }
    this.gridSize = gridSize;
    this.plan = getFftPlan(gridSize);
    this.packed = new Float64Array(2 * gridSize);
    this.spectrum = new Float64Array(2 * gridSize);
  }

  /** Writes P (length G) for the J·T taps of one draw. */
  compute(taps: Float64Array, out: Float64Array): void {
    const { numFilters: J, filterLength: T, gridSize: G, packed, spectrum } = this;
    out.fill(0);
    for (let j = 0; j < J; j += 2) {
      packed.fill(0);
      const a = j * T;
      const b = j + 1 < J ? (j + 1) * T : -1;
      for (let n = 0; n < T; n++) packed[2 * n] = taps[a + n]!;
      if (b >= 0) for (let n = 0; n < T; n++) packed[2 * n + 1] = taps[b + n]!;
      this.plan.forward(packed, spectrum);
      const re0 = spectrum[0]!;
      const im0 = spectrum[1]!;
      out[0]! += re0 * re0 + im0 * im0;
      for (let k = 1; k < G; k++) {
        const re = spectrum[2 * k]!;
        const im = spectrum[2 * k + 1]!;
        const reM = spectrum[2 * (G - k)]!;
        const imM = spectrum[2 * (G - k) + 1]!;
        out[k]! += 0.5 * (re * re + im * im + reM * reM + imM * imM);
      }
    }
  }
}
