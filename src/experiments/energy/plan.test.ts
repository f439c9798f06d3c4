// The two exact routes of an energy draw (docs/theory.md §6), r(τ) and Parseval on the N grid,
// give the same ‖Φx‖²/‖x‖² to roundoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimulationOutput } from '../common/experiment-definition.js';
import { experimentRequestSchema } from '../experiment-request.js';
import { energyRoute, planEnergy } from './plan.js';
import type { EnergyRequest } from './schema.js';

test('energyRoute: Parseval only for one power-of-two N ≤ 2^⌈log₂(2T−1)⌉ past the direct crossover', () => {
  assert.equal(energyRoute(1024, [1024, 1024]), 'parseval');
  assert.equal(energyRoute(512, [1024]), 'parseval');
  assert.equal(energyRoute(256, [1024]), 'autocorrelation');
  assert.equal(energyRoute(8, [8]), 'autocorrelation');
  assert.equal(energyRoute(1000, [1000]), 'autocorrelation');
  assert.equal(energyRoute(64, [64, 128]), 'autocorrelation');
});

test('Parseval and autocorrelation routes agree to 1e-12 relative', () => {
  const body = {
    type: 'energy',
    seed: 5,
    trials: 9,
    filterbank: { numFilters: [1, 4, 7], filterLengths: [33, 64, 100, 128] },
    signals: [
      { kind: 'impulse', length: 128, position: 70 },
      { kind: 'brownian', length: 128, seed: 3 },
      { kind: 'sine', length: 128, frequency: 0.5, phase: 0 },
      { kind: 'white-noise', length: 128, seed: 2 },
    ],
  };
  const request = { ...experimentRequestSchema.parse(body), seed: 5 } as EnergyRequest & { seed: number };
  const run = (route: 'parseval' | 'autocorrelation') => {
    const plan = planEnergy(request, undefined, { route });
    return plan
      .tasks(4)
      .filter((t) => t.kind === 'simulate')
      .map((t) => plan.runTask(t, () => {}) as SimulationOutput);
  };
  const a = run('autocorrelation');
  const b = run('parseval');
  assert.equal(a.length, b.length);
  let checked = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.values;
    const y = b[i]!.values;
    assert.equal(x.length, y.length);
    for (let k = 0; k < x.length; k++) {
      assert.ok(x[k]! > 0);
      // Relative to max(value, 1), the ratio's expected size: for the alternating sine the ratio
      // can be ~1e-5, and there Σ r(τ)·R_x(τ) cancels (an absolute error of ~1e-16) while
      // Parseval sums non-negative terms.
      const scale = Math.max(Math.abs(x[k]!), 1);
      assert.ok(Math.abs(x[k]! - y[k]!) <= 1e-12 * scale, `${x[k]} vs ${y[k]}`);
      checked++;
    }
  }
  assert.equal(checked, 3 * 4 * 9 * 4);
});
