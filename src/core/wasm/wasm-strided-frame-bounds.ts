import type { FrameBounds } from '../filterbank/frame-bounds-kernel.js';
import type { TapLaw } from '../filterbank/tap-law.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { isWasmFftSize, log2Exact } from './wasm-frame-bounds-kernel.js';
import { type KernelExports, lawCode, releaseOnCollect, WasmKernel } from './wasm-kernel.js';

/**
 * The kernel's work buffers (pointers): the arguments of `stridedFrameBounds` after
 * (J, T, logN, d, law, param), taken from its signature so the buffers are named once. One list
 * that the constructor reserves, the call passes and the finalizer frees.
 */
type StridedBuffers =
  Parameters<KernelExports['stridedFrameBounds']> extends [
    number,
    number,
    number,
    number,
    number,
    number,
    ...infer Buffers extends number[],
  ]
    ? Readonly<Buffers>
    : never;

/**
 * FrameBoundsKernel's `computeFromDraw` at stride d > 1 in WebAssembly, for N and d powers of
 * two (docs/theory.md §6.4, §12.1): the same draws (bit for bit) as the JS strided route
 * (`strided-frame-bounds.ts`), each pair's N-point spectrum in wasm, the sums
 * S_k = Σ_j V_k[j]ᴴV_k[j] accumulated while it is fresh (only k ≤ K/2: real filters make
 * M_{K−k} a conjugated permutation of M_k), then per k the extreme eigenvalues of M_k = S_k/d —
 * in closed form for d = 2, otherwise by a complex Householder reduction to a real tridiagonal
 * matrix and the QR iteration of the wasm eigenvalue solver. A and B equal the JS route's to
 * ~1e-15 relative (the FFTs and the solvers round differently).
 */
export class WasmStridedFrameBounds {
  private readonly kernel = WasmKernel.get();
  private readonly logN: number;
  private readonly buffers: StridedBuffers;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    readonly signalLength: number,
    readonly stride: number,
  ) {
    const N = signalLength;
    const d = stride;
    if (!isWasmFftSize(N)) {
      throw new RangeError(`WasmStridedFrameBounds: signalLength must be a power of two ≥ 2, got ${N}`);
    }
    if (!(isWasmFftSize(d) && d <= N)) {
      throw new RangeError(`WasmStridedFrameBounds: stride must be a power of two in [2, ${N}], got ${d}`);
    }
    if (!(Number.isInteger(filterLength) && filterLength >= 1 && filterLength <= N)) {
      throw new RangeError(`filterLength ${filterLength} must be an integer in [1, ${N}]`);
    }
    const K = N / d;
    const kCount = K >= 2 ? K / 2 + 1 : 1;
    this.logN = log2Exact(N);
    const k = this.kernel;
    this.buffers = [
      k.reserveF64(2 * N), // packed
      k.reserveF64(2 * N), // scratch
      k.reserveF64(filterLength), // lastFilter
      k.reserveF64(kCount * d * (d + 1)), // sums: one (x, y) pair per upper-triangle entry of each S_k
      k.reserveF64(8 * d), // gather
      k.reserveF64(2 * d * d + 6 * d), // eig
    ];
    releaseOnCollect.register(this, [...this.buffers]);
  }

  /** Frame bounds of the next draw of `rng` under `law`; `rng` moves on as drawFilters would move it. */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw): FrameBounds {
    const { kernel, numFilters: J, filterLength: T, stride: d } = this;
    const e = kernel.exports;
    const [code, param] = lawCode(law);
    kernel.loadStream(rng);
    const status = e.stridedFrameBounds(J, T, this.logN, d, code, param, ...this.buffers);
    kernel.storeStream(rng);
    if (status !== 0) {
      throw new RangeError(`symmetric QR did not converge after ${50 * d} sweeps (size ${d})`);
    }
    return { A: e.resultA(), B: e.resultB() };
  }
}
