// POST /v1/analyze/signal's computation (docs/api.md "Analysis and design") against the energy
// theory it reuses and the closed forms of docs/theory.md §4.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { circularAutocorrelation } from '../../src/core/fft/circular-autocorrelation.js';
import { impulseSignal } from '../../src/core/signals/impulse-signal.js';
import { estimateAnalyzeSignalCost } from '../../src/experiments/analysis/analysis-cost.js';
import { analyzeSignal } from '../../src/experiments/analysis/analyze-signal.js';
import {
  analyzeSignalRequestSchema,
  type AnalyzeSignalRequestInput,
} from '../../src/experiments/analysis/analyze-signal-schema.js';
import { RequestInputError } from '../../src/experiments/common/prepare-signal.js';
import { formatIssuePath } from '../../src/experiments/common/format-issue-path.js';
import { energyTheory } from '../../src/experiments/energy/theory.js';
import { assertClose } from '../support/assert-close.js';

const analyze = (body: AnalyzeSignalRequestInput, stored?: Parameters<typeof analyzeSignal>[1]) =>
  analyzeSignal(analyzeSignalRequestSchema.parse(body), stored);

const issuePaths = (body: unknown) => {
  const parsed = analyzeSignalRequestSchema.safeParse(body);
  assert.ok(!parsed.success, 'expected a validation error');
  return parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
};

test('impulse: cells are energyTheory’s, and equal the χ²_{JT}/(JT) closed forms (docs/theory.md §4)', () => {
  const N = 1024;
  const Js = [1, 10];
  const Ts = [1, 8, 64];
  const result = analyze({
    signal: { kind: 'impulse', length: N, position: 513 },
    numFilters: Js,
    filterLengths: Ts,
  });
  const Rx = circularAutocorrelation(impulseSignal(N, 513));
  assert.equal(result.cells.length, Js.length * Ts.length);
  let i = 0;
  for (const [j, J] of Js.entries()) {
    for (const T of Ts) {
      const cell = result.cells[i++]!;
      // J outer, T inner, as in the energy result.
      assert.deepEqual(
        {
          signal: cell.signal,
          numFilters: cell.numFilters,
          filterLength: cell.filterLength,
          signalLength: cell.signalLength,
        },
        { signal: 'impulse', numFilters: J, filterLength: T, signalLength: N },
      );
      assert.deepEqual(cell.theory, energyTheory(Rx, 1, T, Js, { scheme: 'paper' }, 0.05)[j]);
      const k = J * T;
      assertClose(cell.theory.mean, 1, 1e-13, 'mean');
      assertClose(cell.theory.variance, 2 / k, 1e-13, 'variance');
      // Imhof inversion is accurate to ~1e-10 in the CDF, so quantiles to 1e-7 (as energy-theory.test.ts).
      assertClose(
        cell.theory.deviation.exactUpper!,
        chisquareQuantile(0.95, k) / k - 1,
        1e-7,
        `upper J=${J} T=${T}`,
      );
      assertClose(
        cell.theory.deviation.exactLower!,
        1 - chisquareQuantile(0.05, k) / k,
        1e-7,
        `lower J=${J} T=${T}`,
      );
    }
  }
  const { lags, values, perFilterLength } = result.autocorrelation;
  assert.deepEqual(lags, [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  // An impulse is uncorrelated with its shifts: R_x(τ) = 0 for τ ≠ 0, exactly (sparse route).
  assert.deepEqual(values, [1, ...Array<number>(lags.length - 1).fill(0)]);
  for (const [t, T] of Ts.entries()) {
    const row = perFilterLength[t]!;
    assert.equal(row.filterLength, T);
    // Q_T = I: ‖Q_T‖_F = √T and λ_max = 1.
    assertClose(row.frobeniusNorm, Math.sqrt(T), 1e-14, 'frobenius');
    assertClose(row.lambdaMax, 1, 1e-12, 'λmax');
  }
});

test('alternating sine: R_x(τ)/R_x(0) = (−1)^τ, λ_max = T, variance 2/J at every T (docs/theory.md §4)', () => {
  const result = analyze({
    signal: { kind: 'sine', length: 256, frequency: 0.5, name: 'alt' },
    numFilters: 10,
    filterLengths: [4, 32],
    tailProbability: 0.1,
  });
  assert.deepEqual(
    result.cells.map((c) => [c.signal, c.numFilters, c.filterLength]),
    [
      ['alt', 10, 4],
      ['alt', 10, 32],
    ],
  );
  for (const cell of result.cells) assertClose(cell.theory.variance, 2 / 10, 1e-12, 'variance');
  const { lags, values, perFilterLength } = result.autocorrelation;
  assert.equal(lags.at(-1), 128);
  // FFT roundoff on unit energy: 1e-12 absolute.
  lags.forEach((lag, i) => assert.ok(Math.abs(values[i]! - (lag % 2 === 0 ? 1 : -1)) < 1e-12, `lag ${lag}`));
  assertClose(perFilterLength[0]!.lambdaMax, 4, 1e-9, 'λmax T=4');
  assertClose(perFilterLength[1]!.lambdaMax, 32, 1e-9, 'λmax T=32');
});

test('uniform taps: λ_max is null in the theory (Gaussian only) but reported for the signal', () => {
  const result = analyze({
    signal: { kind: 'impulse', length: 64 },
    numFilters: 4,
    filterLengths: [8],
    init: { scheme: 'pytorch-default' },
  });
  assert.equal(result.cells[0]!.theory.autocorrelation.lambdaMax, null);
  assert.equal(result.cells[0]!.theory.deviation.chernoff, null);
  assertClose(result.autocorrelation.perFilterLength[0]!.lambdaMax, 1, 1e-12, 'λmax');
});

test('samples and stored signals: names, normalisation, deterministic random signals', () => {
  const samples = [3, 0, -4, 0, 0, 0, 0, 0];
  const fromSamples = analyze({
    signal: { kind: 'samples', samples, name: 'x.wav' },
    numFilters: 2,
    filterLengths: [2],
  });
  assert.equal(fromSamples.cells[0]!.signal, 'x.wav');
  // Normalised to unit energy by default; R_x(2)/R_x(0) = (3·−4)/25 whatever the scale.
  assertClose(fromSamples.autocorrelation.values[2]!, -12 / 25, 1e-12, 'R(2)/R(0)');
  const stored = new Map([['s1', { name: 'snare', samples: Float64Array.from(samples), sampleRate: 22050 }]]);
  const fromStored = analyze(
    { signal: { kind: 'stored', id: 's1' }, numFilters: 2, filterLengths: [2] },
    stored,
  );
  assert.equal(fromStored.cells[0]!.signal, 'snare');
  assert.deepEqual(fromStored.cells[0]!.theory, fromSamples.cells[0]!.theory);
  const noise: AnalyzeSignalRequestInput = {
    signal: { kind: 'white-noise', length: 64 },
    numFilters: 3,
    filterLengths: [5],
  };
  assert.deepEqual(analyze(noise), analyze(noise));
});

test('validation names the field: T > N, impulse position, stored length, unknown id, zero energy', () => {
  assert.deepEqual(
    issuePaths({ signal: { kind: 'impulse', length: 16 }, numFilters: 2, filterLengths: [4, 32, 16, 17] }),
    [
      'filterLengths[1]: filter length 32 exceeds the signal length 16',
      'filterLengths[3]: filter length 17 exceeds the signal length 16',
    ],
  );
  assert.deepEqual(
    issuePaths({ signal: { kind: 'impulse', length: 16, position: 16 }, numFilters: 2, filterLengths: [4] }),
    ['signal.position: position 16 must be < length 16'],
  );
  assert.match(
    issuePaths({ signal: { kind: 'impulse', length: 16 }, numFilters: 2, filterLengths: [4], typo: 1 })[0]!,
    /typo/,
  );
  const stored = new Map([['short', { samples: Float64Array.of(1, 2, 3) }]]);
  const fails = (body: AnalyzeSignalRequestInput, path: string, message: RegExp) =>
    assert.throws(
      () => analyze(body, stored),
      (error: unknown) =>
        error instanceof RequestInputError &&
        formatIssuePath(error.path) === path &&
        message.test(error.message),
    );
  fails(
    { signal: { kind: 'stored', id: 'short' }, numFilters: 2, filterLengths: [2, 4] },
    'filterLengths[1]',
    /4 exceeds the signal length 3/,
  );
  fails(
    { signal: { kind: 'stored', id: 'nope' }, numFilters: 2, filterLengths: [2] },
    'signal.id',
    /no stored signal with id "nope"/,
  );
  fails(
    { signal: { kind: 'samples', samples: [0, 0, 0] }, numFilters: 2, filterLengths: [2] },
    'signal',
    /zero energy/,
  );
});

test('cost model: the eigenproblems dominate, T = N is an FFT', () => {
  const request = (filterLengths: number[]) =>
    analyzeSignalRequestSchema.parse({
      signal: { kind: 'stored', id: 'any' }, // no declared N, so any T passes the schema
      numFilters: [10, 40],
      filterLengths,
    });
  // Measured: ≈ 0.3 s for T = 8…1024 on 66150 samples, 1.7 s for T = 2048.
  const paper = estimateAnalyzeSignalCost(request([8, 16, 32, 64, 128, 256, 512, 1024]), 66150);
  assert.ok(paper > 0.15 && paper < 0.6, `${paper}`);
  assert.ok(estimateAnalyzeSignalCost(request([2048]), 66150) > 0.9);
  assert.ok(estimateAnalyzeSignalCost(request([66150]), 66150) < 0.1);
});
