import { getFftPlan, type FftPlan } from '../fft/fft-plan.js';
import { symmetricEigenvalues } from '../linalg/symmetric-eigenvalues.js';
import type { FrameBounds } from './frame-bounds-kernel.js';

/**
 * Frame bounds of J filters of length T applied with stride d on the N-point grid, by the
 * polyphase form of docs/theory.md §6.4 (§10.7): with K = N/d and V_k = [φ̂_j[k + a·K]]_{j,a} (J×d),
 * M_k = V_kᴴV_k/d, A = min_k λ_min(M_k) and B = max_k λ_max(M_k).
 */
export class StridedFrameBounds {
  private readonly plan: FftPlan;
  private readonly packed: Float64Array;
  private readonly packedSpectrum: Float64Array;
  /** Spectra of all filters: re and im, J × N each. */
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** M_k embedded as the real symmetric 2d×2d matrix [[X, −Y], [Y, X]] for H = X + iY. */
  private readonly embedded: Float64Array;

  constructor(
    readonly numFilters: number,
    readonly filterLength: number,
    readonly signalLength: number,
    readonly stride: number,
  ) {
    this.plan = getFftPlan(signalLength);
    this.packed = new Float64Array(2 * signalLength);
    this.packedSpectrum = new Float64Array(2 * signalLength);
    this.re = new Float64Array(numFilters * signalLength);
    this.im = new Float64Array(numFilters * signalLength);
    this.embedded = new Float64Array(4 * stride * stride);
  }

  compute(taps: Float64Array): FrameBounds {
    const { numFilters: J, signalLength: N, stride: d } = this;
    this.filterSpectra(taps);
    if (J < d) {
      // Rank of V_kᴴV_k is at most J < d, so λ_min = 0 (docs/theory.md §6); B still needs the max.
      return { A: 0, B: this.maxEigenvalue() };
    }
    const K = N / d;
    let A = Infinity;
    let B = -Infinity;
    for (let k = 0; k < K; k++) {
      const ev = this.eigenvaluesAt(k);
      // The embedding doubles each eigenvalue of the Hermitian matrix.
      if (ev[0]! < A) A = ev[0]!;
      if (ev[ev.length - 1]! > B) B = ev[ev.length - 1]!;
    }
    return { A: Math.max(A, 0), B };
  }

  private maxEigenvalue(): number {
    const K = this.signalLength / this.stride;
    let B = -Infinity;
    for (let k = 0; k < K; k++) {
      const ev = this.eigenvaluesAt(k);
      if (ev[ev.length - 1]! > B) B = ev[ev.length - 1]!;
    }
    return B;
  }

  private eigenvaluesAt(k: number): Float64Array {
    const { numFilters: J, signalLength: N, stride: d, re, im, embedded } = this;
    const K = N / d;
    const size = 2 * d;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        // H[a][b] = (1/d) Σ_j conj(V[j][a])·V[j][b]
        let x = 0;
        let y = 0;
        const ka = k + a * K;
        const kb = k + b * K;
        for (let j = 0; j < J; j++) {
          const ra = re[j * N + ka]!;
          const ia = im[j * N + ka]!;
          const rb = re[j * N + kb]!;
          const ib = im[j * N + kb]!;
          x += ra * rb + ia * ib;
          y += ra * ib - ia * rb;
        }
        x /= d;
        y /= d;
        // [[X, −Y], [Y, X]] with X symmetric and Y antisymmetric.
        embedded[a * size + b] = x;
        embedded[b * size + a] = x;
        embedded[(a + d) * size + (b + d)] = x;
        embedded[(b + d) * size + (a + d)] = x;
        embedded[a * size + (b + d)] = -y;
        embedded[(b + d) * size + a] = -y;
        embedded[(a + d) * size + b] = y;
        embedded[b * size + (a + d)] = y;
      }
    }
    return symmetricEigenvalues(embedded, size);
  }

  /** N-point spectra of all J zero-padded filters, two real filters per complex FFT. */
  private filterSpectra(taps: Float64Array): void {
    const { numFilters: J, filterLength: T, signalLength: N, packed, packedSpectrum: Z, re, im } = this;
    for (let j = 0; j < J; j += 2) {
      packed.fill(0);
      const hasPair = j + 1 < J;
      for (let n = 0; n < T; n++) {
        packed[2 * n] = taps[j * T + n]!;
        if (hasPair) packed[2 * n + 1] = taps[(j + 1) * T + n]!;
      }
      this.plan.forward(packed, Z);
      for (let k = 0; k < N; k++) {
        const m = k === 0 ? 0 : N - k;
        const zr = Z[2 * k]!;
        const zi = Z[2 * k + 1]!;
        const mr = Z[2 * m]!;
        const mi = Z[2 * m + 1]!;
        // A_k = (Z_k + conj Z_{N−k})/2, B_k = (Z_k − conj Z_{N−k})/(2i).
        re[j * N + k] = 0.5 * (zr + mr);
        im[j * N + k] = 0.5 * (zi - mi);
        if (hasPair) {
          re[(j + 1) * N + k] = 0.5 * (zi + mi);
          im[(j + 1) * N + k] = -0.5 * (zr - mr);
        }
      }
    }
  }
}
