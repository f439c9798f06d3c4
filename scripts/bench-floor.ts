// The one-thread floor of a preset for `npm run bench`, in parts timed one by one, all in the
// WebAssembly kernel the engine runs (docs/theory.md §12): the normal draws (the same fills the
// kernels make), the FFTs (count and sizes of the wasm routes) and the plan's theory tasks (the
// exact deviations, which the energy target includes). No power sums, no statistics, no
// threads. Twice numpy's time over their sum bounds the ratio two perfectly used cores could reach.
import { nextPowerOfTwo } from '../src/core/fft/next-power-of-two.js';
import { tapLaw } from '../src/core/filterbank/tap-law.js';
import { createStream } from '../src/core/random/stream-seed.js';
import { log2Exact } from '../src/core/wasm/wasm-frame-bounds-kernel.js';
import { lawCode, WasmKernel } from '../src/core/wasm/wasm-kernel.js';
import { energyRoute } from '../src/experiments/energy/plan.js';
import { planExperiment, type SeededExperimentRequest } from '../src/experiments/experiment-request.js';

interface FloorCell {
  J: number;
  T: number;
  /** Complex FFT size per pair of filters. */
  pairGrid: number;
  /**
   * Sizes of the complex FFTs run once per trial after the pairs: the real-input DFTs of r from P
   * and of LP from r, each one complex FFT of half their size.
   */
  trialGrids: number[];
}

function floorCells(request: SeededExperimentRequest): FloorCell[] {
  const { numFilters, filterLengths } = request.filterbank;
  const Js = Array.isArray(numFilters) ? numFilters : [numFilters];
  return Js.flatMap((J) =>
    filterLengths.map((T): FloorCell => {
      const G = Math.max(2, nextPowerOfTwo(2 * T - 1));
      if (request.type === 'frame-bounds') {
        const N = request.signalLength;
        // Direct: the N-point spectra; else r(τ) on G (pairs, then one inverse), then one N-point DFT.
        if (N <= nextPowerOfTwo(2 * T - 1)) return { J, T, pairGrid: N, trialGrids: [] };
        return { J, T, pairGrid: G, trialGrids: [G / 2, N / 2] };
      }
      const lengths = request.signals.map((s) => ('length' in s ? s.length : 0));
      if (energyRoute(T, lengths) === 'parseval') return { J, T, pairGrid: lengths[0]!, trialGrids: [] };
      // The weighted sums over P need no FFT after the pairs (wasm-energy-kernel.ts).
      return { J, T, pairGrid: G, trialGrids: [] };
    }),
  );
}

/** The parts of the floor, timed one by one. */
export type FloorPart = 'draws' | 'ffts' | 'theory';
export const FLOOR_PARTS: readonly FloorPart[] = ['draws', 'ffts', 'theory'];

/** Runs one part of the floor of `request` once, on the calling thread. */
export function runFloorPart(request: SeededExperimentRequest, part: FloorPart): void {
  if (part === 'theory') {
    const plan = planExperiment(request);
    for (const task of plan.tasks(request.trials)) if (task.kind === 'theory') plan.runTask(task, () => {});
    return;
  }
  const kernel = WasmKernel.get();
  const e = kernel.exports;
  const scheme = request.filterbank.init;
  for (const { J, T, pairGrid, trialGrids } of floorCells(request)) {
    if (part === 'draws') {
      const [code, param] = lawCode(tapLaw(scheme.scheme, J, T, scheme.variance));
      const taps = kernel.reserveF64(2 * T);
      for (let trial = 0; trial < request.trials; trial++) {
        kernel.loadStream(createStream(request.seed, J, T, trial));
        for (let j = 0; j < J; j += 2) e.fillTapsExport(taps, j + 1 < J ? 2 * T : T, code, param);
      }
      e.release(taps);
      continue;
    }
    const largest = Math.max(pairGrid, ...trialGrids, 1);
    const x = kernel.reserveF64(2 * largest);
    const y = kernel.reserveF64(2 * largest);
    const logPair = log2Exact(pairGrid);
    const logTrial = trialGrids.map((n) => log2Exact(Math.max(n, 1)));
    for (let trial = 0; trial < request.trials; trial++) {
      for (let j = 0; j < J; j += 2) e.fft(x, y, logPair);
      for (const logN of logTrial) e.fft(x, y, logN);
    }
    e.release(x);
    e.release(y);
  }
}
