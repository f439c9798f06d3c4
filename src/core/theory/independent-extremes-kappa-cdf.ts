import chisquarePdf from '@stdlib/stats-base-dists-chisquare-pdf';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { chiSquareCdf } from './chi-square-cdf.js';
import type { ScaledChiSquareGroup } from './chi-square-order-statistics.js';

const NODES = 400;

/**
 * P(max/min ≤ x) for independent variables, `count` copies of χ²_k/k per group: the law of κ
 * under the paper's model and its refinement (docs/theory.md §7), by
 * P = ∫ Σ_g n_g f_g(a)·(F_g(xa) − F_g(a))^{n_g−1}·Π_{h≠g} (F_h(xa) − F_h(a))^{n_h} da
 * (the minimum is a, in group g), with the midpoint rule in a on the groups' bulk.
 */
export function independentExtremesKappaCdf(groups: readonly ScaledChiSquareGroup[], x: number): number {
  const active = groups.filter((g) => g.count > 0);
  if (active.length === 0) throw new RangeError('independentExtremesKappaCdf: no variables');
  if (!(x >= 1)) return 0;
  const cdf = (y: number, g: ScaledChiSquareGroup) =>
    chiSquareCdf(y * g.degreesOfFreedom, g.degreesOfFreedom);
  const pdf = (y: number, g: ScaledChiSquareGroup) =>
    chisquarePdf(y * g.degreesOfFreedom, g.degreesOfFreedom) * g.degreesOfFreedom;
  const hi = Math.max(
    ...active.map((g) => chisquareQuantile(0.999999, g.degreesOfFreedom) / g.degreesOfFreedom),
  );
  const h = hi / NODES;
  let total = 0;
  for (let i = 0; i < NODES; i++) {
    const a = (i + 0.5) * h;
    const inside = active.map((g) => Math.max(0, cdf(x * a, g) - cdf(a, g)));
    for (let gi = 0; gi < active.length; gi++) {
      const g = active[gi]!;
      let term = g.count * pdf(a, g) * inside[gi]! ** (g.count - 1);
      for (let hi2 = 0; hi2 < active.length; hi2++)
        if (hi2 !== gi) term *= inside[hi2]! ** active[hi2]!.count;
      total += term * h;
    }
  }
  return Math.min(1, total);
}

/** The p-quantile of κ under `independentExtremesKappaCdf`, by bisection in log x. */
export function independentExtremesKappaQuantile(groups: readonly ScaledChiSquareGroup[], p: number): number {
  let lo = 0;
  let hi = 1;
  while (independentExtremesKappaCdf(groups, Math.exp(hi)) < p && hi < 60) hi *= 2;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (independentExtremesKappaCdf(groups, Math.exp(mid)) < p) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
