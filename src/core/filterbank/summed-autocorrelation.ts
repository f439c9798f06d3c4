import { getFftPlan, type FftPlan } from '../fft/fft-plan.js';
import { nextPowerOfTwo } from '../fft/next-power-of-two.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { drawFilters } from './draw-filters.js';
import { SummedSpectralPower } from './summed-spectral-power.js';
import type { TapLaw } from './tap-law.js';

/** Below this filter length the O(J·T²) sum beats the FFTs (measured by `npm run bench`). */
export const DIRECT_AUTOCORRELATION_MAX_LENGTH = 24;

/**
 * The summed linear autocorrelation of the filters, `r(τ) = Σ_j Σ_n φ_j[n]·φ_j[n+τ]` for
 * τ = 0..T−1 (docs/theory.md §6; r(−τ) = r(τ)). One draw's r gives the LP sum on any grid and
 * `‖Φx‖²` of every signal in O(T). Uses J/2 complex FFTs of G = 2^⌈log₂(2T−1)⌉ points and one
 * real one, or the direct sum for short filters.
 */
export class SummedAutocorrelation {
  /**
   * G: the size of the complex FFTs (one per pair of filters) and of the real inverse;
   * undefined for the direct sum.
   */
  readonly fftGridSize: number | undefined;
  private readonly power: SummedSpectralPower | undefined;
  private readonly powerBuffer: Float64Array;
  private readonly inversePlan: FftPlan | undefined;
  private readonly inverseOut: Float64Array;
  /** One draw's taps for the direct sum, which reads them filter by filter. */
  private readonly taps: Float64Array;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    options: { method?: 'auto' | 'direct' | 'fft' } = {},
  ) {
    const method = options.method ?? 'auto';
    const useFft =
      method === 'fft' || (method === 'auto' && filterLength > DIRECT_AUTOCORRELATION_MAX_LENGTH);
    const G = nextPowerOfTwo(2 * filterLength - 1);
    this.fftGridSize = useFft ? G : undefined;
    this.power = useFft ? new SummedSpectralPower(numFilters, filterLength, G) : undefined;
    this.inversePlan = useFft ? getFftPlan(G) : undefined;
    this.powerBuffer = new Float64Array(useFft ? G : 0);
    this.inverseOut = new Float64Array(useFft ? 2 * G : 0);
    this.taps = new Float64Array(useFft ? 0 : numFilters * filterLength);
  }

  /** Writes r(0..T−1) into `out` for the J·T taps of one draw (filter j at taps[j·T ..]). */
  compute(taps: Float64Array, out: Float64Array): void {
    if (this.power === undefined) {
      this.directSum(taps, out);
      return;
    }
    this.power.compute(taps, this.powerBuffer);
    this.fromPower(out);
  }

  /** {@link compute} for the next draw of `rng` under `law`, the taps drawFilters would give. */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw, out: Float64Array): void {
    if (this.power === undefined) {
      drawFilters(rng, law, this.taps, this.filterLength);
      this.directSum(this.taps, out);
      return;
    }
    this.power.computeFromDraw(rng, law, this.powerBuffer);
    this.fromPower(out);
  }

  private directSum(taps: Float64Array, out: Float64Array): void {
    const { numFilters: J, filterLength: T } = this;
    out.fill(0, 0, T);
    for (let j = 0; j < J; j++) {
      const base = j * T;
      for (let tau = 0; tau < T; tau++) {
        let s = 0;
        for (let n = base; n < base + T - tau; n++) s += taps[n]! * taps[n + tau]!;
        out[tau]! += s;
      }
    }
  }

  /** r from P: P is real and even, so its DFT is real and equals G·IDFT(P) = G·r. */
  private fromPower(out: Float64Array): void {
    this.inversePlan!.forwardReal(this.powerBuffer, this.inverseOut);
    const scale = 1 / this.powerBuffer.length;
    for (let tau = 0; tau < this.filterLength; tau++) out[tau] = this.inverseOut[2 * tau]! * scale;
  }
}
