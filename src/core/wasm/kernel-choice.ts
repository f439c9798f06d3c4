import { isWasmFftSize } from './wasm-frame-bounds-kernel.js';

/**
 * Which per-trial kernels an engine runs (docs/theory.md §12): `auto` takes the WebAssembly
 * kernel wherever it covers the shape (it measured faster on every such shape, see
 * `npm run bench`), `js` always the JS kernels, `wasm` the WebAssembly kernel wherever it covers
 * the shape. The choice depends only on the request's shape, never on timing, so a request gives
 * the same doubles on every run of one build with one preference.
 */
export type KernelPreference = 'auto' | 'js' | 'wasm';
export const KERNEL_PREFERENCES: readonly KernelPreference[] = ['auto', 'js', 'wasm'];

/** A kernel a computation actually runs on. */
export type Kernel = 'js' | 'wasm';

/**
 * The largest stride the strided frame bounds run in wasm (docs/theory.md §12.4): up to it the
 * wasm route measured faster than the JS one on every shape of `npm run bench`'s strided lines.
 * Larger strides stay on JS: unmeasured, and the wasm route's sums take about 4·N·(d + 1)
 * bytes of the module's memory, which never shrinks.
 */
export const WASM_MAX_STRIDE = 16;

/**
 * The kernel of a frame-bounds cell: wasm for N a power of two ≥ 2 and stride 1, or a stride
 * d ≤ {@link WASM_MAX_STRIDE} (then a power of two too, as d divides N).
 */
export function frameBoundsKernel(
  preference: KernelPreference,
  signalLength: number,
  stride: number,
): 'js' | 'wasm' {
  if (preference === 'js' || !isWasmFftSize(signalLength)) return 'js';
  return stride === 1 || (stride <= WASM_MAX_STRIDE && isWasmFftSize(stride) && signalLength % stride === 0)
    ? 'wasm'
    : 'js';
}

/**
 * The kernel of an energy cell: wasm for the autocorrelation route (its FFT grid is a power of
 * two for any N) and for the Parseval route when N is a power of two ≥ 2 (always, as the plan
 * picks that route, unless a caller forces it).
 */
export function energyKernel(
  preference: KernelPreference,
  route: 'autocorrelation' | 'parseval',
  signalLength: number,
): 'js' | 'wasm' {
  if (preference === 'js') return 'js';
  return route === 'autocorrelation' || isWasmFftSize(signalLength) ? 'wasm' : 'js';
}

/**
 * The kernel of a plan's theory tasks (the eigenproblems of docs/theory.md §4–§5, §12.1): wasm
 * unless the preference is `js`, so `FBSTAB_KERNEL=js` stays pure JS. Both give the same doubles.
 */
export function theoryKernel(preference: KernelPreference): Kernel {
  return preference === 'js' ? 'js' : 'wasm';
}
