import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { integrateAdaptive } from '../numerics/adaptive-gauss-kronrod.js';
import { chiSquareCdf } from './chi-square-cdf.js';

/** A group of i.i.d. scaled χ² variables: `count` copies of χ²_dof/dof. */
export interface ScaledChiSquareGroup {
  count: number;
  degreesOfFreedom: number;
}

/** Expected minimum and maximum of independent scaled χ² variables. */
export interface ExpectedExtremes {
  min: number;
  max: number;
}

/**
 * E[min] and E[max] of independent variables, `count` copies of χ²_k/k per group, by exact
 * quadrature (docs/theory.md §7): `E[min] = ∫₀^∞ Π S_g(y)^{n_g} dy` and
 * `E[max] = ∫₀^∞ (1 − Π F_g(y)^{n_g}) dy`. With one group of T copies of χ²_J/J this is the
 * paper's model of A and B; the refined model adds a group of χ²_{2J}/(2J) interior bins.
 */
export function expectedScaledChiSquareExtremes(groups: readonly ScaledChiSquareGroup[]): ExpectedExtremes {
  const active = groups.filter((g) => g.count > 0);
  if (active.length === 0) throw new RangeError('expectedScaledChiSquareExtremes: no variables');
  for (const g of active) {
    if (!(Number.isInteger(g.count) && g.degreesOfFreedom > 0)) {
      throw new RangeError(`invalid group: count ${g.count}, degreesOfFreedom ${g.degreesOfFreedom}`);
    }
  }
  const cdf = (y: number, g: ScaledChiSquareGroup) =>
    chiSquareCdf(y * g.degreesOfFreedom, g.degreesOfFreedom);
  const total = active.reduce((s, g) => s + g.count, 0);
  // Beyond the (1 − 1e-16/n) quantile of every group both integrands are below roundoff. (For
  // k > 2000 @stdlib's quantile is off by ~1e-3 relative, see chi-square-cdf.ts; the factor
  // 1.5 absorbs that.)
  const upper =
    Math.max(
      ...active.map(
        (g) => chisquareQuantile(1 - Math.min(1e-3, 1e-16 * total), g.degreesOfFreedom) / g.degreesOfFreedom,
      ),
    ) * 1.5;
  const survivalOfMin = (y: number) => {
    let log = 0;
    for (const g of active) log += g.count * Math.log1p(-cdf(y, g));
    return Math.exp(log);
  };
  const survivalOfMax = (y: number) => {
    let log = 0;
    for (const g of active) log += g.count * Math.log(cdf(y, g));
    return -Math.expm1(log);
  };
  // Split where the mass sits, so that the adaptive rule sees the sharp transition.
  const options = { absoluteTolerance: 1e-13, relativeTolerance: 1e-12 };
  const breaks = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, upper].filter((b) => b <= upper);
  let min = 0;
  let max = 0;
  for (let i = 0; i + 1 < breaks.length; i++) {
    min += integrateAdaptive(survivalOfMin, breaks[i]!, breaks[i + 1]!, options);
    max += integrateAdaptive(survivalOfMax, breaks[i]!, breaks[i + 1]!, options);
  }
  return { min, max };
}
