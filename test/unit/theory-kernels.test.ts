// docs/theory.md §12.1: the theory's eigenproblems (Householder + QR, the Toeplitz split) run in
// WebAssembly operation for operation as in the JS reference, so the two give the same doubles.
// The brief of this port asked for agreement to 1e-12 relative to the largest |λ|; the tests
// assert bit identity, which implies it and catches any reordering of the arithmetic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circularAutocorrelation } from '../../src/core/fft/circular-autocorrelation.js';
import { symmetricEigenvalues } from '../../src/core/linalg/symmetric-eigenvalues.js';
import { symmetricToeplitzEigenvalues } from '../../src/core/linalg/toeplitz-eigenvalues.js';
import { createStream } from '../../src/core/random/stream-seed.js';
import { fillStandardNormal } from '../../src/core/random/ziggurat-normal.js';
import { autocorrelationToeplitzEigenvalues } from '../../src/core/theory/autocorrelation-toeplitz-eigenvalues.js';
import { theoryKernel } from '../../src/core/wasm/kernel-choice.js';
import {
  WASM_EIGENVALUES_MAX_BYTES,
  wasmSymmetricEigenvalues,
  wasmToeplitzEigenvalueHalves,
} from '../../src/core/wasm/wasm-eigenvalues.js';
import { WasmKernel } from '../../src/core/wasm/wasm-kernel.js';
import type { TheoryOutput } from '../../src/experiments/common/experiment-definition.js';
import { prepareSignal } from '../../src/experiments/common/prepare-signal.js';
import { signalSchema } from '../../src/experiments/common/signal-schema.js';
import { experimentRequestSchema, planExperiment } from '../../src/experiments/experiment-request.js';
import { paperPresets } from '../../src/experiments/paper-presets.js';

/** Same length, and every eigenvalue the same double (also within 1e-12 of the largest |λ|). */
function assertIdentical(wasm: Float64Array, js: Float64Array, what: string): void {
  assert.equal(wasm.length, js.length, what);
  let largest = 0;
  for (const x of js) largest = Math.max(largest, Math.abs(x));
  for (let i = 0; i < js.length; i++) {
    const error = Math.abs(wasm[i]! - js[i]!);
    assert.ok(error <= 1e-12 * largest, `${what}: λ${i} ${wasm[i]} vs ${js[i]}`);
    assert.ok(Object.is(wasm[i], js[i]), `${what}: λ${i} ${wasm[i]} is not bit-identical to ${js[i]}`);
  }
}

function randomSymmetric(size: number, seed: number): Float64Array {
  const entries = new Float64Array(size * size);
  fillStandardNormal(createStream(seed, size), entries);
  const a = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = i; j < size; j++) {
      a[i * size + j] = entries[i * size + j]!;
      a[j * size + i] = entries[i * size + j]!;
    }
  }
  return a;
}

test('dense symmetric eigenvalues: wasm equals JS on random matrices of sizes 1, 2, 3, odd, even and ≥ 512', () => {
  const memory = WasmKernel.get().exports.memory;
  const before = memory.buffer.byteLength;
  for (const size of [1, 2, 3, 4, 5, 8, 17, 64, 127, 200, 512, 521]) {
    const a = randomSymmetric(size, 11);
    const copy = a.slice();
    assertIdentical(
      symmetricEigenvalues(a, size, 'wasm'),
      symmetricEigenvalues(a, size, 'js'),
      `size ${size}`,
    );
    assert.deepEqual(a, copy, 'the input is not modified');
  }
  // The largest matrices made the module's memory grow: the views taken after it were fresh.
  assert.ok(memory.buffer.byteLength >= before + 521 * 521 * 8, 'memory grew');
});

test('dense symmetric eigenvalues: wasm equals JS on rank-deficient and scaled matrices (zero reflectors, 1e±150)', () => {
  // Rank one: after the first reflector every remaining row is zero (β = 0 on both branches).
  const size = 9;
  const u = Float64Array.from({ length: size }, (_, i) => (i % 3) - 1);
  const rankOne = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) rankOne[i * size + j] = u[i]! * u[j]!;
  assertIdentical(
    symmetricEigenvalues(rankOne, size, 'wasm'),
    symmetricEigenvalues(rankOne, size, 'js'),
    'rank 1',
  );
  // Zero first row: the first reflector is skipped, the next ones are not.
  const holed = randomSymmetric(size, 12);
  for (let j = 0; j < size; j++) {
    holed[j] = 0;
    holed[j * size] = 0;
  }
  assertIdentical(
    symmetricEigenvalues(holed, size, 'wasm'),
    symmetricEigenvalues(holed, size, 'js'),
    'zero row',
  );
  for (const scale of [1e150, 1e-150]) {
    const scaled = randomSymmetric(33, 13).map((x) => x * scale);
    assertIdentical(
      symmetricEigenvalues(scaled, 33, 'wasm'),
      symmetricEigenvalues(scaled, 33, 'js'),
      `×${scale}`,
    );
  }
});

test('Toeplitz eigenvalues of the paper signals: wasm equals JS for T = 1, 2, 3, odd, even and ≥ 512', () => {
  const specs = [
    { kind: 'impulse', length: 1024, position: 513 },
    { kind: 'brownian', length: 1024, stepProbability: 0.15, seed: 7 },
    { kind: 'sine', length: 1024, frequency: 0.5, phase: 0 },
    { kind: 'sine', length: 1024, frequency: 0.0373, phase: 0.4 },
    { kind: 'white-noise', length: 1024, seed: 7 },
  ];
  for (const [index, spec] of specs.entries()) {
    const signal = prepareSignal(signalSchema.parse(spec), index, 7);
    const R = signal.autocorrelation;
    for (const T of [1, 2, 3, 8, 9, 64, 101, 256, 512, 513, 1000]) {
      const what = `${spec.kind} #${index}, T = ${T}`;
      assertIdentical(
        symmetricToeplitzEigenvalues(R, T, 'wasm'),
        symmetricToeplitzEigenvalues(R, T, 'js'),
        what,
      );
      assertIdentical(
        autocorrelationToeplitzEigenvalues(R, T, 'wasm'),
        autocorrelationToeplitzEigenvalues(R, T, 'js'),
        what,
      );
    }
  }
  // An autocorrelation of a short odd-length signal, through the circulant route at T = N too.
  const x = new Float64Array(45);
  fillStandardNormal(createStream(5, 45), x);
  const R = circularAutocorrelation(x);
  for (const T of [7, 44, 45]) {
    assertIdentical(
      autocorrelationToeplitzEigenvalues(R, T, 'wasm'),
      autocorrelationToeplitzEigenvalues(R, T, 'js'),
      `N = 45, T = ${T}`,
    );
  }
});

test('above its memory budget the wasm solver declines (the callers then take the JS solver)', () => {
  // Budgets in bytes: dense n² + 7n doubles, Toeplitz 8·T + ⌈T/2⌉² + ⌊T/2⌋² doubles.
  const a = randomSymmetric(10, 14);
  const denseBytes = 8 * (100 + 70);
  assert.equal(wasmSymmetricEigenvalues(a, 10, denseBytes - 8), undefined);
  assertIdentical(
    wasmSymmetricEigenvalues(a, 10, denseBytes)!.sort(),
    symmetricEigenvalues(a, 10, 'js'),
    'at budget',
  );
  const r = Float64Array.from({ length: 11 }, (_, t) => 1 / (1 + t));
  const toeplitzBytes = 8 * (88 + 36 + 25);
  assert.equal(wasmToeplitzEigenvalueHalves(r, 11, toeplitzBytes - 8), undefined);
  assert.ok(wasmToeplitzEigenvalueHalves(r, 11, toeplitzBytes) !== undefined);
  // The default budget admits every T up to 2888, far beyond the paper's 1024.
  assert.ok(8 * (8 * 2888 + 1444 * 1444 * 2) <= WASM_EIGENVALUES_MAX_BYTES);
});

test('theory tasks run in wasm unless FBSTAB_KERNEL=js', () => {
  assert.equal(theoryKernel('js'), 'js');
  assert.equal(theoryKernel('auto'), 'wasm');
  assert.equal(theoryKernel('wasm'), 'wasm');
});

test('the energy preset: its theory tasks give identical results with FBSTAB_KERNEL=js and the default', () => {
  const preset = paperPresets({ trials: 10, seed: 7 }).find((p) => p.name === 'energy')!;
  const request = { ...experimentRequestSchema.parse(preset.request), seed: 7 };
  const theory = (kernel: 'js' | 'auto') => {
    const plan = planExperiment(request, undefined, { kernel });
    return plan
      .tasks(10)
      .filter((task) => task.kind === 'theory')
      .map((task) => (plan.runTask(task, () => {}) as TheoryOutput<unknown>).value);
  };
  const js = theory('js');
  assert.equal(js.length, 3 * 8);
  assert.deepStrictEqual(theory('auto'), js);
});
