import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

// Every test runs on both kernels: the JS reference and its WebAssembly port (docs/theory.md §12.1).
const KERNELS = ['js', 'wasm'] as const;

// Tolerances. Householder + implicit QR is backward stable: each computed eigenvalue is exact
// for a matrix within ~c·n·ε·‖A‖₂ of A (GVL §8.3.6), so errors are measured relative to ‖A‖.
// For n ≤ 200 we observe ≲ 4e-15·‖A‖; 1e-12 leaves room without hiding real bugs (a wrong
// rotation or reflector gives O(1) errors).
const REL_TOL = 1e-12;

/** Small seeded LCG (Numerical-Recipes constants) → uniform in [−0.5, 0.5). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
}

function randomSymmetric(size: number, seed: number): Float64Array {
  const next = lcg(seed);
  const a = new Float64Array(size * size);
  for (let i = 0; i < size; i += 1) {
    for (let j = i; j < size; j += 1) {
      const x = next();
      a[i * size + j] = x;
      a[j * size + i] = x;
    }
  }
  return a;
}

/** Q·diag(λ)·Qᵀ with Q a product of `size` random Householder reflectors (so Q is orthogonal). */
function conjugatedDiagonal(lambda: readonly number[], seed: number): Float64Array {
  const n = lambda.length;
  const next = lcg(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) a[i * n + i] = lambda[i]!;
  const v = new Float64Array(n);
  const av = new Float64Array(n);
  for (let r = 0; r < n; r += 1) {
    let vv = 0;
    for (let i = 0; i < n; i += 1) {
      v[i] = next();
      vv += v[i]! * v[i]!;
    }
    // A ← H A H with H = I − 2vvᵀ/(vᵀv): A − v(Av)ᵀ·c − (Av)vᵀ·c + v vᵀ·(vᵀAv)·c², c = 2/(vᵀv).
    const c = 2 / vv;
    let vav = 0;
    for (let i = 0; i < n; i += 1) {
      let s = 0;
      for (let j = 0; j < n; j += 1) s += a[i * n + j]! * v[j]!;
      av[i] = s;
      vav += v[i]! * s;
    }
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        a[i * n + j] = a[i * n + j]! - c * (v[i]! * av[j]! + av[i]! * v[j]!) + c * c * vav * v[i]! * v[j]!;
      }
    }
    // Re-symmetrise the round-off so the input is exactly symmetric.
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        const mean = 0.5 * (a[i * n + j]! + a[j * n + i]!);
        a[i * n + j] = mean;
        a[j * n + i] = mean;
      }
    }
  }
  return a;
}

function frobeniusSquared(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return s;
}

function assertAscending(values: Float64Array): void {
  for (let i = 1; i < values.length; i += 1) assert.ok(values[i - 1]! <= values[i]!, `not ascending at ${i}`);
}

function assertClose(actual: Float64Array, expected: readonly number[], scale: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i += 1) {
    const error = Math.abs(actual[i]! - expected[i]!);
    assert.ok(error <= REL_TOL * scale, `eigenvalue ${i}: ${actual[i]} vs ${expected[i]} (error ${error})`);
  }
}

for (const kernel of KERNELS) {
  const solve = (matrix: Float64Array, size: number): Float64Array =>
    symmetricEigenvalues(matrix, size, kernel);

  describe(`symmetricEigenvalues: invalid input (${kernel})`, () => {
    it('rejects a size that is not a positive integer, naming it', () => {
      for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(
          () => solve(new Float64Array(1), size),
          (error: unknown) => {
            assert.ok(error instanceof RangeError);
            assert.match(error.message, new RegExp(`size.*${String(size)}`));
            return true;
          },
        );
      }
    });

    it('rejects a matrix of the wrong length', () => {
      assert.throws(() => solve(new Float64Array(5), 2), RangeError);
      assert.throws(() => solve(new Float64Array(9), 2), /size² = 4; got 9/);
    });

    it('rejects NaN and infinite entries', () => {
      assert.throws(() => solve(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2), /NaN at index 1/);
      assert.throws(() => solve(Float64Array.of(Number.POSITIVE_INFINITY), 1), RangeError);
    });
  });

  describe(`symmetricEigenvalues: small and special cases (${kernel})`, () => {
    it('size 1 returns the single entry', () => {
      assert.deepEqual(Array.from(solve(Float64Array.of(-3.25), 1)), [-3.25]);
    });

    it('2×2 matches the closed form (a+c)/2 ± √(((a−c)/2)² + b²)', () => {
      const [a, b, c] = [2, 1.5, -1];
      const root = Math.hypot((a - c) / 2, b);
      assertClose(solve(Float64Array.of(a, b, b, c), 2), [(a + c) / 2 - root, (a + c) / 2 + root], 4);
    });

    it('does not modify the input and returns a new array', () => {
      const a = randomSymmetric(6, 1);
      const copy = a.slice();
      const result = solve(a, 6);
      assert.deepEqual(a, copy);
      assert.notEqual(result.buffer, a.buffer);
    });

    it('zero, identity and unsorted diagonal matrices', () => {
      assert.deepEqual(Array.from(solve(new Float64Array(16), 4)), [0, 0, 0, 0]);
      const identity = new Float64Array(25);
      for (let i = 0; i < 5; i += 1) identity[i * 5 + i] = 1;
      assert.deepEqual(Array.from(solve(identity, 5)), [1, 1, 1, 1, 1]);
      const diagonal = [3, -1, 7, 0, 2.5, -4];
      const d = new Float64Array(36);
      diagonal.forEach((x, i) => (d[i * 6 + i] = x));
      assert.deepEqual(
        Array.from(solve(d, 6)),
        [...diagonal].sort((x, y) => x - y),
      );
    });

    it('is scale invariant far from 1 (no overflow or underflow in the reflectors)', () => {
      const base = randomSymmetric(7, 3);
      const reference = solve(base, 7);
      for (const scale of [1e150, 1e-150]) {
        const scaled = solve(
          base.map((x) => x * scale),
          7,
        );
        assertClose(
          scaled.map((x) => x / scale),
          Array.from(reference),
          Math.sqrt(frobeniusSquared(base)),
        );
      }
    });
  });

  describe(`symmetricEigenvalues: known spectra (${kernel})`, () => {
    it('tridiagonal [−1, 2, −1]: 2 − 2cos(kπ/(n+1))', () => {
      for (const n of [1, 2, 3, 4, 5, 6, 7, 64, 65, 200]) {
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i += 1) {
          a[i * n + i] = 2;
          if (i + 1 < n) {
            a[i * n + i + 1] = -1;
            a[(i + 1) * n + i] = -1;
          }
        }
        const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
        assertClose(solve(a, n), expected, 4);
      }
    });

    it('random orthogonal conjugation Q·diag(λ)·Qᵀ recovers λ (with repeated and close values)', () => {
      for (const n of [2, 3, 4, 5, 6, 7, 64, 65]) {
        const next = lcg(100 + n);
        const lambda = Array.from({ length: n }, () => 10 * next());
        if (n >= 4) {
          lambda[1] = lambda[0]!; // exact double eigenvalue
          lambda[3] = lambda[2]! + 1e-9; // close pair
        }
        const a = conjugatedDiagonal(lambda, 7 * n);
        const expected = [...lambda].sort((x, y) => x - y);
        assertClose(solve(a, n), expected, Math.max(...lambda.map(Math.abs)));
      }
    });

    it('sum = trace and sum of squares = ‖A‖_F², random matrices of sizes 1..7, 64, 65, 200', () => {
      for (const n of [1, 2, 3, 4, 5, 6, 7, 64, 65, 200]) {
        const a = randomSymmetric(n, 1000 + n);
        const lambda = solve(a, n);
        assert.equal(lambda.length, n);
        assertAscending(lambda);
        let trace = 0;
        for (let i = 0; i < n; i += 1) trace += a[i * n + i]!;
        let sum = 0;
        let sumAbs = 0;
        let sumSquares = 0;
        for (const x of lambda) {
          sum += x;
          sumAbs += Math.abs(x);
          sumSquares += x * x;
        }
        // The trace of a random matrix can nearly cancel, so compare against Σ|λ|.
        assert.ok(Math.abs(sum - trace) <= REL_TOL * sumAbs, `n=${n}: Σλ=${sum} vs trace ${trace}`);
        const frobenius = frobeniusSquared(a);
        assert.ok(
          Math.abs(sumSquares - frobenius) <= REL_TOL * frobenius,
          `n=${n}: Σλ²=${sumSquares} vs ${frobenius}`,
        );
      }
    });
  });
}
