import { FrameBoundsKernel } from '../../core/filterbank/frame-bounds-kernel.js';
import { tapLaw } from '../../core/filterbank/tap-law.js';
import { engineVersion } from '../../core/wasm/engine-version.js';
import { frameBoundsKernel, type KernelPreference } from '../../core/wasm/kernel-choice.js';
import { WasmFrameBoundsKernel } from '../../core/wasm/wasm-frame-bounds-kernel.js';
import { WasmStridedFrameBounds } from '../../core/wasm/wasm-strided-frame-bounds.js';
import { summarizeSample } from '../../core/stats/sample-summary.js';
import { fitScalingLaw } from '../../core/theory/scaling-law-fit.js';
import {
  gatherCellValues,
  theoryLookup,
  trialChunks,
  type ExperimentPlan,
  type ExperimentTask,
  type SimulationOutput,
  type TheoryOutput,
} from '../common/experiment-definition.js';
import { simulateTrials } from '../common/simulate-trials.js';
import { numFiltersList } from '../common/filterbank-schema.js';
import { finiteOrNull } from '../common/finite-or-null.js';
import type { FrameBoundsCell, FrameBoundsResult, FrameBoundsTheory, KappaSummary } from './result.js';
import type { FrameBoundsRequest } from './schema.js';
import { frameBoundsTheory } from './theory.js';

const QUANTILES = [0.05, 0.5, 0.95];

/**
 * Plans a frame-bounds experiment (docs/api.md `type: "frame-bounds"`): per (J, T) cell and
 * trial, one draw of the filters gives A and B, normalised by the mean eigenvalue level
 * J·T·σ²/d (= J·T·σ², docs/api.md's normaliser, at stride 1; docs/theory.md §10.9 says why),
 * and κ = B/A (docs/theory.md §6).
 * `kernel` picks the per-trial kernels (docs/theory.md §12; default `auto`: WebAssembly where it
 * covers the shape); the result records the engine version it implies.
 */
export function planFrameBounds(
  request: FrameBoundsRequest & { seed: number },
  options: { kernel?: KernelPreference } = {},
): ExperimentPlan<FrameBoundsTheory, FrameBoundsResult> {
  const preference = options.kernel ?? 'auto';
  const seed = request.seed;
  const { stride, init } = request.filterbank;
  const N = request.signalLength;
  const Js = numFiltersList(request.filterbank.numFilters);
  const cells = Js.flatMap((J) => request.filterbank.filterLengths.map((T) => ({ J, T })));
  const trials = request.trials;

  const simulate = (
    task: Extract<ExperimentTask, { kind: 'simulate' }>,
    onProgress: (n: number) => void,
    abort?: AbortSignal,
  ): SimulationOutput => {
    const { J, T } = cells[task.cell]!;
    const law = tapLaw(init.scheme, J, T, init.variance);
    const level = (J * T * law.variance) / stride;
    const kernel =
      frameBoundsKernel(preference, N, stride) === 'js'
        ? new FrameBoundsKernel(J, T, N, stride)
        : stride === 1
          ? new WasmFrameBoundsKernel(J, T, N)
          : new WasmStridedFrameBounds(J, T, N, stride);
    return simulateTrials(
      task,
      { seed, numFilters: J, filterLength: T },
      2,
      (stream, values, row) => {
        const { A, B } = kernel.computeFromDraw(stream, law);
        values[row] = A / level;
        values[row + 1] = B / level;
      },
      onProgress,
      abort,
    );
  };

  return {
    totalTrials: trials * cells.length,
    tasks(chunkTrials) {
      // One theory task per cell (the χ² order statistics by quadrature), first, so it runs on
      // the threads beside the draws instead of on the caller after them. Then the costliest
      // cells (largest J·T) first, so a pool that takes tasks in order ends on short tasks and
      // its threads finish together. The result does not depend on the order.
      const order = cells.map((_, cell) => cell);
      order.sort((a, b) => cells[b]!.J * cells[b]!.T - cells[a]!.J * cells[a]!.T || a - b);
      const theoryTasks = cells.map((_, cell): ExperimentTask => ({ kind: 'theory', key: cell }));
      return theoryTasks.concat(
        order.flatMap((cell) =>
          trialChunks(trials, chunkTrials).map(([trialStart, trialEnd]): ExperimentTask => ({
            kind: 'simulate',
            cell,
            trialStart,
            trialEnd,
          })),
        ),
      );
    },
    runTask(task, onProgress, abort): SimulationOutput | TheoryOutput<FrameBoundsTheory> {
      if (task.kind === 'simulate') return simulate(task, onProgress, abort);
      const { J, T } = cells[task.key]!;
      const law = tapLaw(init.scheme, J, T, init.variance);
      return { kind: 'theory', key: task.key, value: frameBoundsTheory(J, T, N, stride, law) };
    },
    assemble(outputs) {
      const theoryOf = theoryLookup(outputs);
      const resultCells: FrameBoundsCell[] = cells.map(({ J, T }, cell) => {
        const values = gatherCellValues(outputs, cell, trials, 2);
        const A = new Float64Array(trials);
        const B = new Float64Array(trials);
        const kappa = new Float64Array(trials);
        for (let i = 0; i < trials; i++) {
          A[i] = values[2 * i]!;
          B[i] = values[2 * i + 1]!;
          kappa[i] = A[i]! > 0 ? B[i]! / A[i]! : Infinity;
        }
        const a = summarizeSample(A, QUANTILES);
        const b = summarizeSample(B, QUANTILES);
        const notes: string[] = [];
        const empirical: FrameBoundsCell['empirical'] = {
          trials,
          A: { mean: a.mean, std: a.std, quantiles: a.quantiles },
          B: { mean: b.mean, std: b.std, quantiles: b.quantiles },
          kappa: kappaSummary(kappa, notes),
          kappaOfMeans: finiteOrNull(b.mean / a.mean, notes, 'kappaOfMeans is unbounded: mean(A) = 0'),
        };
        if (notes.length > 0) empirical.notes = notes;
        return {
          numFilters: J,
          filterLength: T,
          signalLength: N,
          stride,
          empirical,
          theory: theoryOf(cell),
        };
      });
      const result: FrameBoundsResult = { cells: resultCells, engineVersion: engineVersion(preference) };
      const law = fitScalingLaw(
        resultCells.map((c) => ({
          numFilters: c.numFilters,
          filterLength: c.filterLength,
          kappaMean: c.empirical.kappa.mean ?? Infinity,
        })),
      );
      if (law !== undefined) result.scalingLaw = law;
      return result;
    },
  };
}

function kappaSummary(kappa: Float64Array, notes: string[]): KappaSummary {
  const unbounded = kappa.filter((k) => !Number.isFinite(k)).length;
  const reason = `kappa is unbounded in ${unbounded} of ${kappa.length} trials (A = 0), so its mean and std are null`;
  if (unbounded === 0) {
    const s = summarizeSample(kappa, QUANTILES);
    return { mean: s.mean, median: s.median, std: s.std, quantiles: s.quantiles };
  }
  // Sorting puts Infinity last, so order statistics stay meaningful until they hit it.
  const s = summarizeSample(kappa, QUANTILES);
  const quantiles: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(s.quantiles)) quantiles[key] = finiteOrNull(value, notes, reason);
  return {
    mean: finiteOrNull(Infinity, notes, reason),
    median: finiteOrNull(s.median, notes, reason),
    std: null,
    quantiles,
  };
}
