import { tapLaw } from '../../core/filterbank/tap-law.js';
import { autocorrelationToeplitzEigenvalues } from '../../core/theory/autocorrelation-toeplitz-eigenvalues.js';
import { GeneralizedChiSquare } from '../../core/theory/generalized-chi-square.js';
import { numFiltersList } from '../common/filterbank-schema.js';
import { prepareSignal } from '../common/prepare-signal.js';
import { signalNames } from '../common/signal-names.js';
import type { SeededExperimentRequest } from '../experiment-request.js';

/** A density curve on a grid, as the histogram plot overlays it. */
export interface DensityCurve {
  x: number[];
  density: number[];
}

export const DENSITY_POINTS = 161;

/**
 * The exact density of the energy ratio ‖Φx‖²/‖x‖² (docs/theory.md §4) on a grid over `[low, high]`.
 * The law of ‖Φx‖² is generalized χ² with weights σ²·λ_i(Q_T) and J degrees of freedom; its CDF
 * (Imhof) is accurate to ~1e-12, so the density is taken as the centred difference
 * (F(x + h/2) − F(x − h/2))/h over one grid step h: the mean density over [x − h/2, x + h/2],
 * within O(h²·f″) of f(x), far below what a plot shows.
 *
 * @param weights - the σ²·λ_i, for ‖Φx‖² (not divided by the energy).
 * @param degreesOfFreedom - J.
 * @param energy - ‖x‖², which divides ‖Φx‖² into the ratio.
 */
export function energyRatioDensity(
  weights: ArrayLike<number>,
  degreesOfFreedom: number,
  energy: number,
  low: number,
  high: number,
  points = DENSITY_POINTS,
): DensityCurve | undefined {
  if (!(high > low) || !(energy > 0) || points < 2) return undefined;
  const law = new GeneralizedChiSquare(weights, degreesOfFreedom);
  const h = (high - low) / (points - 1);
  const x: number[] = [];
  const density: number[] = [];
  let previous = law.cdf((low - h / 2) * energy);
  for (let i = 0; i < points; i++) {
    const xi = low + i * h;
    const next = law.cdf((xi + h / 2) * energy);
    x.push(xi);
    density.push(Math.max(0, (next - previous) / h));
    previous = next;
  }
  return { x, density };
}

/**
 * The exact density for one histogram cell of an energy experiment, from the stored request:
 * the cell's signal is prepared as the plan prepares it, and the eigenvalues of Q_T are taken
 * as in src/experiments/energy/theory.ts. `undefined` for uniform taps (docs/theory.md §8: no exact
 * law) and for signals that cannot be rebuilt here (stored signals).
 */
export function cellDensity(
  request: SeededExperimentRequest,
  cell: {
    signal: string;
    numFilters: number;
    filterLength: number;
    empirical: { histogram: { edges: readonly number[] } };
  },
): DensityCurve | undefined {
  if (request.type !== 'energy') return undefined;
  const init = request.filterbank.init;
  if (init.scheme === 'pytorch-default') return undefined;
  const names = signalNames(request.signals);
  const index = names.indexOf(cell.signal);
  const spec = request.signals[index];
  if (spec === undefined || spec.kind === 'stored') return undefined;
  if (!numFiltersList(request.filterbank.numFilters).includes(cell.numFilters)) return undefined;
  const signal = prepareSignal(spec, index, request.seed, undefined, names[index]);
  const T = cell.filterLength;
  const law = tapLaw(init.scheme, cell.numFilters, T, init.variance);
  const eigenvalues = autocorrelationToeplitzEigenvalues(signal.autocorrelation, T);
  const weights = new Float64Array(eigenvalues.length);
  for (let i = 0; i < weights.length; i++) weights[i] = Math.max(0, eigenvalues[i]!) * law.variance;
  const edges = cell.empirical.histogram.edges;
  return energyRatioDensity(weights, cell.numFilters, signal.energy, edges[0]!, edges[edges.length - 1]!);
}
