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
  private readonly half: Float64Array;

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
    this.half = new Float64Array((gridSize >> 1) + 1);
  }

  /**
   * Writes P (length G) for the J·T taps of one draw.
   *
   * P is even, so only H[k] = Σ_pairs (|Z_k|² + |Z_{G−k}|²), k = 0..⌊G/2⌋, is accumulated (half
   * the loop trips and stores of the full spectrum), and P[k] = P[G−k] = H[k]/2 is written once
   * at the end (`computeHalf` stops before the mirroring). `packed` was zeroed at construction
   * and only its first T pairs are ever written, so it needs no clearing per FFT.
   */
  compute(taps: Float64Array, out: Float64Array): void {
    const half = this.computeHalf(taps);
    const G = this.gridSize;
    out[0] = half[0]!;
    for (let k = 1; k <= G >> 1; k++) {
      const v = half[k]!;
      out[k] = v;
      out[G - k] = v;
    }
  }

  /**
   * P[k] for k = 0..⌊G/2⌋ only (P is even), in a buffer this instance owns and overwrites on the
   * next call. Parseval sums over the half spectrum with folded weights need no more.
   */
  computeHalf(taps: Float64Array): Float64Array {
    const { numFilters: J, filterLength: T, gridSize: G, packed, spectrum } = this;
    const half = this.half;
    const H = G >> 1;
    const even = (G & 1) === 0;
    half.fill(0);
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
      const re0 = spectrum[0]!;
      const im0 = spectrum[1]!;
      half[0]! += 2 * (re0 * re0 + im0 * im0);
      const pairs = even ? H : H + 1; // k = 1..pairs−1 pair with G − k ≠ k
      for (let k = 1, m = 2 * (G - 1); k < pairs; k++, m -= 2) {
        const re = spectrum[2 * k]!;
        const im = spectrum[2 * k + 1]!;
        const reM = spectrum[m]!;
        const imM = spectrum[m + 1]!;
        half[k]! += re * re + im * im + (reM * reM + imM * imM);
      }
      if (even && H > 0) {
        const re = spectrum[2 * H]!;
        const im = spectrum[2 * H + 1]!;
        half[H]! += 2 * (re * re + im * im);
      }
    }
    for (let k = 0; k <= H; k++) half[k]! *= 0.5;
    return half;
  }
}
