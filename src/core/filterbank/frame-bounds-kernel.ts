import { nextPowerOfTwo } from '../fft/next-power-of-two.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { drawFilters } from './draw-filters.js';
import { LittlewoodPaleyFromAutocorrelation } from './littlewood-paley-from-autocorrelation.js';
import { StridedFrameBounds } from './strided-frame-bounds.js';
import { SummedAutocorrelation } from './summed-autocorrelation.js';
import { SummedSpectralPower } from './summed-spectral-power.js';
import type { TapLaw } from './tap-law.js';

/** Optimal frame bounds of one draw, not normalised (docs/theory.md §6). */
export interface FrameBounds {
  A: number;
  B: number;
}

/** How the LP sum is computed: straight on the N grid, or through r(τ) (docs/theory.md §6). */
export type LittlewoodPaleyRoute = 'direct' | 'autocorrelation';

/**
 * The frame bounds A = min LP, B = max LP of one draw of J filters of length T on the N-point
 * grid, or with stride d the polyphase bounds of §6.4. Picks the cheaper exact route (§10.6): the J
 * filters' N-point spectra when N is a power of two no larger than the autocorrelation grid
 * 2^⌈log₂(2T−1)⌉, otherwise r(τ) by short FFTs followed by one N-point DFT.
 */
export class FrameBoundsKernel {
  readonly route: LittlewoodPaleyRoute;
  readonly lp: Float64Array;
  private readonly direct: SummedSpectralPower | undefined;
  private readonly autocorrelation: SummedAutocorrelation | undefined;
  private readonly fromAutocorrelation: LittlewoodPaleyFromAutocorrelation | undefined;
  private readonly r: Float64Array;
  private readonly strided: StridedFrameBounds | undefined;
  /** One draw's taps, for the strided route, which reads them filter by filter (else empty). */
  private readonly taps: Float64Array;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    readonly signalLength: number,
    readonly stride = 1,
    options: { route?: LittlewoodPaleyRoute } = {},
  ) {
    if (filterLength > signalLength) {
      throw new RangeError(`filterLength ${filterLength} exceeds signalLength ${signalLength}`);
    }
    if (!Number.isInteger(stride) || stride < 1 || signalLength % stride !== 0) {
      throw new RangeError(
        `stride must be a positive divisor of signalLength ${signalLength}, got ${stride}`,
      );
    }
    const N = signalLength;
    this.lp = new Float64Array(N);
    this.r = new Float64Array(filterLength);
    this.taps = new Float64Array(stride > 1 ? numFilters * filterLength : 0);
    if (stride > 1) {
      this.strided = new StridedFrameBounds(numFilters, filterLength, N, stride);
      this.route = 'direct';
      return;
    }
    const preferDirect = nextPowerOfTwo(N) === N && N <= nextPowerOfTwo(2 * filterLength - 1);
    this.route = options.route ?? (preferDirect ? 'direct' : 'autocorrelation');
    if (this.route === 'direct') {
      this.direct = new SummedSpectralPower(numFilters, filterLength, N);
    } else {
      this.autocorrelation = new SummedAutocorrelation(numFilters, filterLength);
      this.fromAutocorrelation = new LittlewoodPaleyFromAutocorrelation(filterLength, N);
    }
  }

  /** Frame bounds of the J·T taps of one draw; with stride 1, `lp` then holds the LP sum. */
  compute(taps: Float64Array): FrameBounds {
    if (this.strided !== undefined) return this.strided.compute(taps);
    if (this.direct !== undefined) {
      this.direct.compute(taps, this.lp);
    } else {
      this.autocorrelation!.compute(taps, this.r);
      this.fromAutocorrelation!.compute(this.r, this.lp);
    }
    return this.boundsOfLp();
  }

  /**
   * {@link compute} for the next draw of `rng` under `law`: the taps drawFilters would give,
   * drawn straight into the FFT inputs where the route allows.
   */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw): FrameBounds {
    if (this.strided !== undefined) {
      drawFilters(rng, law, this.taps, this.filterLength);
      return this.strided.compute(this.taps);
    }
    if (this.direct !== undefined) {
      this.direct.computeFromDraw(rng, law, this.lp);
    } else {
      this.autocorrelation!.computeFromDraw(rng, law, this.r);
      this.fromAutocorrelation!.compute(this.r, this.lp);
    }
    return this.boundsOfLp();
  }

  private boundsOfLp(): FrameBounds {
    const lp = this.lp;
    let A = Infinity;
    let B = -Infinity;
    for (let k = 0; k < lp.length; k++) {
      const v = lp[k]!;
      if (v < A) A = v;
      if (v > B) B = v;
    }
    // Roundoff can push an exact zero slightly negative; LP is a sum of squares.
    return { A: Math.max(A, 0), B };
  }
}
