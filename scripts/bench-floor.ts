// The one-thread floor of a preset for `npm run bench`, in parts timed one by one: the normal
// draws (the same fills the kernels make, with our ziggurat), the FFTs (count and sizes of the
// routes the engine takes, on fft.js) and the plan's theory tasks (the exact deviations, which
// the energy target includes). No packing, no sums of spectra, no statistics, no threads.
// Twice numpy's time over their sum bounds the ratio two perfectly used cores could reach.
import { getFftPlan } from '../src/core/fft/fft-plan.js';
import { fillTaps } from '../src/core/filterbank/draw-filters.js';
import { FrameBoundsKernel } from '../src/core/filterbank/frame-bounds-kernel.js';
import { SummedAutocorrelation } from '../src/core/filterbank/summed-autocorrelation.js';
import { tapLaw } from '../src/core/filterbank/tap-law.js';
import { createStream } from '../src/core/random/stream-seed.js';
import { energyRoute } from '../src/experiments/energy/plan.js';
import { planExperiment, type SeededExperimentRequest } from '../src/experiments/experiment-request.js';

interface FloorCell {
  J: number;
  T: number;
  /** Complex FFT size per pair of filters, or 0 when the route uses no FFT (short filters). */
  pairGrid: number;
  /** Sizes of the real FFTs run once per trial after the pairs. */
  realGrids: number[];
}

/** The FFTs of SummedAutocorrelation for (J, T): its own choice of grid, or none (direct sum). */
function autocorrelationFfts(J: number, T: number): Pick<FloorCell, 'pairGrid' | 'realGrids'> {
  const G = new SummedAutocorrelation(J, T).fftGridSize;
  return G === undefined ? { pairGrid: 0, realGrids: [] } : { pairGrid: G, realGrids: [G] };
}

function floorCells(request: SeededExperimentRequest): FloorCell[] {
  const { numFilters, filterLengths } = request.filterbank;
  const Js = Array.isArray(numFilters) ? numFilters : [numFilters];
  return Js.flatMap((J) =>
    filterLengths.map((T): FloorCell => {
      if (request.type === 'frame-bounds') {
        const N = request.signalLength;
        if (new FrameBoundsKernel(J, T, N).route === 'direct') return { J, T, pairGrid: N, realGrids: [] };
        // r(τ), then one N-point real FFT of it for the LP sum.
        const { pairGrid, realGrids } = autocorrelationFfts(J, T);
        return { J, T, pairGrid, realGrids: [...realGrids, N] };
      }
      const lengths = request.signals.map((s) => ('length' in s ? s.length : 0));
      if (energyRoute(T, lengths) === 'parseval') return { J, T, pairGrid: lengths[0]!, realGrids: [] };
      return { J, T, ...autocorrelationFfts(J, T) };
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
  const scheme = request.filterbank.init;
  for (const { J, T, pairGrid, realGrids } of floorCells(request)) {
    if (part === 'draws') {
      const law = tapLaw(scheme.scheme, J, T, scheme.variance);
      const taps = new Float64Array(2 * T);
      for (let trial = 0; trial < request.trials; trial++) {
        const rng = createStream(request.seed, J, T, trial);
        for (let j = 0; j < J; j += 2) fillTaps(rng, law, taps, 0, j + 1 < J ? 2 * T : T);
      }
      continue;
    }
    const pair = pairGrid > 0 ? getFftPlan(pairGrid) : undefined;
    const pairIn = new Float64Array(2 * pairGrid);
    const pairOut = new Float64Array(2 * pairGrid);
    const reals = realGrids.map((n) => ({
      plan: getFftPlan(n),
      input: new Float64Array(n),
      output: new Float64Array(2 * n),
    }));
    for (let trial = 0; trial < request.trials; trial++) {
      for (let j = 0; j < J; j += 2) pair?.forward(pairIn, pairOut);
      for (const r of reals) r.plan.forwardReal(r.input, r.output);
    }
  }
}
