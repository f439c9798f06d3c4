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
 * the JS draw), the pair FFTs, and either the Parseval sums over the half spectrum or r(τ) and
 * its O(T) products with each signal's autocorrelation.
 */
export class WasmEnergyKernel {
  readonly signalCount: number;
  private readonly kernel = WasmKernel.get();
  private readonly logGrid: number;
  private readonly packed: number;
  private readonly scratch: number;
  private readonly half: number;
  private readonly lastFilter: number;
  private readonly r: number;
  /** Weights (Parseval) or autocorrelations (autocorrelation route), one row per signal. */
  private readonly rows: number;
  private readonly rowLength: number;
  private readonly energies: number;
  private readonly out: number;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    private readonly inputs: WasmEnergyInputs,
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
      this.rowLength = T;
      rows = inputs.autocorrelations;
    }
    this.signalCount = rows.length;
    this.logGrid = log2Exact(grid);
    this.packed = k.reserveF64(2 * grid);
    this.scratch = k.reserveF64(2 * grid);
    this.half = k.reserveF64((grid >> 1) + 1);
    this.lastFilter = k.reserveF64(T);
    this.r = k.reserveF64(T);
    this.rows = k.reserveF64(this.signalCount * this.rowLength);
    this.energies = k.reserveF64(this.signalCount);
    this.out = k.reserveF64(this.signalCount);
    // Views only after every reservation: a reservation may grow the memory.
    const rowView = k.f64(this.rows, this.signalCount * this.rowLength);
    rows.forEach((row, s) => {
      if (row.length < this.rowLength) throw new RangeError(`row ${s} is shorter than ${this.rowLength}`);
      rowView.set(row.subarray(0, this.rowLength), s * this.rowLength);
    });
    if (inputs.route === 'autocorrelation') k.f64(this.energies, this.signalCount).set(inputs.energies);
    releaseOnCollect.register(this, [
      this.packed,
      this.scratch,
      this.half,
      this.lastFilter,
      this.r,
      this.rows,
      this.energies,
      this.out,
    ]);
  }

  /** Writes the S energy ratios of the next draw of `rng` under `law` to values[offset ..]. */
  computeFromDraw(rng: Xoshiro128StarStar, law: TapLaw, values: Float64Array, offset: number): void {
    const { kernel, numFilters: J, filterLength: T, signalCount: S } = this;
    const e = kernel.exports;
    const [code, param] = lawCode(law);
    kernel.loadStream(rng);
    if (this.inputs.route === 'parseval') {
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
    } else {
      e.energyAutocorrelation(
        J,
        T,
        this.logGrid,
        code,
        param,
        this.packed,
        this.scratch,
        this.half,
        this.lastFilter,
        this.r,
        this.rows,
        this.rowLength,
        this.energies,
        S,
        this.out,
      );
    }
    kernel.storeStream(rng);
    values.set(kernel.f64(this.out, S), offset);
  }
}
