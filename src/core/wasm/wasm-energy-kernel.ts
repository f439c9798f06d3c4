import { getFftPlan } from '../fft/fft-plan.js';
import { nextPowerOfTwo } from '../fft/next-power-of-two.js';
import type { TapLaw } from '../filterbank/tap-law.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { isWasmFftSize, log2Exact } from './wasm-frame-bounds-kernel.js';
import { lawCode, releaseOnCollect, WasmKernel } from './wasm-kernel.js';

/**
 * What one draw's energy ratios ‖Φx_s‖²/‖x_s‖² need (docs/theory.md §6): for the Parseval
 * route, the folded weights |X_s[k]|²/(N·‖x_s‖²) on k = 0..N/2 (N a power of two); for the
 * autocorrelation route, each signal's circular autocorrelation R_s (length ≥ T) and energy.
 */
export type WasmEnergyInputs =
  | { route: 'parseval'; signalLength: number; weights: readonly Float64Array[] }
  | { route: 'autocorrelation'; autocorrelations: readonly Float64Array[]; energies: readonly number[] };

/**
 * The energy plan's per-trial step in WebAssembly (docs/theory.md §12): the draw (bit for bit
 * the JS draw), the pair FFTs and the power P on a grid of G points, then for every signal one
 * weighted sum over the half spectrum, ‖Φx_s‖²/‖x_s‖² = Σ_{k≤G/2} P[k]·W_s[k]. On the Parseval
 * route G = N and W_s are the signal's folded |X_s|²/(N·‖x_s‖²). On the autocorrelation route
 * G = 2^⌈log₂(2T−1)⌉ and W_s is the same sum moved to the G grid: with r = IDFT_G(P) (exact for
 * |τ| < T, as G ≥ 2T − 1), Σ_{|τ|<T} r(τ)·R_s(τ) = Σ_k P[k]·C_s[k], C_s = IDFT_G of R_s cut to
 * |τ| < T, computed once per plan; this saves the JS route's inverse FFT per trial.
 */
export class WasmEnergyKernel {
  readonly signalCount: number;
  private readonly kernel = WasmKernel.get();
  private readonly logGrid: number;
  private readonly packed: number;
  private readonly scratch: number;
  private readonly half: number;
  private readonly lastFilter: number;
  /** The weights W_s on k = 0..G/2, one row per signal. */
  private readonly rows: number;
  private readonly rowLength: number;
  private readonly out: number;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    inputs: WasmEnergyInputs,
  ) {
    const T = filterLength;
    const k = this.kernel;
    let grid: number;
    let rows: readonly Float64Array[];
    if (inputs.route === 'parseval') {
      grid = inputs.signalLength;
      if (!isWasmFftSize(grid) || T > grid) {
        throw new RangeError(`WasmEnergyKernel: Parseval needs N a power of two ≥ max(2, T), got ${grid}`);
      }
      this.rowLength = (grid >> 1) + 1;
      rows = inputs.weights;
    } else {
      grid = Math.max(2, nextPowerOfTwo(2 * T - 1));
      this.rowLength = (grid >> 1) + 1;
      rows = inputs.autocorrelations.map((R, s) => autocorrelationWeights(R, inputs.energies[s]!, T, grid));
    }
    this.signalCount = rows.length;
    this.logGrid = log2Exact(grid);
    this.packed = k.reserveF64(2 * grid);
    this.scratch = k.reserveF64(2 * grid);
    this.half = k.reserveF64(grid);
    this.lastFilter = k.reserveF64(T);
    this.rows = k.reserveF64(this.signalCount * this.rowLength);
    this.out = k.reserveF64(this.signalCount);
    // Views only after every reservation: a reservation may grow the memory.
    const rowView = k.f64(this.rows, this.signalCount * this.rowLength);
    rows.forEach((row, s) => {
      if (row.length < this.rowLength) throw new RangeError(`row ${s} is shorter than ${this.rowLength}`);
      rowView.set(row.subarray(0, this.rowLength), s * this.rowLength);
    });
    releaseOnCollect.register(this, [
      this.packed,
      this.scratch,
      this.half,
      this.lastFilter,
      this.rows,
      this.out,
    ]);
  }

  /** Writes the S energy ratios of the next draw of `rng` under `law` to values[offset ..]. */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw, values: Float64Array, offset: number): void {
    const { kernel, numFilters: J, filterLength: T, signalCount: S } = this;
    const e = kernel.exports;
    const [code, param] = lawCode(law);
    kernel.loadStream(rng);
    e.energyParseval(
      J,
      T,
      this.logGrid,
      code,
      param,
      this.packed,
      this.scratch,
      this.half,
      this.lastFilter,
      this.rows,
      S,
      this.out,
    );
    kernel.storeStream(rng);
    values.set(kernel.f64(this.out, S), offset);
  }
}

/**
 * W[k] = f_k·C[k]/E for k = 0..G/2, C = (1/G)·DFT_G of R cut to |τ| < T (real: R is even),
 * f_k = 1 at k = 0 and G/2 and 2 elsewhere (P and C are even, so the other half folds onto these).
 */
function autocorrelationWeights(R: Float64Array, energy: number, T: number, G: number): Float64Array {
  const cut = new Float64Array(G);
  cut[0] = R[0]!;
  for (let tau = 1; tau < T; tau++) {
    cut[tau] = R[tau]!;
    cut[G - tau] = R[tau]!;
  }
  const spectrum = new Float64Array(2 * G);
  getFftPlan(G).forwardReal(cut, spectrum);
  const H = G >> 1;
  const weights = new Float64Array(H + 1);
  for (let k = 0; k <= H; k++) {
    const fold = k === 0 || k === H ? 1 : 2;
    weights[k] = (fold * spectrum[2 * k]!) / (G * energy);
  }
  return weights;
}
