import { drawFilters } from '../../core/filterbank/draw-filters.js';
import { energyFromAutocorrelation } from '../../core/filterbank/energy-from-autocorrelation.js';
import { SummedAutocorrelation } from '../../core/filterbank/summed-autocorrelation.js';
import { tapLaw } from '../../core/filterbank/tap-law.js';
import { createStream } from '../../core/random/stream-seed.js';
import { histogram } from '../../core/stats/histogram.js';
import { summarizeSample } from '../../core/stats/sample-summary.js';
import {
  batchedProgress,
  gatherCellValues,
  trialChunks,
  type ExperimentPlan,
  type ExperimentTask,
  type SimulationOutput,
  type TheoryOutput,
} from '../common/experiment-definition.js';
import { numFiltersList } from '../common/filterbank-schema.js';
import { prepareSignal, type PreparedSignal, type StoredSignal } from '../common/prepare-signal.js';
import { STREAM_PURPOSE } from '../common/random-keys.js';
import { signalNames } from '../common/signal-names.js';
import type { EnergyCell, EnergyResult, EnergyTheory } from './result.js';
import type { EnergyRequest } from './schema.js';
import { energyTheory } from './theory.js';

/** Quantile levels every energy cell reports (API.md), besides p and 1 − p. */
const FIXED_QUANTILES = [0.05, 0.5, 0.95];

/**
 * Plans an energy experiment (API.md `type: "energy"`). Draw cells are the (J, T) pairs:
 * each trial draws one filterbank and yields ‖Φx‖²/‖x‖² for every signal (THEORY.md §6).
 * Theory tasks are the (signal, T) pairs, each sharing one eigendecomposition over all J.
 */
export function planEnergy(
  request: EnergyRequest & { seed: number },
  stored?: ReadonlyMap<string, StoredSignal>,
): ExperimentPlan<EnergyTheory[], EnergyResult> {
  const seed = request.seed;
  const names = signalNames(request.signals);
  const signals: PreparedSignal[] = request.signals.map((spec, i) =>
    prepareSignal(spec, i, seed, stored, names[i]),
  );
  const Js = numFiltersList(request.filterbank.numFilters);
  const Ts = request.filterbank.filterLengths;
  for (const [i, s] of signals.entries()) {
    for (const [t, T] of Ts.entries()) {
      if (T > s.samples.length) {
        throw new RangeError(
          `filterbank.filterLengths[${t}] = ${T} exceeds the length ${s.samples.length} of signals[${i}]`,
        );
      }
    }
  }
  const drawCells = Js.flatMap((J) => Ts.map((T) => ({ J, T })));
  const S = signals.length;
  const trials = request.trials;
  const p = request.tailProbability;

  const simulate = (
    task: Extract<ExperimentTask, { kind: 'simulate' }>,
    onProgress: (n: number) => void,
    abort?: AbortSignal,
  ): SimulationOutput => {
    const { J, T } = drawCells[task.cell]!;
    const law = tapLaw(request.filterbank.init.scheme, J, T, request.filterbank.init.variance);
    const taps = new Float64Array(J * T);
    const r = new Float64Array(T);
    const autocorrelation = new SummedAutocorrelation(J, T);
    const values = new Float64Array((task.trialEnd - task.trialStart) * S);
    const progress = batchedProgress(onProgress, 16);
    for (let trial = task.trialStart; trial < task.trialEnd; trial++) {
      abort?.throwIfAborted();
      drawFilters(createStream(seed, STREAM_PURPOSE.filters, J, T, trial), law, taps);
      autocorrelation.compute(taps, r);
      const row = (trial - task.trialStart) * S;
      for (let s = 0; s < S; s++) {
        const signal = signals[s]!;
        values[row + s] = energyFromAutocorrelation(r, signal.autocorrelation, T) / signal.energy;
      }
      progress.tick();
    }
    progress.flush();
    return {
      kind: 'simulate',
      cell: task.cell,
      trialStart: task.trialStart,
      trialEnd: task.trialEnd,
      values,
    };
  };

  const theory = (key: number): TheoryOutput<EnergyTheory[]> => {
    const s = Math.floor(key / Ts.length);
    const T = Ts[key % Ts.length]!;
    const signal = signals[s]!;
    return {
      kind: 'theory',
      key,
      value: energyTheory(signal.autocorrelation, signal.energy, T, Js, request.filterbank.init, p),
    };
  };

  return {
    totalTrials: trials * drawCells.length,
    tasks(chunkTrials) {
      const tasks: ExperimentTask[] = [];
      // Theory first: the largest eigenproblems are the longest single tasks, so a pool
      // that takes tasks in order starts them early.
      const theoryKeys = signals.flatMap((_, s) => Ts.map((_T, t) => s * Ts.length + t));
      theoryKeys.sort((a, b) => Ts[b % Ts.length]! - Ts[a % Ts.length]!);
      for (const key of theoryKeys) tasks.push({ kind: 'theory', key });
      drawCells.forEach((_, cell) => {
        for (const [trialStart, trialEnd] of trialChunks(trials, chunkTrials)) {
          tasks.push({ kind: 'simulate', cell, trialStart, trialEnd });
        }
      });
      return tasks;
    },
    runTask(task, onProgress, abort) {
      return task.kind === 'simulate' ? simulate(task, onProgress, abort) : theory(task.key);
    },
    assemble(outputs) {
      const theories = new Map<number, EnergyTheory[]>();
      for (const out of outputs)
        if (out.kind === 'theory') theories.set(out.key, out.value as EnergyTheory[]);
      const quantileLevels = [...new Set([...FIXED_QUANTILES, p, roundProbability(1 - p)])].sort(
        (a, b) => a - b,
      );
      const cellValues = drawCells.map((_, cell) => gatherCellValues(outputs, cell, trials, S));
      const cells: EnergyCell[] = [];
      signals.forEach((signal, s) => {
        Js.forEach((J, j) => {
          Ts.forEach((T, t) => {
            const cell = j * Ts.length + t;
            const all = cellValues[cell]!;
            const ratios = new Float64Array(trials);
            for (let i = 0; i < trials; i++) ratios[i] = all[i * S + s]!;
            const summary = summarizeSample(ratios, quantileLevels);
            const theoryValue = theories.get(s * Ts.length + t)?.[j];
            if (theoryValue === undefined) throw new Error(`missing theory for signal ${s}, T = ${T}`);
            const mu = theoryValue.mean;
            cells.push({
              signal: signal.name,
              numFilters: J,
              filterLength: T,
              signalLength: signal.samples.length,
              empirical: {
                trials,
                mean: summary.mean,
                std: summary.std,
                min: summary.min,
                max: summary.max,
                quantiles: summary.quantiles,
                deviation: {
                  upper: summary.quantiles[String(roundProbability(1 - p))]! / mu - 1,
                  lower: 1 - summary.quantiles[String(p)]! / mu,
                },
                histogram: histogram(ratios),
              },
              theory: theoryValue,
            });
          });
        });
      });
      return { cells };
    },
  };
}

/** 1 − p without binary noise in its decimal key (1 − 0.07 would print 0.9299999999999999). */
function roundProbability(p: number): number {
  return Number(p.toPrecision(12));
}
