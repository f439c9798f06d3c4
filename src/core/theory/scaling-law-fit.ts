/** One (J, T) cell with its mean condition number, and the law's coordinates. */
export interface ScalingLawPoint {
  numFilters: number;
  filterLength: number;
  kappaMean: number;
  /** a = (κ̄ − 1)/(κ̄ + 1). */
  a: number;
  /** s = √(log T / J). */
  s: number;
}

export interface ScalingLawFit {
  c: number;
  /** 1 − SS_res/SS_tot with SS_tot about the mean of a (may be negative for a poor fit). */
  r2: number;
  points: ScalingLawPoint[];
}

/**
 * Least squares through the origin of `a ≈ c·s` over the cells with finite κ̄
 * (docs/theory.md §7). Returns undefined with fewer than 3 such cells, as docs/api.md asks.
 */
export function fitScalingLaw(
  cells: readonly { numFilters: number; filterLength: number; kappaMean: number }[],
): ScalingLawFit | undefined {
  const points: ScalingLawPoint[] = cells
    .filter((cell) => Number.isFinite(cell.kappaMean) && cell.filterLength > 1)
    .map((cell) => ({
      ...cell,
      a: (cell.kappaMean - 1) / (cell.kappaMean + 1),
      s: Math.sqrt(Math.log(cell.filterLength) / cell.numFilters),
    }));
  if (points.length < 3) return undefined;
  let sas = 0;
  let sss = 0;
  let sa = 0;
  for (const p of points) {
    sas += p.a * p.s;
    sss += p.s * p.s;
    sa += p.a;
  }
  const c = sas / sss;
  const meanA = sa / points.length;
  let residual = 0;
  let total = 0;
  for (const p of points) {
    residual += (p.a - c * p.s) ** 2;
    total += (p.a - meanA) ** 2;
  }
  return { c, r2: total > 0 ? 1 - residual / total : 1, points };
}
