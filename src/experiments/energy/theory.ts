import { tapLaw, type InitScheme } from '../../core/filterbank/tap-law.js';
import { autocorrelationToeplitzEigenvalues } from '../../core/theory/autocorrelation-toeplitz-eigenvalues.js';
import { cantelliDeviation } from '../../core/theory/cantelli-deviation.js';
import { chebyshevDeviation } from '../../core/theory/chebyshev-deviation.js';
import { chernoffDeviation } from '../../core/theory/chernoff-deviation.js';
import { energyMoments } from '../../core/theory/energy-moments.js';
import { GeneralizedChiSquare } from '../../core/theory/generalized-chi-square.js';
import { toeplitzFrobeniusSquared } from '../../core/theory/toeplitz-frobenius-squared.js';
import type { Kernel } from '../../core/wasm/kernel-choice.js';
import { finiteOrNull } from '../common/finite-or-null.js';
import type { EnergyTheory } from './result.js';

/**
 * The smallest tail p (or 1 − p) whose exact deviations are served: Imhof's cdf is accurate to
 * about 1e-12 absolute (docs/theory.md §10.11), so below 1e-10 a quantile's tail would be mostly
 * quadrature error, and 1 − p itself stops being representable near 1e-16.
 */
export const EXACT_MIN_TAIL = 1e-10;
export const EXACT_TAIL_NOTE =
  'exactUpper and exactLower are null: p and 1 − p must both be at least 1e-10 for the exact law to resolve its quantiles';

export const UNIFORM_TAPS_NOTE =
  'chernoff, exactUpper, exactLower and lambdaMax are null: the Chernoff bound and the exact law assume Gaussian taps, and this scheme draws uniform ones (docs/theory.md §8)';

/**
 * The theory of the energy ratio ‖Φx‖²/‖x‖² for one signal and one T, for each J
 * (docs/theory.md §3–§5). The eigenvalues of Q_T are computed once and shared by every J, on
 * `kernel` (JS or WebAssembly, the same doubles; docs/theory.md §12.1).
 */
export function energyTheory(
  autocorrelation: Float64Array,
  energy: number,
  filterLength: number,
  numFilters: readonly number[],
  init: { scheme: InitScheme; variance?: number | undefined },
  tailProbability: number,
  kernel: Kernel = 'js',
): EnergyTheory[] {
  const T = filterLength;
  const p = tailProbability;
  const frobeniusSquared = toeplitzFrobeniusSquared(autocorrelation, T);
  const gaussian = init.scheme !== 'pytorch-default';
  const eigenvalues = gaussian ? autocorrelationToeplitzEigenvalues(autocorrelation, T, kernel) : undefined;
  const lambdaMax =
    eigenvalues === undefined ? Number.NaN : Math.max(0, eigenvalues[eigenvalues.length - 1]!);
  return numFilters.map((J) => {
    const law = tapLaw(init.scheme, J, T, init.variance);
    const moments = energyMoments(law, J, T, energy, frobeniusSquared);
    const notes: string[] = [];
    const theory: EnergyTheory = {
      mean: moments.mean / energy,
      variance: moments.variance / (energy * energy),
      deviation: {
        cantelli: finiteOrNull(
          cantelliDeviation(moments.mean, moments.variance, p),
          notes,
          'cantelli is not finite',
        ),
        chebyshev: finiteOrNull(
          chebyshevDeviation(moments.mean, moments.variance, p),
          notes,
          'chebyshev is not finite',
        ),
        chernoff: null,
        exactUpper: null,
        exactLower: null,
      },
      autocorrelation: { frobeniusNorm: Math.sqrt(frobeniusSquared), lambdaMax: null },
    };
    if (eigenvalues === undefined) {
      notes.push(UNIFORM_TAPS_NOTE);
    } else {
      theory.autocorrelation.lambdaMax = lambdaMax;
      theory.deviation.chernoff = chernoffDeviation(J, T, energy, lambdaMax, frobeniusSquared, p);
      const weights = new Float64Array(eigenvalues.length);
      for (let i = 0; i < weights.length; i++) weights[i] = Math.max(0, eigenvalues[i]!) * law.variance;
      if (Math.min(p, 1 - p) >= EXACT_MIN_TAIL) {
        const law2 = new GeneralizedChiSquare(weights, J);
        theory.deviation.exactUpper = law2.quantile(1 - p) / moments.mean - 1;
        theory.deviation.exactLower = 1 - law2.quantile(p) / moments.mean;
      } else {
        notes.push(EXACT_TAIL_NOTE);
      }
    }
    if (notes.length > 0) theory.notes = notes;
    return theory;
  });
}
