import { autocorrelationToeplitzEigenvalues } from '../../core/theory/autocorrelation-toeplitz-eigenvalues.js';
import { numFiltersList } from '../common/filterbank-schema.js';
import { prepareSignal, RequestInputError, type StoredSignal } from '../common/prepare-signal.js';
import { signalNames } from '../common/signal-names.js';
import type { EnergyTheory } from '../energy/result.js';
import { energyTheory } from '../energy/theory.js';
import type { AnalyzeSignalRequest } from './analyze-signal-schema.js';

/** One (J, T) cell: the energy result's cell without the empirical part (docs/api.md). */
export interface AnalyzeSignalCell {
  signal: string;
  numFilters: number;
  filterLength: number;
  signalLength: number;
  theory: EnergyTheory;
}

/** ‖Q_T‖_F and λ_max of one T (docs/theory.md §2); they depend on the signal only, not on J. */
export interface FilterLengthAutocorrelation {
  filterLength: number;
  frobeniusNorm: number;
  lambdaMax: number;
}

export interface AnalyzeSignalResult {
  cells: AnalyzeSignalCell[];
  autocorrelation: {
    /** 0, 1, 2, 4, 8, … while ≤ N − 1. */
    lags: number[];
    /** R_x(τ)/R_x(0) at those lags. */
    values: number[];
    perFilterLength: FilterLengthAutocorrelation[];
  };
}

/**
 * Random signals without their own seed (white noise, Brownian walk) are drawn with this
 * request seed, so an analysis is deterministic; give the signal a `seed` for another draw.
 */
export const ANALYSIS_SEED = 0;

/**
 * `POST /v1/analyze/signal` (docs/api.md "Analysis and design"): the theory of the energy ratio
 * ‖Φx‖²/‖x‖² for every (J, T), exactly as an energy experiment reports it (`energyTheory`,
 * docs/theory.md §3–§5), plus a summary of the signal's circular autocorrelation (§2). Cells are in
 * the energy result's order: J outer, T inner.
 *
 * @param stored signals for `{ "kind": "stored" }`, resolved by the caller.
 * @throws RequestInputError naming `signal…` or `filterLengths[i]` for an unknown stored id, a
 *   zero-energy signal, or a T longer than a stored signal.
 */
export function analyzeSignal(
  request: AnalyzeSignalRequest,
  stored?: ReadonlyMap<string, StoredSignal>,
): AnalyzeSignalResult {
  const spec = request.signal;
  // A stored signal keeps its own name unless the spec gives one.
  const name = spec.kind === 'stored' ? spec.name : signalNames([spec])[0];
  let prepared;
  try {
    prepared = prepareSignal(spec, 0, ANALYSIS_SEED, stored, name);
  } catch (error) {
    // prepareSignal speaks of an experiment's `signals[0]`; this body has a single `signal`.
    if (error instanceof RequestInputError)
      throw new RequestInputError(['signal', ...error.path.slice(2)], error.message);
    throw error;
  }
  const N = prepared.samples.length;
  const Ts = request.filterLengths;
  Ts.forEach((T, t) => {
    if (T > N)
      throw new RequestInputError(['filterLengths', t], `filter length ${T} exceeds the signal length ${N}`);
  });
  const Js = numFiltersList(request.numFilters);
  const Rx = prepared.autocorrelation;

  const theories = Ts.map((T) =>
    energyTheory(Rx, prepared.energy, T, Js, request.init, request.tailProbability),
  );
  const cells: AnalyzeSignalCell[] = [];
  Js.forEach((J, j) => {
    Ts.forEach((T, t) => {
      cells.push({
        signal: prepared.name,
        numFilters: J,
        filterLength: T,
        signalLength: N,
        theory: theories[t]![j]!,
      });
    });
  });

  const lags = [0];
  for (let lag = 1; lag <= N - 1; lag *= 2) lags.push(lag);
  const R0 = Rx[0]!;
  const perFilterLength = Ts.map((T, t) => {
    const { frobeniusNorm, lambdaMax } = theories[t]![0]!.autocorrelation;
    return {
      filterLength: T,
      frobeniusNorm,
      // Uniform taps skip the eigenvalues in the theory, but λ_max belongs to the signal.
      lambdaMax: lambdaMax ?? Math.max(0, autocorrelationToeplitzEigenvalues(Rx, T).at(-1)!),
    };
  });
  return {
    cells,
    autocorrelation: { lags, values: lags.map((lag) => Rx[lag]! / R0), perFilterLength },
  };
}
