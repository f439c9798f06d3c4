// Energy simulations against docs/theory.md §3–§4 with fixed seeds, including N and T that are not
// powers of two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import { symmetricToeplitzEigenvalues } from '../../src/core/linalg/toeplitz-eigenvalues.js';
import type { EnergyResult } from '../../src/experiments/energy/result.js';
import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import { prepareSignal } from '../../src/experiments/common/prepare-signal.js';
import { signalSchema } from '../../src/experiments/common/signal-schema.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';

const run = (body: unknown) => {
  const request = experimentRequestSchema.parse(body);
  return runExperiment(
    { ...request, seed: request.seed ?? 1 },
    undefined,
    undefined,
    undefined,
    kernelPreferenceFromEnvironment(),
  ) as EnergyResult;
};

test('Monte Carlo mean and variance of ‖Φx‖²/‖x‖² within 4 standard errors of theory', () => {
  const trials = 4000;
  const body = {
    type: 'energy',
    seed: 20240,
    trials,
    filterbank: { numFilters: 6, filterLengths: [1, 7, 100, 333] },
    signals: [
      { kind: 'impulse', length: 1000, name: 'impulse' },
      { kind: 'sine', length: 1000, frequency: 0.1, phase: 0.3, name: 'sine' },
      { kind: 'white-noise', length: 777, seed: 9, name: 'noise' },
      { kind: 'brownian', length: 1024, seed: 4, name: 'brownian' },
      {
        kind: 'samples',
        samples: Array.from({ length: 500 }, (_, n) => Math.cos(n / 3) + ((n * 37) % 11) / 11),
        name: 'samples',
      },
    ],
  };
  const result = run(body);
  assert.equal(result.cells.length, 5 * 4);
  for (const cell of result.cells) {
    const { mean, variance } = cell.theory;
    const e = cell.empirical;
    // SE of the sample mean is √(Var/n). SE of the sample variance is √((μ₄ − σ⁴)/n); for the
    // generalized χ² law S = Σ wᵢ·χ²_J, μ₄ = κ₄ + 3κ₂² with κ₂ = 2JΣw², κ₄ = 48JΣw⁴.
    const index = body.signals.findIndex((s) => s.name === cell.signal);
    // The samples the runner used: prepared exactly as the plan prepares them.
    const Rx = prepareSignal(signalSchema.parse(body.signals[index]), index, 20240).autocorrelation;
    const ev = symmetricToeplitzEigenvalues(Rx, cell.filterLength);
    const sigma2 = 1 / (cell.numFilters * cell.filterLength);
    let w2 = 0;
    let w4 = 0;
    for (const l of ev) {
      const w = l * sigma2;
      w2 += w * w;
      w4 += w ** 4;
    }
    const k2 = 2 * cell.numFilters * w2;
    const k4 = 48 * cell.numFilters * w4;
    assert.ok(Math.abs(k2 - variance) <= 1e-9 * variance, 'κ₂ is the theory variance');
    const seMean = Math.sqrt(variance / trials);
    const seVariance = Math.sqrt((k4 + 2 * k2 * k2) / trials);
    const label = `${cell.signal} J=${cell.numFilters} T=${cell.filterLength}`;
    assert.ok(Math.abs(e.mean - mean) <= 4 * seMean, `${label}: mean ${e.mean} vs ${mean} (SE ${seMean})`);
    assert.ok(
      Math.abs(e.std ** 2 - variance) <= 4 * seVariance,
      `${label}: variance ${e.std ** 2} vs ${variance} (SE ${seVariance})`,
    );
  }
});

test('exact deviations bracket the simulated quantiles (docs/theory.md §5), at p = 0.05', () => {
  const result = run({
    type: 'energy',
    seed: 77,
    trials: 4000,
    filterbank: { numFilters: 10, filterLengths: [16, 256] },
    signals: [
      { kind: 'impulse', length: 512 },
      { kind: 'sine', length: 512, frequency: 0.5 },
    ],
  });
  for (const cell of result.cells) {
    const t = cell.theory.deviation;
    // The 0.95 sample quantile of n = 4000 has SE ≈ √(p(1−p)/n)/f(q); a 10 % relative band
    // around the exact α is wider than 4 SE for these laws.
    assert.ok(
      Math.abs(cell.empirical.deviation.upper - t.exactUpper!) <= 0.1 * t.exactUpper! + 0.01,
      JSON.stringify(cell),
    );
    assert.ok(
      Math.abs(cell.empirical.deviation.lower - t.exactLower!) <= 0.1 * t.exactLower! + 0.01,
      JSON.stringify(cell),
    );
    // Bounds are bounds: Cantelli and Chernoff lie above the exact upper deviation.
    assert.ok(t.cantelli! >= t.exactUpper! && t.chernoff! >= t.exactUpper!);
  }
});
