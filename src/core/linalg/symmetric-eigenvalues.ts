/**
 * Eigenvalues (only) of a dense real symmetric matrix.
 *
 * Method (Golub & Van Loan, "Matrix Computations", 4th ed., §8.3): Householder reduction to
 * tridiagonal form, then the implicit symmetric QR iteration with Wilkinson shifts. No
 * eigenvectors are accumulated, so the cost is about (4/3)·n³ flops for the reduction and
 * O(n²) for the iteration. docs/theory.md §2 needs the full spectrum of Q_T for the exact law (§4).
 *
 * Performance notes: only the upper triangle of a row-major copy is touched, so every inner
 * loop walks one row contiguously. The rank-2 update of step k is fused with the symmetric
 * matrix-vector product of step k+1 (the next Householder vector only depends on the first
 * updated row), which halves the passes over the matrix.
 */

import type { Kernel } from '../wasm/kernel-choice.js';
import { wasmSymmetricEigenvalues } from '../wasm/wasm-eigenvalues.js';

/** Machine epsilon for the deflation test. */
const EPSILON = Number.EPSILON;
/** Below this |e_i| is treated as zero even next to zero diagonal entries (avoids underflow loops). */
const TINY = 1e-300;

/**
 * All eigenvalues of a real symmetric matrix, in ascending order (docs/theory.md §2).
 *
 * @param matrix - full `size × size` matrix, row-major. Only the upper triangle is read (the
 *   matrix is assumed symmetric); the caller's array is not modified.
 * @param size - number of rows (= columns), an integer ≥ 1
 * @param kernel - `js` (this file, the reference) or `wasm` (its WebAssembly port, which gives
 *   the same doubles faster; docs/theory.md §12.1)
 * @returns a new Float64Array of the `size` eigenvalues, ascending
 * @throws RangeError if `size` is not a positive integer, if `matrix.length !== size²`, or if an
 *   entry is not finite
 */
export function symmetricEigenvalues(
  matrix: Float64Array,
  size: number,
  kernel: Kernel = 'js',
): Float64Array {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer; got ${size}`);
  }
  if (matrix.length !== size * size) {
    throw new RangeError(
      `matrix.length must equal size² = ${size * size}; got ${matrix.length} (size ${size})`,
    );
  }
  for (let i = 0; i < matrix.length; i += 1) {
    if (!Number.isFinite(matrix[i]!)) {
      throw new RangeError(`matrix entries must be finite; got ${matrix[i]} at index ${i}`);
    }
  }
  const n = size;
  if (n === 1) return Float64Array.of(matrix[0]!);
  // wasm answers undefined above its memory budget; the JS below gives the same doubles.
  const fromWasm = kernel === 'wasm' ? wasmSymmetricEigenvalues(matrix, n) : undefined;
  if (fromWasm !== undefined) return fromWasm.sort();

  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n - 1);
  tridiagonalize(matrix.slice(), n, diagonal, offDiagonal);
  tridiagonalQr(diagonal, offDiagonal);
  return diagonal.sort();
}

/**
 * Builds the Householder vector that maps row `k` (entries k+1..n-1) of `a` onto a multiple of
 * the first unit vector (GVL §5.1.2, with v not normalised). Writes the vector into `v` and
 * returns β = 2/(vᵀv) (0 when the row is already zero). The new off-diagonal entry is stored
 * in `offDiagonal[k]`.
 */
function householder(
  a: Float64Array,
  n: number,
  k: number,
  v: Float64Array,
  offDiagonal: Float64Array,
): number {
  const row = k * n;
  let scale = 0;
  for (let j = k + 1; j < n; j += 1) {
    const x = a[row + j]!;
    v[j] = x;
    const ax = Math.abs(x);
    if (ax > scale) scale = ax;
  }
  if (scale === 0) {
    offDiagonal[k] = 0;
    return 0;
  }
  // Scaled sum of squares: no overflow or underflow whatever the magnitude of the entries.
  let sum = 0;
  for (let j = k + 1; j < n; j += 1) {
    const x = v[j]! / scale;
    sum += x * x;
  }
  const alpha = scale * Math.sqrt(sum);
  const x0 = v[k + 1]!;
  const sign = x0 >= 0 ? 1 : -1;
  // v0 = x0 + sign·α has no cancellation; vᵀv = 2α(α + |x0|).
  v[k + 1] = x0 + sign * alpha;
  offDiagonal[k] = -sign * alpha;
  return 1 / (alpha * (alpha + Math.abs(x0)));
}

/**
 * Householder tridiagonalisation (GVL Algorithm 8.3.1) of the symmetric matrix held in the
 * upper triangle of `a` (row-major, overwritten). Fills `diagonal` and `offDiagonal`.
 */
function tridiagonalize(a: Float64Array, n: number, diagonal: Float64Array, offDiagonal: Float64Array): void {
  let v = new Float64Array(n);
  let p = new Float64Array(n);
  let vNext = new Float64Array(n);
  let pNext = new Float64Array(n);
  const w = new Float64Array(n);

  if (n >= 3) {
    // First reflector and its plain symmetric matvec p = A₂₂·v over rows 1..n-1.
    const beta0 = householder(a, n, 0, v, offDiagonal);
    if (beta0 !== 0) {
      for (let i = 1; i < n; i += 1) {
        const row = i * n;
        const vi = v[i]!;
        let s = a[row + i]! * vi;
        for (let j = i + 1; j < n; j += 1) {
          const aij = a[row + j]!;
          s += aij * v[j]!;
          p[j] = p[j]! + aij * vi;
        }
        p[i] = p[i]! + s;
      }
    }
    let beta = beta0;

    for (let k = 0; k <= n - 3; k += 1) {
      diagonal[k] = a[k * n + k]!;
      const k1 = k + 1;
      const hasNext = k1 <= n - 3;
      if (beta !== 0) {
        // w = βp − (β²/2)(pᵀv)v, so that A ← A − v wᵀ − w vᵀ (GVL (8.3.2)).
        let pv = 0;
        for (let j = k1; j < n; j += 1) {
          const pj = beta * p[j]!;
          p[j] = pj;
          pv += pj * v[j]!;
        }
        const half = 0.5 * beta * pv;
        for (let j = k1; j < n; j += 1) w[j] = p[j]! - half * v[j]!;

        // Row k+1 first: it holds the vector that the next reflector annihilates.
        {
          const row = k1 * n;
          const vi = v[k1]!;
          const wi = w[k1]!;
          for (let j = k1; j < n; j += 1) a[row + j] = a[row + j]! - vi * w[j]! - wi * v[j]!;
        }
      }
      if (!hasNext) {
        // Last reflector: plain update of the remaining rows (only row n-1 here).
        if (beta !== 0) {
          for (let i = k1 + 1; i < n; i += 1) {
            const row = i * n;
            const vi = v[i]!;
            const wi = w[i]!;
            for (let j = i; j < n; j += 1) a[row + j] = a[row + j]! - vi * w[j]! - wi * v[j]!;
          }
        }
        break;
      }

      const betaNext = householder(a, n, k1, vNext, offDiagonal);
      pNext.fill(0, k1 + 1, n);
      const k2 = k1 + 1;
      if (beta !== 0 && betaNext !== 0) {
        // Fused: update row i, then use the fresh row for the next matvec.
        for (let i = k2; i < n; i += 1) updateRowAndMultiply(a, n, i, v, w, vNext, pNext);
      } else if (beta !== 0) {
        for (let i = k2; i < n; i += 1) {
          const row = i * n;
          const vi = v[i]!;
          const wi = w[i]!;
          for (let j = i; j < n; j += 1) a[row + j] = a[row + j]! - vi * w[j]! - wi * v[j]!;
        }
      } else if (betaNext !== 0) {
        for (let i = k2; i < n; i += 1) {
          const row = i * n;
          const ui = vNext[i]!;
          let s = a[row + i]! * ui;
          for (let j = i + 1; j < n; j += 1) {
            const aij = a[row + j]!;
            s += aij * vNext[j]!;
            pNext[j] = pNext[j]! + aij * ui;
          }
          pNext[i] = pNext[i]! + s;
        }
      }
      [v, vNext] = [vNext, v];
      [p, pNext] = [pNext, p];
      beta = betaNext;
    }
  }
  diagonal[n - 2] = a[(n - 2) * n + (n - 2)]!;
  offDiagonal[n - 2] = a[(n - 2) * n + (n - 1)]!;
  diagonal[n - 1] = a[(n - 1) * n + (n - 1)]!;
}

/**
 * One row of the fused step: row i (columns i..n-1) gets the rank-2 update A −= v wᵀ + w vᵀ,
 * and the updated row at once adds its share of the next symmetric matvec pNext = A·vNext.
 * A separate small function so that V8 optimises it after a few calls instead of waiting for
 * on-stack replacement of the big loop.
 */
function updateRowAndMultiply(
  a: Float64Array,
  n: number,
  i: number,
  v: Float64Array,
  w: Float64Array,
  vNext: Float64Array,
  pNext: Float64Array,
): void {
  const row = i * n;
  const vi = v[i]!;
  const wi = w[i]!;
  const ui = vNext[i]!;
  const aii = a[row + i]! - 2 * vi * wi;
  a[row + i] = aii;
  let s0 = aii * ui;
  let s1 = 0;
  let j = i + 1;
  // Two independent accumulators: shorter dependency chains for the dot product.
  for (; j + 1 < n; j += 2) {
    const a0 = a[row + j]! - vi * w[j]! - wi * v[j]!;
    const a1 = a[row + j + 1]! - vi * w[j + 1]! - wi * v[j + 1]!;
    a[row + j] = a0;
    a[row + j + 1] = a1;
    s0 += a0 * vNext[j]!;
    s1 += a1 * vNext[j + 1]!;
    pNext[j] = pNext[j]! + a0 * ui;
    pNext[j + 1] = pNext[j + 1]! + a1 * ui;
  }
  if (j < n) {
    const a0 = a[row + j]! - vi * w[j]! - wi * v[j]!;
    a[row + j] = a0;
    s0 += a0 * vNext[j]!;
    pNext[j] = pNext[j]! + a0 * ui;
  }
  pNext[i] = pNext[i]! + s0 + s1;
}

/** True when the off-diagonal entry between d_i and d_{i+1} can be set to zero (GVL §8.3.5). */
function negligible(e: number, di: number, dNext: number): boolean {
  const ae = Math.abs(e);
  return ae <= EPSILON * (Math.abs(di) + Math.abs(dNext)) || ae < TINY;
}

/**
 * Implicit symmetric QR with Wilkinson shifts (GVL Algorithms 8.3.2 and 8.3.3) on the
 * tridiagonal matrix (d, e); on return `d` holds the eigenvalues, unsorted. `e` is destroyed.
 */
function tridiagonalQr(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  const maxSweeps = 50 * n;
  let sweeps = 0;
  let high = n - 1;
  while (high > 0) {
    if (negligible(e[high - 1]!, d[high - 1]!, d[high]!)) {
      e[high - 1] = 0;
      high -= 1;
      continue;
    }
    // Find the top of the unreduced block that ends at `high`.
    let low = high - 1;
    while (low > 0 && !negligible(e[low - 1]!, d[low - 1]!, d[low]!)) low -= 1;
    if (low > 0) e[low - 1] = 0;

    sweeps += 1;
    if (sweeps > maxSweeps) {
      throw new RangeError(`symmetric QR did not converge after ${maxSweeps} sweeps (size ${n})`);
    }

    // Wilkinson shift: the eigenvalue of the trailing 2×2 block closer to d[high].
    const eLast = e[high - 1]!;
    const delta = 0.5 * (d[high - 1]! - d[high]!);
    const root = Math.hypot(delta, eLast);
    const shift = d[high]! - (eLast * eLast) / (delta + (delta >= 0 ? root : -root));

    // Chase the bulge from `low` to `high` with Givens rotations G = [[c, s], [−s, c]].
    let x = d[low]! - shift;
    let z = e[low]!;
    for (let k = low; k < high; k += 1) {
      // Rotation with c·x + s·z = r, −s·x + c·z = 0.
      let c: number;
      let s: number;
      let r: number;
      if (z === 0) {
        c = 1;
        s = 0;
        r = x;
      } else if (Math.abs(z) > Math.abs(x)) {
        const t = x / z;
        const u = Math.sqrt(1 + t * t);
        r = z * u;
        s = 1 / u;
        c = s * t;
      } else {
        const t = z / x;
        const u = Math.sqrt(1 + t * t);
        r = x * u;
        c = 1 / u;
        s = c * t;
      }
      if (k > low) e[k - 1] = r; // the rotated (k-1, k) entry absorbs the bulge
      const a = d[k]!;
      const b = e[k]!;
      const f = d[k + 1]!;
      const cc = c * c;
      const ss = s * s;
      const cs2b = 2 * c * s * b;
      d[k] = cc * a + cs2b + ss * f;
      d[k + 1] = ss * a - cs2b + cc * f;
      const bNew = c * s * (f - a) + (cc - ss) * b;
      e[k] = bNew;
      if (k + 1 < high) {
        const eNext = e[k + 1]!;
        x = bNew;
        z = s * eNext; // new bulge at (k, k+2)
        e[k + 1] = c * eNext;
      }
    }
  }
}
