import { chiSquareCdf } from './chi-square-cdf.js';
import { normalQuantile } from './normal-quantile.js';

/** Each distinct point's marginal at one level u (docs/theory.md §11.2). */
export interface MarginalsAtLevel {
  /** F(u) = P(X ≤ u), X gamma of mean 1 and the point's shape. */
  cdf: Float64Array;
  /** Φ⁻¹(F(u)), clamped to ±38. */
  score: Float64Array;
  /** Rice rate ratio g = u·f(u)²/(α·φ(z)²) of the χ² process to the Gaussian copula (1 where undefined). */
  rateRatio: Float64Array;
}

/**
 * The gamma marginals (mean 1, shapes α, with ln Γ(α) given) of the Littlewood–Paley chain's or
 * bridge's distinct points at level u: cdf, normal score and Rice rate ratio (docs/theory.md §11.2).
 */
export function gammaMarginalsAtLevel(
  shapes: readonly number[],
  logGamma: readonly number[],
  u: number,
): MarginalsAtLevel {
  const P = shapes.length;
  const cdf = new Float64Array(P);
  const score = new Float64Array(P);
  const rateRatio = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    const shape = shapes[i]!;
    const F = chiSquareCdf(2 * shape * u, 2 * shape);
    cdf[i] = F;
    const z = Math.max(-38, Math.min(38, F < 0.5 ? normalQuantile(F) : -normalQuantile(1 - F)));
    score[i] = z;
    // g = u·f(u)²/(α·φ(z)²), with f the gamma density of shape α and mean 1.
    const logPdf = Math.log(shape) + (shape - 1) * Math.log(shape * u) - shape * u - logGamma[i]!;
    const g = (u * Math.exp(2 * logPdf + z * z + Math.log(2 * Math.PI))) / shape;
    rateRatio[i] = Number.isFinite(g) && g > 0 ? g : 1;
  }
  return { cdf, score, rateRatio };
}
