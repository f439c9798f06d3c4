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
  private readonly sum: Float64Array;

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
    this.sum = new Float64Array(gridSize);
  }

  /**
   * Writes P (length G) for the J·T taps of one draw.
   *
   * Accumulates S[k] = Σ_pairs |Z_k|² in one streaming pass per FFT and folds
   * P[k] = (S[k] + S[G−k])/2 once at the end (P is even). `packed` was zeroed at construction and
   * only its first T pairs are ever written, so it needs no clearing per FFT.
   */
  compute(taps: Float64Array, out: Float64Array): void {
    const { numFilters: J, filterLength: T, gridSize: G, packed, spectrum } = this;
    const sum = this.sum;
    sum.fill(0);
    for (let j = 0; j < J; j += 2) {
      const a = j * T;
      if (j + 1 < J) {
        const b = a + T;
        for (let n = 0; n < T; n++) {
          packed[2 * n] = taps[a + n]!;
          packed[2 * n + 1] = taps[b + n]!;
        }
      } else {
        for (let n = 0; n < T; n++) {
          packed[2 * n] = taps[a + n]!;
          packed[2 * n + 1] = 0;
        }
      }
      this.plan.forward(packed, spectrum);
      for (let k = 0; k < G; k++) {
        const re = spectrum[2 * k]!;
        const im = spectrum[2 * k + 1]!;
        sum[k]! += re * re + im * im;
      }
    }
    out[0] = sum[0]!;
    for (let k = 1; k < G; k++) out[k] = 0.5 * (sum[k]! + sum[G - k]!);
  }
}
