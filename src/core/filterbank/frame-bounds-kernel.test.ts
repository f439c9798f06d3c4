import assert from 'node:assert/strict';
import { test } from 'node:test';
import { symmetricEigenvalues } from '../linalg/symmetric-eigenvalues.js';
import { createStream } from '../random/stream-seed.js';
import { fillStandardNormal } from '../random/ziggurat-normal.js';
import { FrameBoundsKernel } from './frame-bounds-kernel.js';
import { LittlewoodPaleyFromAutocorrelation } from './littlewood-paley-from-autocorrelation.js';
import { SummedAutocorrelation } from './summed-autocorrelation.js';
import { SummedSpectralPower } from './summed-spectral-power.js';

const randomTaps = (J: number, T: number, key: number) => {
  const taps = new Float64Array(J * T);
  fillStandardNormal(createStream(7, 99, key), taps);
  return taps;
};

test('rejects T > N and strides that do not divide N', () => {
  assert.throws(() => new FrameBoundsKernel(2, 9, 8), /exceeds/);
  assert.throws(() => new FrameBoundsKernel(2, 4, 10, 3), /stride/);
  assert.throws(() => new FrameBoundsKernel(2, 4, 10, 0), /stride/);
});

test('a single unit-impulse filter is a Parseval frame: A = B = 1', () => {
  for (const N of [1, 2, 7, 16, 1000]) {
    const { A, B } = new FrameBoundsKernel(1, 1, N).compute(Float64Array.of(1));
    assert.ok(Math.abs(A - 1) < 1e-14 && Math.abs(B - 1) < 1e-14, `N=${N}: A=${A}, B=${B}`);
  }
});

test('tight frames: the Haar pair has A = B = 2, shifted impulses have A = B = J', () => {
  const s = Math.SQRT1_2;
  for (const N of [2, 8, 30, 1024]) {
    const haar = new FrameBoundsKernel(2, 2, N).compute(Float64Array.of(s, s, s, -s));
    assert.ok(Math.abs(haar.A - 2) < 1e-13 && Math.abs(haar.B - 2) < 1e-13, `Haar N=${N}`);
  }
  const J = 5;
  const T = 5;
  const taps = new Float64Array(J * T);
  for (let j = 0; j < J; j++) taps[j * T + j] = 1;
  const { A, B } = new FrameBoundsKernel(J, T, 60).compute(taps);
  assert.ok(Math.abs(A - J) < 1e-12 && Math.abs(B - J) < 1e-12);
  // With stride 2 the Haar pair is an orthonormal basis: A = B = 1.
  const strided = new FrameBoundsKernel(2, 2, 16, 2).compute(Float64Array.of(s, s, s, -s));
  assert.ok(Math.abs(strided.A - 1) < 1e-12 && Math.abs(strided.B - 1) < 1e-12, JSON.stringify(strided));
});

test('autocorrelation route equals the direct route to 1e-12 (docs/theory.md §6)', () => {
  for (const [J, T, N] of [
    [3, 5, 16],
    [10, 8, 1024],
    [40, 100, 256],
    [7, 33, 1000],
    [4, 1024, 1024],
    [5, 700, 1024],
    [6, 60, 97],
  ] as const) {
    const taps = randomTaps(J, T, J * 10000 + T);
    const direct = new FrameBoundsKernel(J, T, N, 1, { route: 'direct' });
    const viaR = new FrameBoundsKernel(J, T, N, 1, { route: 'autocorrelation' });
    const a = direct.compute(taps);
    const lpDirect = Float64Array.from(direct.lp);
    const b = viaR.compute(taps);
    const scale = Math.max(...lpDirect);
    for (let k = 0; k < N; k++) {
      assert.ok(Math.abs(lpDirect[k]! - viaR.lp[k]!) <= 1e-12 * scale, `J=${J} T=${T} N=${N} k=${k}`);
    }
    assert.ok(Math.abs(a.A - b.A) <= 1e-12 * scale && Math.abs(a.B - b.B) <= 1e-12 * scale);
  }
});

test('summed autocorrelation: FFT and direct sums agree to 1e-12, and equal the spectral power’s inverse DFT', () => {
  for (const [J, T] of [
    [1, 1],
    [2, 3],
    [5, 24],
    [3, 25],
    [10, 129],
  ] as const) {
    const taps = randomTaps(J, T, 31 * T + J);
    const viaFft = new Float64Array(T);
    const direct = new Float64Array(T);
    new SummedAutocorrelation(J, T, { method: 'fft' }).compute(taps, viaFft);
    new SummedAutocorrelation(J, T, { method: 'direct' }).compute(taps, direct);
    for (let tau = 0; tau < T; tau++) {
      assert.ok(Math.abs(viaFft[tau]! - direct[tau]!) <= 1e-12 * direct[0]!, `J=${J} T=${T} τ=${tau}`);
    }
    // LP from r on a grid of N ≥ T points equals the spectral power on that grid.
    const N = T + 3;
    const lp = new Float64Array(N);
    new LittlewoodPaleyFromAutocorrelation(T, N).compute(direct, lp);
    const power = new Float64Array(N);
    new SummedSpectralPower(J, T, N).compute(taps, power);
    for (let k = 0; k < N; k++) assert.ok(Math.abs(lp[k]! - power[k]!) <= 1e-12 * direct[0]! * 2);
  }
});

/**
 * The strided analysis operator as an explicit (J·K)×N matrix, y_j[m] = Σ_n φ_j[n]·x[(m·d − n) mod N],
 * and its frame operator's extreme eigenvalues.
 */
function explicitStridedBounds(taps: Float64Array, J: number, T: number, N: number, d: number) {
  const K = N / d;
  const rows = J * K;
  const phi = new Float64Array(rows * N);
  for (let j = 0; j < J; j++) {
    for (let m = 0; m < K; m++) {
      for (let n = 0; n < T; n++) {
        const col = (((m * d - n) % N) + N) % N;
        phi[(j * K + m) * N + col]! += taps[j * T + n]!;
      }
    }
  }
  const S = new Float64Array(N * N);
  for (let a = 0; a < N; a++) {
    for (let b = 0; b < N; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += phi[r * N + a]! * phi[r * N + b]!;
      S[a * N + b] = s;
    }
  }
  const ev = symmetricEigenvalues(S, N);
  return { A: ev[0]!, B: ev[N - 1]! };
}

test('stride: the polyphase bounds equal the explicit frame operator’s (docs/theory.md §6)', () => {
  for (const [J, T, N, d] of [
    [4, 5, 12, 3],
    [3, 4, 12, 2],
    [6, 7, 18, 6],
    [2, 6, 12, 3], // J < d: A = 0
    [5, 1, 10, 1],
    [8, 9, 24, 4],
  ] as const) {
    const taps = randomTaps(J, T, 1000 * d + T);
    const polyphase = new FrameBoundsKernel(J, T, N, d).compute(taps);
    const explicit = explicitStridedBounds(taps, J, T, N, d);
    const scale = explicit.B;
    assert.ok(
      Math.abs(polyphase.B - explicit.B) <= 1e-10 * scale,
      `B J=${J} T=${T} N=${N} d=${d}: ${polyphase.B} vs ${explicit.B}`,
    );
    assert.ok(
      Math.abs(polyphase.A - Math.max(0, explicit.A)) <= 1e-10 * scale,
      `A J=${J} T=${T} N=${N} d=${d}: ${polyphase.A} vs ${explicit.A}`,
    );
    if (J < d) assert.equal(polyphase.A, 0);
  }
});
