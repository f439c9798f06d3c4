/**
 * The Gaussian copula's correlation r^√(g0·g1) for a pair of Littlewood–Paley values with
 * correlation r at Rice rate ratios g0, g1 (docs/theory.md §11.2): as r → 1 it is 1 − g(1−r),
 * which makes the copula's crossing rate Rice's for the χ² process; at r = 0 it is 0
 * (independence). Shared by the chain and the midpoint bridge.
 */
export function copulaCorrelation(r: number, g0: number, g1: number): number {
  if (r >= 1) return 1;
  if (r <= 0) return 0;
  return Math.pow(r, Math.sqrt(g0 * g1));
}
