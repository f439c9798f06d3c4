// POST /v1/analyze/filterbank's computation (docs/api.md "Analysis and design"; docs/theory.md §6),
// from JSON weights and from .npy files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameBoundsKernel } from '../../src/core/filterbank/frame-bounds-kernel.js';
import { symmetricEigenvalues } from '../../src/core/linalg/symmetric-eigenvalues.js';
import { createStream } from '../../src/core/random/stream-seed.js';
import { fillStandardNormal } from '../../src/core/random/ziggurat-normal.js';
import {
  analyzeFilterbank,
  analyzeFilterbankTaps,
  LP_MAX_POINTS,
} from '../../src/experiments/analysis/analyze-filterbank.js';
import {
  analyzeFilterbankQuerySchema,
  analyzeFilterbankRequestSchema,
  type AnalyzeFilterbankRequestInput,
} from '../../src/experiments/analysis/analyze-filterbank-schema.js';
import {
  estimateAnalyzeFilterbankCost,
  SECONDS_PER_PREDICTION,
} from '../../src/experiments/analysis/analysis-cost.js';
import { formatIssuePath } from '../../src/experiments/common/format-issue-path.js';
import { RequestInputError } from '../../src/experiments/common/prepare-signal.js';
import { encodeNpy, type NpyDtype } from '../../src/formats/encode-npy.js';
import { filterbankWeightsFromNpy } from '../../src/formats/filterbank-weights-from-npy.js';
import { parseNpy } from '../../src/formats/parse-npy.js';

const analyze = (body: AnalyzeFilterbankRequestInput) =>
  analyzeFilterbank(analyzeFilterbankRequestSchema.parse(body));

const randomRows = (J: number, T: number, key: number): number[][] => {
  const taps = new Float64Array(J * T);
  fillStandardNormal(createStream(17, key), taps);
  return Array.from({ length: J }, (_, j) => Array.from(taps.subarray(j * T, (j + 1) * T)));
};

const issues = (body: unknown) => {
  const parsed = analyzeFilterbankRequestSchema.safeParse(body);
  assert.ok(!parsed.success, 'expected a validation error');
  return parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
};

test('one unit-impulse filter is a Parseval frame: A = B = κ = 1, LP ≡ 1', () => {
  const result = analyze({ weights: [[1]] });
  assert.equal(result.signalLength, 1024);
  assert.equal(result.stride, 1);
  // |φ̂[k]| = 1 at every bin; roundoff of one FFT is below 1e-14.
  assert.ok(
    Math.abs(result.A - 1) < 1e-14 && Math.abs(result.B - 1) < 1e-14,
    JSON.stringify([result.A, result.B]),
  );
  assert.ok(Math.abs(result.kappa! - 1) < 1e-14);
  assert.equal(result.notes, undefined);
  const { frequencies, values } = result.littlewoodPaley;
  assert.equal(values.length, 513);
  assert.deepEqual(
    frequencies,
    Array.from({ length: 513 }, (_, k) => k / 1024),
  );
  assert.ok(values.every((v) => Math.abs(v - 1) < 1e-14));
});

/**
 * The strided analysis operator as an explicit (J·K)×N matrix, y_j[m] = Σ_n φ_j[n]·x[(m·d − n) mod N],
 * and its frame operator's extreme eigenvalues (the pattern of frame-bounds-kernel.test.ts).
 */
function explicitStridedBounds(rows: number[][], N: number, d: number) {
  const J = rows.length;
  const T = rows[0]!.length;
  const K = N / d;
  const phi = new Float64Array(J * K * N);
  for (let j = 0; j < J; j++) {
    for (let m = 0; m < K; m++) {
      for (let n = 0; n < T; n++) phi[(j * K + m) * N + ((((m * d - n) % N) + N) % N)]! += rows[j]![n]!;
    }
  }
  const S = new Float64Array(N * N);
  for (let a = 0; a < N; a++) {
    for (let b = 0; b < N; b++) {
      let s = 0;
      for (let r = 0; r < J * K; r++) s += phi[r * N + a]! * phi[r * N + b]!;
      S[a * N + b] = s;
    }
  }
  const ev = symmetricEigenvalues(S, N);
  return { A: Math.max(0, ev[0]!), B: ev[N - 1]! };
}

test('stride d: A and B are the explicit frame operator’s; the LP curve is the undecimated one', () => {
  for (const [J, T, N, d] of [
    [4, 5, 12, 3],
    [3, 4, 16, 2],
    [2, 6, 12, 3], // J < d: A = 0
  ] as const) {
    const weights = randomRows(J, T, 100 * d + J);
    const result = analyze({ weights, stride: d, signalLength: N });
    const explicit = explicitStridedBounds(weights, N, d);
    // Two eigen-solvers on matrices of norm B: agreement to 1e-10·B, as in frame-bounds-kernel.test.ts.
    assert.ok(Math.abs(result.B - explicit.B) <= 1e-10 * explicit.B, `B J=${J} d=${d}`);
    assert.ok(Math.abs(result.A - explicit.A) <= 1e-10 * explicit.B, `A J=${J} d=${d}`);
    assert.equal(result.stride, d);
    const undecimated = analyze({ weights, signalLength: N });
    assert.deepEqual(result.littlewoodPaley, undecimated.littlewoodPaley);
    if (J < d) {
      assert.equal(result.A, 0);
      assert.equal(result.kappa, null);
      assert.match(result.notes![0]!, /fewer than the stride/);
    } else {
      assert.equal(result.kappa, result.B / result.A);
    }
  }
});

test('LP down-sampling at N = 16384 keeps the exact minimum and maximum (A and B)', () => {
  const N = 16384;
  const weights = randomRows(6, 40, 7);
  const result = analyze({ weights, signalLength: N });
  const { frequencies, values } = result.littlewoodPaley;
  assert.ok(values.length <= LP_MAX_POINTS && values.length > LP_MAX_POINTS / 2, `${values.length} points`);
  assert.equal(Math.min(...values), result.A);
  assert.equal(Math.max(...values), result.B);
  // The same bounds as the full LP on the half grid 0..N/2 straight from the kernel.
  const kernel = new FrameBoundsKernel(6, 40, N);
  kernel.compute(Float64Array.from(weights.flat()));
  const half = Array.from(kernel.lp.subarray(0, N / 2 + 1));
  assert.equal(Math.min(...values), Math.min(...half));
  assert.equal(Math.max(...values), Math.max(...half));
  // Points are real bins, in increasing frequency, from 0 to ½.
  for (let i = 0; i < frequencies.length; i++) {
    const k = frequencies[i]! * N;
    assert.ok(Number.isInteger(k) && k >= 0 && k <= N / 2, `frequency ${frequencies[i]}`);
    assert.equal(values[i], kernel.lp[k]);
    if (i > 0) assert.ok(frequencies[i]! > frequencies[i - 1]!);
  }
  assert.equal(frequencies[0], 0);
});

test('.npy of every dtype and shape gives the output of the same weights as JSON', () => {
  const J = 5;
  const T = 12;
  const rows = randomRows(J, T, 3);
  const flat = rows.flat();
  for (const dtype of ['<f4', '>f4', '<f8', '>f8'] as NpyDtype[]) {
    // float32 files hold fround(x); the JSON twin carries the same rounded values.
    const jsonRows = dtype.endsWith('4') ? rows.map((row) => row.map(Math.fround)) : rows;
    for (const shape of [
      [J, T],
      [J, 1, T],
    ]) {
      for (const [stride, signalLength] of [
        [1, undefined],
        [2, 64],
      ] as const) {
        const filterbank = filterbankWeightsFromNpy(parseNpy(encodeNpy(flat, shape, dtype)));
        const query = analyzeFilterbankQuerySchema.parse({
          stride: String(stride),
          ...(signalLength === undefined ? {} : { signalLength: String(signalLength) }),
        });
        assert.deepEqual(
          analyzeFilterbankTaps(filterbank, query),
          analyze({ weights: jsonRows, stride, ...(signalLength === undefined ? {} : { signalLength }) }),
          `${dtype} (${shape.join(', ')}) stride ${stride}`,
        );
      }
    }
  }
});

test('validation names the bad row or field', () => {
  assert.deepEqual(issues({ weights: [[1, 2], [3], [4, 5]] }), [
    'weights[1]: filter 1 has 1 taps, filter 0 has 2: all rows must have the same length',
  ]);
  assert.deepEqual(issues({ weights: [[]] }), ['weights[0]: a filter needs at least one tap']);
  assert.deepEqual(issues({ weights: [] }), ['weights: at least one filter is needed']);
  assert.match(issues({ weights: [[1, Infinity]] })[0]!, /^weights\[0\]\[1\]: /);
  assert.deepEqual(issues({ weights: [[1, 2]], stride: 3 }), [
    'stride: stride 3 does not divide signalLength 1024 (the default)',
  ]);
  assert.deepEqual(issues({ weights: [[1, 2, 3]], signalLength: 2 }), [
    'signalLength: signalLength 2 is shorter than the filter length 3',
  ]);
  // The default grid grows with T: max(1024, nextPow2(T)).
  assert.equal(analyze({ weights: [Array<number>(1500).fill(0.01)] }).signalLength, 2048);
  // The .npy route checks the same rules without a schema.
  assert.throws(
    () =>
      analyzeFilterbankTaps(
        { weights: Float64Array.of(1, 2), numFilters: 1, filterLength: 2 },
        { stride: 5 },
      ),
    (error: unknown) => error instanceof RequestInputError && formatIssuePath(error.path) === 'stride',
  );
  assert.ok(!analyzeFilterbankQuerySchema.safeParse({ stride: 'two' }).success);
  assert.deepEqual(analyzeFilterbankQuerySchema.parse({}), { stride: 1 });
});

test('a filterbank that misses a frequency: A = 0 (up to roundoff), κ null with a note', () => {
  // [1, 1] vanishes at ½ cycle per sample.
  const result = analyze({ weights: [[1, 1]], signalLength: 8 });
  assert.equal(result.A, 0);
  assert.equal(result.kappa, null);
  assert.match(result.notes![0]!, /A = 0 ≤ 1e-12·B is zero up to roundoff/);
  // [1, −1] vanishes at k = 0; through Bluestein's FFT (N = 1998) that zero comes out as A ≈ 4e-16: still no κ.
  const roundoff = analyze({
    weights: [
      [1, -1],
      [1, -1],
    ],
    signalLength: 1998,
  });
  assert.ok(roundoff.A < 1e-12 * roundoff.B);
  assert.equal(roundoff.kappa, null);
  assert.match(roundoff.notes![0]!, /zero up to roundoff/);
});

test('J = 512, T = 1024, N = 16384 runs in well under 1 s', () => {
  const J = 512;
  const T = 1024;
  const weights = new Float64Array(J * T);
  fillStandardNormal(createStream(1, 2), weights);
  const started = performance.now();
  const result = analyzeFilterbankTaps(
    { weights, numFilters: J, filterLength: T },
    { stride: 1, signalLength: 16384 },
  );
  const ms = performance.now() - started;
  // Measured 15–50 ms on the 2-core machine; 1 s leaves room for a loaded machine.
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  assert.equal(result.littlewoodPaley.values.length, LP_MAX_POINTS);
});

test('cost model: stride 1 is cheap, a wide stride on a long grid is not', () => {
  const cost = (J: number, T: number, N: number, d: number) =>
    estimateAnalyzeFilterbankCost({ numFilters: J, filterLength: T, signalLength: N, stride: d });
  // Measured: 15–50 ms (+ one prediction of κ's law, SECONDS_PER_PREDICTION), 0.35 s, 0.85 s,
  // 28 s; the model is good to a factor of about two.
  assert.ok(cost(512, 1024, 16384, 1) < 0.05 + SECONDS_PER_PREDICTION);
  assert.ok(cost(512, 1024, 16384, 2) > 0.15 && cost(512, 1024, 16384, 2) < 0.7);
  assert.ok(cost(512, 1024, 16384, 8) > 0.4 && cost(512, 1024, 16384, 8) < 1.7);
  assert.ok(cost(16, 64, 65536, 256) > 14);
});

test('predicted: where a bank sits in the law of κ of random Gaussian banks (docs/theory.md §11)', () => {
  // A random Gaussian bank is a draw from that law: its percentile is strictly inside (0, 100).
  const random = analyze({ weights: randomRows(10, 64, 91) });
  const p = random.predicted!;
  assert.ok(p.kappaPercentile > 0 && p.kappaPercentile < 100, JSON.stringify(p));
  assert.ok(p.kappaQuantiles['0.05'] < p.kappaMedian && p.kappaMedian < p.kappaQuantiles['0.95']);
  // Its κ against the quantiles agrees with the percentile's side of the median.
  assert.equal(random.kappa! < p.kappaMedian, p.kappaPercentile < 50);
  // T unit impulses at the T shifts: LP ≡ T, κ = 1, better than every random bank (κ > 1 surely).
  const T = 16;
  const shifts = Array.from({ length: T }, (_, j) => Array.from({ length: T }, (_, t) => (t === j ? 1 : 0)));
  const tight = analyze({ weights: shifts });
  assert.ok(Math.abs(tight.kappa! - 1) < 1e-12);
  assert.equal(tight.predicted!.kappaPercentile, 0);
  // One tap: every random bank has κ = 1 too, so κ = 1 is at the 100th percentile.
  assert.equal(analyze({ weights: [[0.3], [2]] }).predicted!.kappaPercentile, 100);
  // Stride 2 is outside the predictor: null, with the reason.
  const strided = analyze({ weights: randomRows(4, 8, 92), stride: 2 });
  assert.equal(strided.predicted, null);
  assert.ok(strided.notes?.some((n) => n.startsWith('predicted is null')));
});
