import { dirichletKernel } from './dirichlet-kernel.js';

/**
 * v_C² + v_S² at grid point k, v_C, v_S = (1 ± D(2ω)/T)/2, ω = 2πk/N: how the variance of one
 * filter's centred spectrum splits between its cosine and sine parts (docs/theory.md §11.1).
 */
export function littlewoodPaleyVarianceSplit(k: number, T: number, N: number): number {
  const d = dirichletKernel(2 * k * ((2 * Math.PI) / N), T) / T;
  const vc = (1 + d) / 2;
  const vs = (1 - d) / 2;
  return vc * vc + vs * vs;
}

/**
 * corr(X_k, X_k′) of the normalised Littlewood–Paley sum at grid points k, k′ (docs/theory.md
 * §11.1): the squared C and S covariances (D(ω−ω′) ± D(ω+ω′))/2 over the variance splits, in [0, 1].
 */
export function littlewoodPaleyCorrelation(k: number, k2: number, T: number, N: number): number {
  const delta = (2 * Math.PI) / N;
  const dDiff = dirichletKernel(Math.abs(k2 - k) * delta, T) / T;
  const dSum = dirichletKernel((k + k2) * delta, T) / T;
  const cc = (dDiff + dSum) / 2;
  const cs = (dDiff - dSum) / 2;
  const r =
    (cc * cc + cs * cs) /
    Math.sqrt(littlewoodPaleyVarianceSplit(k, T, N) * littlewoodPaleyVarianceSplit(k2, T, N));
  return Math.min(1, Math.max(0, r));
}
