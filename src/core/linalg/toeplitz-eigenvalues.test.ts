import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';
import { symmetricToeplitzEigenvalues } from './toeplitz-eigenvalues.js';

// Every test runs on both kernels: the JS reference and its WebAssembly port (docs/theory.md §12.1).
const KERNELS = ['js', 'wasm'] as const;

// Tolerance: the split (docs/theory.md §2) is an exact orthogonal similarity, so both routes are
// backward-stable solves of the same spectrum and differ by O(n·ε·‖Q‖). With entries in
// [−0.5, 0.5] and n ≤ 65, ‖Q‖ ≤ 33 and we observe ≲ 4e-14; 1e-12 absolute is the brief's bar.
const ABS_TOL = 1e-12;

/** Small seeded LCG (Numerical-Recipes constants) → uniform in [−0.5, 0.5). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
}

function explicitToeplitz(column: ArrayLike<number>, size: number): Float64Array {
  const a = new Float64Array(size * size);
  for (let s = 0; s < size; s += 1) {
    for (let t = 0; t < size; t += 1) a[s * size + t] = column[Math.abs(s - t)]!;
  }
  return a;
}

function assertClose(actual: Float64Array, expected: ArrayLike<number>, tolerance: number, label = ''): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i += 1) {
    const error = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      error <= tolerance,
      `${label} eigenvalue ${i}: ${actual[i]} vs ${expected[i]} (error ${error})`,
    );
  }
}

for (const kernel of KERNELS) {
  const solve = (column: ArrayLike<number>, size: number): Float64Array =>
    symmetricToeplitzEigenvalues(column, size, kernel);
  const denseSolve = (matrix: Float64Array, size: number): Float64Array =>
    symmetricEigenvalues(matrix, size, kernel);

  describe(`symmetricToeplitzEigenvalues: invalid input (${kernel})`, () => {
    it('rejects a size that is not a positive integer, naming it', () => {
      for (const size of [0, -2, 2.5, Number.NaN]) {
        assert.throws(
          () => solve([1, 2, 3], size),
          (error: unknown) => {
            assert.ok(error instanceof RangeError);
            assert.match(error.message, new RegExp(`size.*${String(size)}`));
            return true;
          },
        );
      }
    });

    it('rejects a first column shorter than size', () => {
      assert.throws(() => solve([1, 2], 3), /at least size = 3 entries; got 2/);
    });

    it('rejects non-finite entries among the first size, ignores entries beyond', () => {
      assert.throws(() => solve([1, Number.NaN, 0], 3), /NaN at index 1/);
      assert.throws(() => solve([1, 0, Number.NEGATIVE_INFINITY], 3), RangeError);
      assert.deepEqual(Array.from(solve([2, Number.NaN], 1)), [2]);
    });
  });

  describe(`symmetricToeplitzEigenvalues: closed forms (${kernel})`, () => {
    it('size 1 is r(0), size 2 is r(0) ∓ r(1)', () => {
      assert.deepEqual(Array.from(solve([4.5], 1)), [4.5]);
      assertClose(solve([3, 1.25], 2), [1.75, 4.25], 1e-15);
      assertClose(solve(Float64Array.of(3, -1.25), 2), [1.75, 4.25], 1e-15);
    });

    it('impulse autocorrelation (1, 0, 0, …) gives Q_T = I (docs/theory.md §4)', () => {
      for (const size of [3, 8, 9]) {
        const column = new Float64Array(size);
        column[0] = 1;
        assertClose(solve(column, size), new Array<number>(size).fill(1), 1e-15);
      }
    });

    it('alternating column (−1)^t gives Q_T = v·vᵀ: one eigenvalue T, the rest 0 (docs/theory.md §4)', () => {
      for (const size of [2, 7, 8, 64, 65]) {
        const column = Array.from({ length: size }, (_, t) => (t % 2 === 0 ? 1 : -1));
        const expected = new Array<number>(size).fill(0);
        expected[size - 1] = size;
        assertClose(solve(column, size), expected, ABS_TOL);
      }
    });
  });

  describe(`symmetricToeplitzEigenvalues: agrees with the dense solver (${kernel})`, () => {
    it('random first columns, sizes 1, 2, 3, 10, 11, 64, 65 (even and odd splits)', () => {
      for (const size of [1, 2, 3, 10, 11, 64, 65]) {
        const next = lcg(20240 + size);
        const column = Array.from({ length: size }, () => next());
        const split = solve(column, size);
        const dense = denseSolve(explicitToeplitz(column, size), size);
        assertClose(split, dense, ABS_TOL, `size ${size}`);
        for (let i = 1; i < size; i += 1)
          assert.ok(split[i - 1]! <= split[i]!, `size ${size}: not ascending`);
      }
    });

    it('a positive definite autocorrelation-like column (decaying r(τ)) keeps Σλ = T·r(0)', () => {
      const size = 65;
      const column = Array.from({ length: size }, (_, t) => Math.exp(-t / 6) * Math.cos(t / 3));
      const lambda = solve(column, size);
      const dense = denseSolve(explicitToeplitz(column, size), size);
      assertClose(lambda, dense, ABS_TOL);
      const sum = lambda.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(sum - size * column[0]!) <= ABS_TOL * size);
    });
  });

  describe(`symmetricToeplitzEigenvalues of a diagonal matrix (${kernel})`, () => {
    it('returns r(0) repeated when every off-diagonal entry is exactly 0', () => {
      for (const size of [2, 3, 64, 513]) {
        const column = new Float64Array(size + 3);
        column[0] = 2.5;
        column[size + 1] = 7; // beyond size: ignored
        assert.deepStrictEqual(solve(column, size), new Float64Array(size).fill(2.5));
      }
    });

    it('still solves a tiny off-diagonal entry in full', () => {
      const lambda = solve([1, 0, 1e-3], 3);
      const dense = denseSolve(Float64Array.of(1, 0, 1e-3, 0, 1, 0, 1e-3, 0, 1), 3);
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(lambda[i]! - dense[i]!) <= 1e-14);
    });
  });
}
