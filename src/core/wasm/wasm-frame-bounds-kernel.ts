import { nextPowerOfTwo } from '../fft/next-power-of-two.js';
import type { FrameBounds, LittlewoodPaleyRoute } from '../filterbank/frame-bounds-kernel.js';
import type { TapLaw } from '../filterbank/tap-law.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { lawCode, releaseOnCollect, WasmKernel } from './wasm-kernel.js';

/** log₂ of a power of two. */
export function log2Exact(n: number): number {
  return 31 - Math.clz32(n);
}

/** True for N = 2, 4, 8, …: the sizes of the WebAssembly FFT (docs/theory.md §12). */
export function isWasmFftSize(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && n <= 2 ** 26 && (n & (n - 1)) === 0;
}

/**
 * FrameBoundsKernel's `computeFromDraw` in WebAssembly, for stride 1 and N a power of two ≥ 2
 * (docs/theory.md §6, §12): the same draws (bit for bit), the same route rule (the N-point
 * spectra when N ≤ 2^⌈log₂(2T−1)⌉, else r(τ) then one N-point DFT), the same A and B to
 * ~1e-15 relative (the FFTs round differently from fft.js).
 */
export class WasmFrameBoundsKernel {
  readonly route: LittlewoodPaleyRoute;
  private readonly kernel = WasmKernel.get();
  private readonly logN: number;
  private readonly logG: number;
  private readonly packed: number;
  private readonly scratch: number;
  private readonly half: number;
  private readonly lastFilter: number;
  private readonly r: number;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    readonly signalLength: number,
    options: { route?: LittlewoodPaleyRoute } = {},
  ) {
    if (!isWasmFftSize(signalLength)) {
      throw new RangeError(
        `WasmFrameBoundsKernel: signalLength must be a power of two ≥ 2, got ${signalLength}`,
      );
    }
    if (!(Number.isInteger(filterLength) && filterLength >= 1 && filterLength <= signalLength)) {
      throw new RangeError(`filterLength ${filterLength} must be an integer in [1, ${signalLength}]`);
    }
    const N = signalLength;
    const G = Math.max(2, nextPowerOfTwo(2 * filterLength - 1));
    this.route = options.route ?? (N <= nextPowerOfTwo(2 * filterLength - 1) ? 'direct' : 'autocorrelation');
    this.logN = log2Exact(N);
    this.logG = log2Exact(G);
    const grid = this.route === 'direct' ? N : Math.max(N, G);
    this.packed = this.kernel.reserveF64(2 * grid);
    this.scratch = this.kernel.reserveF64(2 * grid);
    this.half = this.kernel.reserveF64(grid);
    this.lastFilter = this.kernel.reserveF64(filterLength);
    this.r = this.kernel.reserveF64(filterLength);
    releaseOnCollect.register(this, [this.packed, this.scratch, this.half, this.lastFilter, this.r]);
  }

  /** Frame bounds of the next draw of `rng` under `law`; `rng` moves on as drawFilters would move it. */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw): FrameBounds {
    const { kernel, numFilters: J, filterLength: T } = this;
    const e = kernel.exports;
    const [code, param] = lawCode(law);
    kernel.loadStream(rng);
    if (this.route === 'direct') {
      e.frameBoundsDirect(
        J,
        T,
        this.logN,
        code,
        param,
        this.packed,
        this.scratch,
        this.half,
        this.lastFilter,
      );
    } else {
      e.frameBoundsAutocorrelation(
        J,
        T,
        this.logG,
        this.logN,
        code,
        param,
        this.packed,
        this.scratch,
        this.half,
        this.lastFilter,
        this.r,
      );
    }
    kernel.storeStream(rng);
    return { A: e.resultA(), B: e.resultB() };
  }
}
