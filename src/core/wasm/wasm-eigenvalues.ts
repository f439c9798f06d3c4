import { WasmKernel } from './wasm-kernel.js';

/**
 * The most kernel memory one eigenproblem may take (32 MiB: a Toeplitz order up to 2888, a
 * dense order up to 2044). The module's memory never shrinks, so a thread that solved one
 * huge problem would keep its pages for good; above this the callers take the JS solver, which
 * gives the same doubles, so the choice never changes a result (docs/theory.md §12.1).
 */
export const WASM_EIGENVALUES_MAX_BYTES = 32 * 2 ** 20;

/**
 * Eigenvalues, unsorted, of a real symmetric matrix by the WebAssembly port of
 * `src/core/linalg/symmetric-eigenvalues.ts` (docs/theory.md §12.1), which rounds every
 * operation as the JS does, so the values are the JS reference's bit for bit. The caller
 * validates; the matrix is copied into the kernel's memory, which is released before returning.
 *
 * @param matrix - `size × size`, row-major, symmetric (only the upper triangle is read)
 * @param size - an integer ≥ 1
 * @param maxBytes - the memory budget ({@link WASM_EIGENVALUES_MAX_BYTES})
 * @returns the eigenvalues, or undefined when the problem needs more than `maxBytes`
 * @throws RangeError if the QR iteration does not converge (as the JS reference does)
 */
export function wasmSymmetricEigenvalues(
  matrix: Float64Array,
  size: number,
  maxBytes = WASM_EIGENVALUES_MAX_BYTES,
): Float64Array | undefined {
  const n = size;
  // One block: the matrix, then d, the off-diagonal and 5n of work vectors.
  const doubles = n * n + 7 * n;
  if (8 * doubles > maxBytes) return undefined;
  const kernel = WasmKernel.get();
  const e = kernel.exports;
  const block = kernel.reserveF64(doubles);
  try {
    const d = block + 8 * n * n;
    const off = d + 8 * n;
    const work = off + 8 * n;
    kernel.f64(block, n * n).set(matrix);
    if (e.symmetricEigenvaluesInPlace(block, n, d, off, work) !== 0) throw notConverged(n);
    return kernel.f64(d, n).slice();
  } finally {
    e.release(block);
  }
}

/**
 * The two half-size spectra of the even/odd split of a symmetric Toeplitz matrix
 * (`src/core/linalg/toeplitz-eigenvalues.ts`, docs/theory.md §2.5), built and solved in
 * WebAssembly, each unsorted and equal bit for bit to the JS route's. The caller validates.
 *
 * @param r - r(0..size−1), finite
 * @param size - the matrix order, an integer ≥ 2
 * @param maxBytes - the memory budget ({@link WASM_EIGENVALUES_MAX_BYTES})
 * @returns the eigenvalues of the ⌈size/2⌉ "plus" block and of the ⌊size/2⌋ "minus" block, or
 *   undefined when the problem needs more than `maxBytes`
 * @throws RangeError if the QR iteration of a block does not converge
 */
export function wasmToeplitzEigenvalueHalves(
  r: Float64Array,
  size: number,
  maxBytes = WASM_EIGENVALUES_MAX_BYTES,
): { plus: Float64Array; minus: Float64Array } | undefined {
  const m = size >> 1;
  const plusSize = size - m;
  // One block: r, the eigenvalues, both blocks, the off-diagonal and 5·size of work vectors.
  const doubles = 8 * size + plusSize * plusSize + m * m;
  if (8 * doubles > maxBytes) return undefined;
  const kernel = WasmKernel.get();
  const e = kernel.exports;
  const block = kernel.reserveF64(doubles);
  try {
    const out = block + 8 * size;
    const plus = out + 8 * size;
    const minus = plus + 8 * plusSize * plusSize;
    const off = minus + 8 * m * m;
    const work = off + 8 * size;
    kernel.f64(block, size).set(r.subarray(0, size));
    const status = e.toeplitzEigenvaluesInPlace(block, size, out, plus, minus, off, work);
    if (status !== 0) throw notConverged(status === 1 ? plusSize : m);
    const values = kernel.f64(out, size);
    return { plus: values.slice(0, plusSize), minus: values.slice(plusSize) };
  } finally {
    e.release(block);
  }
}

function notConverged(n: number): RangeError {
  return new RangeError(`symmetric QR did not converge after ${50 * n} sweeps (size ${n})`);
}
