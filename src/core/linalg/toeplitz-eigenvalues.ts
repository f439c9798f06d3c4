import type { Kernel } from '../wasm/kernel-choice.js';
import { wasmToeplitzEigenvalueHalves } from '../wasm/wasm-eigenvalues.js';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

/**
 * All eigenvalues, ascending, of the `size × size` symmetric Toeplitz matrix with entries
 * `firstColumn[|s − t|]` (the matrix Q_T of docs/theory.md §2 when `firstColumn` is R_x).
 *
 * A symmetric Toeplitz matrix is centrosymmetric, so its spectrum is the union of the spectra
 * of two half-size symmetric blocks (Cantoni & Butler 1976; docs/theory.md §2.5 and
 * §10.10). With m = ⌊size/2⌋, A the top-left m×m block, B the top-right m×m block, E
 * the exchange matrix, c the first m entries of the middle column and q the middle diagonal:
 * - even size: eig(A + B·E) ∪ eig(A − B·E);
 * - odd size: eig([[A + B·E, √2·c], [√2·cᵀ, q]]) ∪ eig(A − B·E).
 * Both blocks have entries r(|s−t|) ± r(size−1−s−t), which is built directly, so the cost is
 * two dense solves of half the size (about 4× cheaper than one full solve). A diagonal matrix
 * (every off-diagonal entry exactly 0) is answered directly.
 *
 * @param firstColumn - r(0), r(1), …; at least `size` finite entries (extra ones are ignored)
 * @param size - matrix order T, an integer ≥ 1
 * @param kernel - `js` (the reference) or `wasm`: both blocks built and solved in WebAssembly,
 *   the same doubles faster (docs/theory.md §12.1)
 * @returns a new Float64Array of the `size` eigenvalues, ascending
 * @throws RangeError if `size` is not a positive integer, `firstColumn` is too short, or one of
 *   its first `size` entries is not finite
 */
export function symmetricToeplitzEigenvalues(
  firstColumn: ArrayLike<number>,
  size: number,
  kernel: Kernel = 'js',
): Float64Array {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer; got ${size}`);
  }
  if (firstColumn.length < size) {
    throw new RangeError(`firstColumn must have at least size = ${size} entries; got ${firstColumn.length}`);
  }
  const r = new Float64Array(size);
  for (let i = 0; i < size; i += 1) {
    const value = firstColumn[i]!;
    if (!Number.isFinite(value)) {
      throw new RangeError(`firstColumn entries must be finite; got ${value} at index ${i}`);
    }
    r[i] = value;
  }
  if (size === 1) return Float64Array.of(r[0]!);
  // Exact shortcut: with every off-diagonal entry exactly 0 the matrix is r(0)·I (the
  // autocorrelation of an impulse), whose spectrum is r(0) repeated.
  let diagonal = true;
  for (let i = 1; i < size && diagonal; i += 1) diagonal = r[i] === 0;
  if (diagonal) return new Float64Array(size).fill(r[0]!);
  // wasm answers undefined above its memory budget; the JS below gives the same doubles.
  const halves = kernel === 'wasm' ? wasmToeplitzEigenvalueHalves(r, size) : undefined;
  if (halves !== undefined) return mergeSorted(halves.plus.sort(), halves.minus.sort());

  const m = size >> 1;
  const odd = size % 2 === 1;
  const plusSize = odd ? m + 1 : m;
  const plus = new Float64Array(plusSize * plusSize);
  const minus = new Float64Array(m * m);
  const last = size - 1;
  for (let s = 0; s < m; s += 1) {
    for (let t = 0; t < m; t += 1) {
      // (A)_{st} = r(|s−t|) and (B·E)_{st} = r(size−1−s−t) for both parities.
      const toeplitz = r[Math.abs(s - t)]!;
      const hankel = r[last - s - t]!;
      plus[s * plusSize + t] = toeplitz + hankel;
      minus[s * m + t] = toeplitz - hankel;
    }
  }
  if (odd) {
    // Border: √2·c with c_s = Q[s, m] = r(m − s), and the middle diagonal q = r(0).
    for (let s = 0; s < m; s += 1) {
      const border = Math.SQRT2 * r[m - s]!;
      plus[s * plusSize + m] = border;
      plus[m * plusSize + s] = border;
    }
    plus[m * plusSize + m] = r[0]!;
  }

  const first = symmetricEigenvalues(plus, plusSize);
  const second = symmetricEigenvalues(minus, m);
  return mergeSorted(first, second);
}

/** Merges two ascending arrays into a new ascending array. */
function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) {
      out[k] = x;
      i += 1;
    } else {
      out[k] = y;
      j += 1;
    }
    k += 1;
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
