import { expectedScaledChiSquareExtremes } from '../../core/theory/chi-square-order-statistics.js';
import { frameBoundAsymptotics } from '../../core/theory/frame-bound-asymptotics.js';
import type { TapLaw } from '../../core/filterbank/tap-law.js';
import { predictFrameBounds } from '../../core/theory/predict-frame-bounds.js';
import { predictedConditionNumber } from '../../core/theory/predicted-condition-number.js';
import { finiteOrNull } from '../common/finite-or-null.js';
import type { FrameBoundsTheory } from './result.js';

/** Recent cells' theory, by its arguments: a worker sees the same cells again and again. */
const recentTheory = new Map<string, FrameBoundsTheory>();
const RECENT_THEORY_LIMIT = 256;

/**
 * Theory of A, B and κ for J filters of length T on an N-point grid (docs/theory.md §7): the
 * paper's χ² model (T i.i.d. χ²_J/J), the asymptotics, κ̃, the refined model, and the prediction
 * of docs/theory.md §11 for the taps' law (stride 1 only). A pure function of its arguments, so
 * it is remembered per thread for the most recent cells (the quadratures and the predictor
 * take about 10 ms a cell, which small experiments repeat by the thousand); callers get copies.
 */
export function frameBoundsTheory(
  numFilters: number,
  filterLength: number,
  signalLength: number,
  stride: number,
  law: TapLaw,
): FrameBoundsTheory {
  const key = JSON.stringify([numFilters, filterLength, signalLength, stride, law]);
  let theory = recentTheory.get(key);
  if (theory === undefined) {
    theory = computeFrameBoundsTheory(numFilters, filterLength, signalLength, stride, law);
    if (recentTheory.size >= RECENT_THEORY_LIMIT) recentTheory.delete(recentTheory.keys().next().value!);
    recentTheory.set(key, theory);
  }
  return structuredClone(theory);
}

function computeFrameBoundsTheory(
  numFilters: number,
  filterLength: number,
  signalLength: number,
  stride: number,
  law: TapLaw,
): FrameBoundsTheory {
  const J = numFilters;
  const T = filterLength;
  const notes: string[] = [];
  const chi2 = expectedScaledChiSquareExtremes([{ count: T, degreesOfFreedom: J }]);
  const asymptotic = frameBoundAsymptotics(J, T);
  // Real bins: k = 0, and k = N/2 when N is even; about T/2 − 1 independent interior bins.
  const realBins = signalLength % 2 === 0 && signalLength > 1 ? 2 : 1;
  const interior = Math.max(0, Math.ceil(T / 2) - 1);
  const refined = expectedScaledChiSquareExtremes([
    { count: Math.min(realBins, T), degreesOfFreedom: J },
    { count: interior, degreesOfFreedom: 2 * J },
  ]);
  const theory: FrameBoundsTheory = {
    A: { chi2: chi2.min, asymptotic: asymptotic.A },
    B: { chi2: chi2.max, asymptotic: asymptotic.B },
    kappaTilde: finiteOrNull(
      predictedConditionNumber(J, T),
      notes,
      `kappaTilde is unbounded: it needs J > 4·log T (here J = ${J}, 4·log T = ${(4 * Math.log(T)).toFixed(3)})`,
    ),
    kappaChi2: finiteOrNull(
      chi2.max / chi2.min,
      notes,
      'kappaChi2 is unbounded: the χ² model gives E[A] = 0',
    ),
    refined: {
      A: refined.min,
      B: refined.max,
      kappa: finiteOrNull(refined.max / refined.min, notes, 'refined.kappa is unbounded'),
    },
    predicted: null,
  };
  if (stride > 1) {
    notes.push(
      'the χ² model and the asymptotics are for stride 1; with stride d they describe the undecimated filterbank',
      'predicted is null: the predictor of docs/theory.md §11 covers stride 1 only',
    );
  } else {
    const p = predictFrameBounds(J, T, signalLength, law);
    theory.predicted = {
      A: p.A,
      B: p.B,
      kappa: finiteOrNull(
        p.kappa,
        notes,
        `predicted.kappa is unbounded: E[1/A] diverges for J ≤ 2 (here J = ${J})`,
      ),
      kappaMedian: p.kappaMedian,
      kappaQuantiles: p.kappaQuantiles,
    };
    if (law.distribution === 'uniform') {
      notes.push(
        'predicted: the predictor models the spectrum of Gaussian taps; for uniform taps it keeps Gaussian marginals and the exact law of the taps’ energy, within 4 % of simulated E[κ] for T ≥ 8 (docs/theory.md §11)',
      );
    }
  }
  if (notes.length > 0) theory.notes = notes;
  return theory;
}
