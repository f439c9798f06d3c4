import { energyFromAutocorrelation } from '../../core/filterbank/energy-from-autocorrelation.js';
import { nextPowerOfTwo } from '../../core/fft/next-power-of-two.js';
import { powerSpectrum } from '../../core/fft/power-spectrum.js';
import {
  DIRECT_AUTOCORRELATION_MAX_LENGTH,
  SummedAutocorrelation,
} from '../../core/filterbank/summed-autocorrelation.js';
import { SummedSpectralPower } from '../../core/filterbank/summed-spectral-power.js';
import { tapLaw } from '../../core/filterbank/tap-law.js';
import { engineVersion } from '../../core/wasm/engine-version.js';
import { energyKernel, theoryKernel, type KernelPreference } from '../../core/wasm/kernel-choice.js';
import { WasmEnergyKernel } from '../../core/wasm/wasm-energy-kernel.js';
import { histogram } from '../../core/stats/histogram.js';
import { summarizeSample } from '../../core/stats/sample-summary.js';
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
import {
  prepareSignal,
  RequestInputError,
  type PreparedSignal,
  type StoredSignal,
} from '../common/prepare-signal.js';
import { signalNames } from '../common/signal-names.js';
import type { EnergyCell, EnergyResult, EnergyTheory } from './result.js';
import type { EnergyRequest } from './schema.js';
import { energyTheory } from './theory.js';

/** Quantile levels every energy cell reports (docs/api.md), besides p and 1 − p. */
const FIXED_QUANTILES = [0.05, 0.5, 0.95];

/**
 * How one draw's energies are computed (docs/theory.md §6.3, §10.8): from r(τ) (J/2 FFTs of
 * G = 2^⌈log₂(2T−1)⌉ points, one real FFT, then O(T) per signal), or from the LP sum on the
 * N grid by Parseval, ‖Φx‖² = (1/N)·Σ_k LP[k]·|X[k]|² (J/2 FFTs of N points, then O(N) per
 * signal). Both are exact up to roundoff.
 */
export type EnergyRoute = 'autocorrelation' | 'parseval';

/**
 * The route for a (J, T) cell: Parseval when every signal has the same power-of-two length
 * N ≤ G and T is past the direct-sum crossover, since its FFTs are then no longer and it needs
 * no inverse FFT. Depends only on the request, never on chunking or threads.
 */
export function energyRoute(T: number, signalLengths: readonly number[]): EnergyRoute {
  const N = signalLengths[0];
  if (N === undefined || signalLengths.some((n) => n !== N)) return 'autocorrelation';
  if (nextPowerOfTwo(N) !== N || T <= DIRECT_AUTOCORRELATION_MAX_LENGTH) return 'autocorrelation';
  return N <= nextPowerOfTwo(2 * T - 1) ? 'parseval' : 'autocorrelation';
}

/**
 * Plans an energy experiment (docs/api.md `type: "energy"`). Draw cells are the (J, T) pairs:
 * each trial draws one filterbank and yields ‖Φx‖²/‖x‖² for every signal (docs/theory.md §6).
 * Theory tasks are the (signal, T) pairs, each sharing one eigendecomposition over all J.
 * `kernel` picks the per-trial kernels and the theory's eigenproblem kernel (docs/theory.md §12;
 * default `auto`: WebAssembly); the result records the engine version it implies.
 */
export function planEnergy(
  request: EnergyRequest & { seed: number },
  stored?: ReadonlyMap<string, StoredSignal>,
  options: { route?: EnergyRoute; kernel?: KernelPreference } = {},
): ExperimentPlan<EnergyTheory[], EnergyResult> {
  const preference = options.kernel ?? 'auto';
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
        // Reached only with a stored signal (the schema checks every length it can see): a bad
        // request, not a bug, so the service answers 400 naming the field.
        throw new RequestInputError(
          ['filterbank', 'filterLengths', t],
          `filter length ${T} exceeds the length ${s.samples.length} of signals[${i}]`,
        );
      }
    }
  }
  const drawCells = Js.flatMap((J) => Ts.map((T) => ({ J, T })));
  const S = signals.length;
  const trials = request.trials;
  const p = request.tailProbability;
  const signalLengths = signals.map((signal) => signal.samples.length);
  // |X_s[k]|²/(N·‖x_s‖²) for the Parseval route, folded onto k = 0..⌊N/2⌋ (the LP sum is even,
  // so W[k] + W[N−k] multiplies P[k]); computed once per plan (all signals share N).
  let parsevalWeights: Float64Array[] | undefined;
  const weights = (): Float64Array[] =>
    (parsevalWeights ??= signals.map((signal) => {
      const power = powerSpectrum(signal.samples);
      const N = power.length;
      const scale = 1 / (N * signal.energy);
      const folded = new Float64Array((N >> 1) + 1);
      folded[0] = power[0]! * scale;
      for (let k = 1; k <= N >> 1; k++) folded[k] = (power[k]! + (N - k !== k ? power[N - k]! : 0)) * scale;
      return folded;
    }));

  const simulate = (
    task: Extract<ExperimentTask, { kind: 'simulate' }>,
    onProgress: (n: number) => void,
    abort?: AbortSignal,
  ): SimulationOutput => {
    const { J, T } = drawCells[task.cell]!;
    const law = tapLaw(request.filterbank.init.scheme, J, T, request.filterbank.init.variance);
    const draw = { seed, numFilters: J, filterLength: T };
    const route = options.route ?? energyRoute(T, signalLengths);
    if (energyKernel(preference, route, signalLengths[0]!) === 'wasm') {
      const kernel = new WasmEnergyKernel(
        J,
        T,
        route === 'parseval'
          ? { route, signalLength: signalLengths[0]!, weights: weights() }
          : {
              route,
              autocorrelations: signals.map((signal) => signal.autocorrelation),
              energies: signals.map((signal) => signal.energy),
            },
      );
      return simulateTrials(
        task,
        draw,
        S,
        (stream, values, row) => kernel.computeFromDraw(stream, law, values, row),
        onProgress,
        abort,
      );
    }
    if (route === 'parseval') {
      const N = signalLengths[0]!;
      const power = new SummedSpectralPower(J, T, N);
      const w = weights();
      return simulateTrials(
        task,
        draw,
        S,
        (stream, values, row) => {
          const half = power.computeHalfFromDraw(stream, law);
          for (let s = 0; s < S; s++) {
            const ws = w[s]!;
            let e = 0;
            for (let k = 0; k < half.length; k++) e += half[k]! * ws[k]!;
            values[row + s] = e;
          }
        },
        onProgress,
        abort,
      );
    }
    const r = new Float64Array(T);
    const autocorrelation = new SummedAutocorrelation(J, T);
    return simulateTrials(
      task,
      draw,
      S,
      (stream, values, row) => {
        autocorrelation.computeFromDraw(stream, law, r);
        for (let s = 0; s < S; s++) {
          const signal = signals[s]!;
          values[row + s] = energyFromAutocorrelation(r, signal.autocorrelation, T) / signal.energy;
        }
      },
      onProgress,
      abort,
    );
  };

  const theory = (key: number): TheoryOutput<EnergyTheory[]> => {
    const s = Math.floor(key / Ts.length);
    const T = Ts[key % Ts.length]!;
    const signal = signals[s]!;
    return {
      kind: 'theory',
      key,
      value: energyTheory(
        signal.autocorrelation,
        signal.energy,
        T,
        Js,
        request.filterbank.init,
        p,
        theoryKernel(preference),
      ),
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
      // Then the costliest draw cells (largest J·T) first, so the threads finish together.
      const order = drawCells.map((_, cell) => cell);
      order.sort((a, b) => drawCells[b]!.J * drawCells[b]!.T - drawCells[a]!.J * drawCells[a]!.T || a - b);
      for (const cell of order) {
        for (const [trialStart, trialEnd] of trialChunks(trials, chunkTrials)) {
          tasks.push({ kind: 'simulate', cell, trialStart, trialEnd });
        }
      }
      return tasks;
    },
    runTask(task, onProgress, abort) {
      return task.kind === 'simulate' ? simulate(task, onProgress, abort) : theory(task.key);
    },
    assemble(outputs) {
      const theoryOf = theoryLookup(outputs);
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
            const theoryValue = theoryOf(s * Ts.length + t)[j];
            if (theoryValue === undefined)
              throw new Error(`missing theory for signal ${s}, J = ${J}, T = ${T}`);
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
      return { cells, engineVersion: engineVersion(preference) };
    },
  };
}

/** 1 − p without binary noise in its decimal key (1 − 0.07 would print 0.9299999999999999). */
function roundProbability(p: number): number {
  return Number(p.toPrecision(12));
}
