// docs/theory.md §12: the JS and WebAssembly kernels draw the same filters and agree to 1e-12
// relative on every simulated value, on the paper's preset shapes and on odd J, T and N.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimulationOutput } from '../../src/experiments/common/experiment-definition.js';
import { experimentRequestSchema, planExperiment } from '../../src/experiments/experiment-request.js';
import { paperPresets } from '../../src/experiments/paper-presets.js';
import { WASM_MAX_STRIDE, type KernelPreference } from '../../src/core/wasm/kernel-choice.js';

type Body = Record<string, unknown> & { seed: number };

/** Every simulate task's values under one kernel preference, in task order. */
function simulatedValues(body: Body, kernel: KernelPreference): Float64Array[] {
  const request = { ...experimentRequestSchema.parse(body), seed: body.seed };
  const plan = planExperiment(request, undefined, { kernel });
  return plan
    .tasks(1000)
    .filter((task) => task.kind === 'simulate')
    .map((task) => (plan.runTask(task, () => {}) as SimulationOutput).values);
}

/**
 * The two FFTs (fft.js and the wasm Stockham) each round to ~ε·log₂N relative to the largest
 * spectral value; through the sums and the one extra DFT of the autocorrelation route that stays
 * below 1e-13 of the row's largest value (A, B or the energy ratios of one draw), so 1e-12 is a
 * tenfold margin that any wrong index, twiddle or draw would exceed by many orders.
 */
function assertClose(js: Float64Array[], wasm: Float64Array[], width: number, what: string): void {
  assert.equal(wasm.length, js.length);
  let worst = 0;
  js.forEach((expected, t) => {
    const actual = wasm[t]!;
    assert.equal(actual.length, expected.length);
    for (let row = 0; row < expected.length; row += width) {
      let scale = 0;
      for (let i = row; i < row + width; i++) scale = Math.max(scale, Math.abs(expected[i]!));
      for (let i = row; i < row + width; i++) {
        const error = Math.abs(actual[i]! - expected[i]!) / scale;
        worst = Math.max(worst, error);
        if (!(error <= 1e-12)) assert.fail(`${what}: task ${t}, value ${i}: ${actual[i]} vs ${expected[i]}`);
      }
    }
  });
  assert.ok(worst > 0 || js.length > 0);
}

const [energyPreset, frameBoundsPreset] = paperPresets({ trials: 24, seed: 11 });

test('frame-bounds preset (J = 40, N = 1024, T = 8 … 1024): wasm equals js to 1e-12', () => {
  const body = frameBoundsPreset!.request as Body;
  assertClose(simulatedValues(body, 'js'), simulatedValues(body, 'wasm'), 2, 'frame-bounds preset');
});

test('energy preset (J = 10, three signals, N = 1024): wasm equals js to 1e-12', () => {
  const body = energyPreset!.request as Body;
  assertClose(simulatedValues(body, 'js'), simulatedValues(body, 'wasm'), 3, 'energy preset');
});

test('odd J, T and N, both tap laws: wasm equals js to 1e-12; non-power-of-two N stays on js', () => {
  for (const scheme of ['he-normal', 'pytorch-default']) {
    const frameBounds: Body = {
      type: 'frame-bounds',
      seed: 3,
      trials: 9,
      signalLength: 128,
      filterbank: { numFilters: [1, 5, 7], filterLengths: [1, 3, 25, 63, 127], init: { scheme } },
    };
    assertClose(simulatedValues(frameBounds, 'js'), simulatedValues(frameBounds, 'wasm'), 2, `fb ${scheme}`);
    const energy: Body = {
      type: 'energy',
      seed: 4,
      trials: 9,
      filterbank: { numFilters: [1, 3, 9], filterLengths: [1, 7, 25, 33, 99], init: { scheme } },
      signals: [
        { kind: 'white-noise', length: 99 },
        { kind: 'sine', length: 257, frequency: 0.1 },
        { kind: 'brownian', length: 101 },
      ],
    };
    assertClose(simulatedValues(energy, 'js'), simulatedValues(energy, 'wasm'), 3, `energy ${scheme}`);
    // N = 64: Parseval on the wasm route for T ≥ 33.
    const parseval: Body = {
      ...energy,
      filterbank: { numFilters: [1, 3, 9], filterLengths: [7, 25, 33, 63], init: { scheme } },
      signals: [
        { kind: 'impulse', length: 64, position: 5 },
        { kind: 'white-noise', length: 64 },
      ],
    };
    assertClose(simulatedValues(parseval, 'js'), simulatedValues(parseval, 'wasm'), 2, `parseval ${scheme}`);
  }
  // N = 120 is not a power of two: the wasm preference runs the JS kernel, identically.
  const odd: Body = {
    type: 'frame-bounds',
    seed: 8,
    trials: 5,
    signalLength: 120,
    filterbank: { numFilters: 3, filterLengths: [7, 120] },
  };
  assert.deepStrictEqual(simulatedValues(odd, 'wasm'), simulatedValues(odd, 'js'));
});

test('strided frame bounds: wasm equals js to 1e-12 for d ≤ WASM_MAX_STRIDE; larger strides stay on js', () => {
  for (const stride of [2, 4, 8, 16]) {
    assert.ok(stride <= WASM_MAX_STRIDE);
    for (const scheme of ['he-normal', 'pytorch-default']) {
      const body: Body = {
        type: 'frame-bounds',
        seed: 6,
        trials: 7,
        signalLength: 64,
        filterbank: { numFilters: [1, 5, 9], filterLengths: [1, 3, 25, 64], stride, init: { scheme } },
      };
      assertClose(simulatedValues(body, 'js'), simulatedValues(body, 'wasm'), 2, `d = ${stride} ${scheme}`);
    }
  }
  // Above WASM_MAX_STRIDE the wasm preference runs the JS kernel, identically.
  const wide: Body = {
    type: 'frame-bounds',
    seed: 8,
    trials: 5,
    signalLength: 64,
    filterbank: { numFilters: [3, 40], filterLengths: [7, 64], stride: 2 * WASM_MAX_STRIDE },
  };
  assert.deepStrictEqual(simulatedValues(wide, 'wasm'), simulatedValues(wide, 'js'));
});

test('results record the engine version; js and wasm preferences name different engines', () => {
  const body = {
    ...experimentRequestSchema.parse({ ...(frameBoundsPreset!.request as Body), trials: 3 }),
    seed: 1,
  };
  const versions = (['js', 'wasm', 'auto'] as const).map((kernel) => {
    const plan = planExperiment(body, undefined, { kernel });
    const outputs = plan.tasks(1000).map((task) => plan.runTask(task, () => {}));
    return plan.assemble(outputs).engineVersion;
  });
  assert.match(versions[0]!, /^\d+\.\d+\.\d+\+[0-9a-f]{12}\.js$/);
  assert.match(versions[1]!, /^\d+\.\d+\.\d+\+[0-9a-f]{12}\.wasm$/);
  assert.equal(versions[2], versions[1], 'auto runs wasm wherever wasm does');
});
