// The per-frequency eigen-extremes of the strided frame bounds (docs/theory.md §6.4, §10.7,
// §12.1): M_k = V_kᴴV_k/d is d×d Hermitian; its smallest and largest eigenvalues, from the sums
// S[a][b] = Σ_j conj(V[j][a])·V[j][b] (upper triangle, row by row, one (x, y) f64x2 per entry),
// divided by d as strided-frame-bounds.ts divides them.

import { tridiagonalQr } from './eigenvalues';
import { at, put } from './memory-access';

/** Extremes of the last call: the smallest and the largest eigenvalue. */
export let extremeLow: f64 = 0;
export let extremeHigh: f64 = 0;

/**
 * d = 2 in closed form: for [[p, c], [c̄, q]] the eigenvalues are (p + q)/2 ± √(((p − q)/2)² + |c|²).
 * The smaller one loses digits when it is tiny next to the larger, by about ε·λ_max, which is
 * the accuracy of the QR route too.
 */
export function extremes2(sums: usize): void {
  const p = load<f64>(sums) / 2.0;
  const cr = load<f64>(sums, 16) / 2.0;
  const ci = load<f64>(sums, 24) / 2.0;
  const q = load<f64>(sums, 32) / 2.0;
  const mean = 0.5 * (p + q);
  const h = 0.5 * (p - q);
  const r = Math.sqrt(h * h + cr * cr + ci * ci);
  extremeLow = mean - r;
  extremeHigh = mean + r;
}

/**
 * d > 2: Householder reflections with a complex phase, H = I − β·v·vᴴ (Hermitian and
 * unitary, H·x = −e^{iθ}‖x‖·e₁ for the column x below the diagonal, x₀ = |x₀|·e^{iθ}), reduce M
 * to a Hermitian tridiagonal matrix with off-diagonal entries of modulus ‖x‖; a diagonal unitary
 * similarity makes them real, so the real symmetric tridiagonal (diag M, ‖x‖) has the eigenvalues
 * of M, found by the QR iteration of eigenvalues.ts. It measured about twice as fast as the real
 * 2d×2d embedding [[X, −Y], [Y, X]] the JS route solves (half the order, no doubled
 * eigenvalues). Scratch at `eig`: 2d² + 6d f64. Returns 0, or 1 if QR did not converge.
 */
export function extremesHermitian(sums: usize, d: i32, eig: usize): i32 {
  const n = d;
  const re = eig;
  const im = re + (<usize>(n * n) << 3);
  const diag = im + (<usize>(n * n) << 3);
  const off = diag + (<usize>n << 3);
  const vr = off + (<usize>n << 3);
  const vi = vr + (<usize>n << 3);
  const pr = vi + (<usize>n << 3);
  const pi = pr + (<usize>n << 3);
  const scale = <f64>d;
  let entry = sums;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = load<f64>(entry) / scale;
      const y = load<f64>(entry, 8) / scale;
      entry += 16;
      put(re, i * n + j, x);
      put(im, i * n + j, y);
      put(re, j * n + i, x);
      put(im, j * n + i, -y);
    }
  }
  for (let k = 0; k < n - 2; k++) {
    let norm2: f64 = 0;
    for (let j = k + 1; j < n; j++) {
      const xr = at(re, j * n + k);
      const xi = at(im, j * n + k);
      norm2 += xr * xr + xi * xi;
      put(vr, j, xr);
      put(vi, j, xi);
    }
    const norm = Math.sqrt(norm2);
    put(off, k, norm);
    if (norm == 0) continue;
    const x0r = at(vr, k + 1);
    const x0i = at(vi, k + 1);
    const abs0 = Math.sqrt(x0r * x0r + x0i * x0i);
    let cr: f64 = 1;
    let ci: f64 = 0;
    if (abs0 > 0) {
      cr = x0r / abs0;
      ci = x0i / abs0;
    }
    put(vr, k + 1, x0r + cr * norm);
    put(vi, k + 1, x0i + ci * norm);
    const beta = 1 / (norm * (norm + abs0));
    // p = β·A₂₂·v and vᴴp (real, A₂₂ Hermitian).
    let vp: f64 = 0;
    for (let i = k + 1; i < n; i++) {
      let sr: f64 = 0;
      let si: f64 = 0;
      for (let j = k + 1; j < n; j++) {
        const ar = at(re, i * n + j);
        const ai = at(im, i * n + j);
        const br = at(vr, j);
        const bi = at(vi, j);
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      sr *= beta;
      si *= beta;
      put(pr, i, sr);
      put(pi, i, si);
      vp += at(vr, i) * sr + at(vi, i) * si;
    }
    // w = p − (β/2)(vᴴp)·v; A₂₂ −= v·wᴴ + w·vᴴ.
    const K = 0.5 * beta * vp;
    for (let i = k + 1; i < n; i++) {
      put(pr, i, at(pr, i) - K * at(vr, i));
      put(pi, i, at(pi, i) - K * at(vi, i));
    }
    for (let i = k + 1; i < n; i++) {
      const ar = at(vr, i);
      const ai = at(vi, i);
      const wr = at(pr, i);
      const wi = at(pi, i);
      for (let j = k + 1; j < n; j++) {
        const br = at(vr, j);
        const bi = at(vi, j);
        const cr2 = at(pr, j);
        const ci2 = at(pi, j);
        // v_i·conj(w_j) + w_i·conj(v_j)
        const ur = ar * cr2 + ai * ci2 + (wr * br + wi * bi);
        const ui = ai * cr2 - ar * ci2 + (wi * br - wr * bi);
        put(re, i * n + j, at(re, i * n + j) - ur);
        put(im, i * n + j, at(im, i * n + j) - ui);
      }
    }
  }
  for (let i = 0; i < n; i++) put(diag, i, at(re, i * n + i));
  const lr = at(re, (n - 1) * n + (n - 2));
  const li = at(im, (n - 1) * n + (n - 2));
  put(off, n - 2, Math.sqrt(lr * lr + li * li));
  if (!tridiagonalQr(diag, off, n)) return 1;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = at(diag, i);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  extremeLow = low;
  extremeHigh = high;
  return 0;
}
