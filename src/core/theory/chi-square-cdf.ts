import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import gammaln from '@stdlib/math-base-special-gammaln';

/**
 * Where @stdlib's regularized incomplete gamma P(a, x) is wrong: for x > 1000 (and a < x + 50)
 * it switches to an asymptotic series in 1/x that only holds for x ≫ a, and near the bulk of
 * χ²_k with k ≳ 2000 it is off by up to ~1e-2 (χ²_2000 at 2080: 0.89441 instead of 0.89597;
 * @stdlib/math-base-special-gammainc 0.3.1). Frame-bound theory reaches this with J > 1000.
 */
const STDLIB_LARGE_X = 1000;

const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * P(χ²_k ≤ x) (docs/theory.md §7, §10.12): @stdlib's χ² cdf, except where x/2 > 1000 (see above). There,
 * with a = k/2, the upper tail Q(a, x/2) comes from Legendre's continued fraction (modified
 * Lentz) when x/2 > a and P(a, x/2) from its power series otherwise, each times the prefix
 * x^a e^{−x}/Γ(a) evaluated without cancellation. Both converge in O(√a) terms near the mean.
 * Checked against SciPy (test/fixtures/chi-square-cdf.json, made by
 * scripts/reference/chi-square-cdf.py) to 1e-12.
 */
export function chiSquareCdf(x: number, degreesOfFreedom: number): number {
  const a = degreesOfFreedom / 2;
  const half = x / 2;
  if (!(half > STDLIB_LARGE_X && Number.isFinite(half))) return chisquareCdf(x, degreesOfFreedom);
  return half > a ? 1 - upperRegularizedGamma(a, half) : lowerRegularizedGamma(a, half);
}

/** P(a, x) for x ≤ a: prefix/a · Σ_n x^n/((a+1)…(a+n)). */
function lowerRegularizedGamma(a: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 100_000 && term > 1e-17 * sum; n++) {
    term *= x / (a + n);
    sum += term;
  }
  return Math.min(1, (Math.exp(logGammaPrefix(a, x)) / a) * sum);
}

/** Q(a, x) for x > a by the continued fraction Q = prefix · 1/(x+1−a− 1·(1−a)/(x+3−a− …)). */
function upperRegularizedGamma(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(logGammaPrefix(a, x)) * h;
}

/**
 * log(x^a e^{−x}/Γ(a)). For large a, a·log x − x − log Γ(a) cancels to a few digits; written as
 * a·(log1p(δ) − δ) + ½·log a − log √(2π) − stirlingError(a) with δ = (x − a)/a it does not.
 */
function logGammaPrefix(a: number, x: number): number {
  if (a < 50) return a * Math.log(x) - x - gammaln(a);
  const delta = (x - a) / a;
  const inv = 1 / a;
  const inv2 = inv * inv;
  // log Γ(a) − ((a − ½)·log a − a + log √(2π)): Stirling's series, < 1e-17 for a ≥ 50.
  const stirlingError = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return a * (Math.log1p(delta) - delta) + 0.5 * Math.log(a) - LOG_SQRT_2PI - stirlingError;
}
