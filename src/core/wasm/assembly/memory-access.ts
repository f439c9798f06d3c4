// f64 element access on raw pointers into the module's memory, shared by eigenvalues.ts and
// strided.ts. Imported, not an entry: scripts/build-wasm.mjs compiles kernel.ts only, and the
// compiler pulls this file in through their imports. @inline, so the hot loops compile to the
// same bare load/store as before (docs/theory.md §12).

/** Element i of the f64 array at p. */
@inline
export function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** Stores x as element i of the f64 array at p. */
@inline
export function put(p: usize, i: i32, x: f64): void {
  store<f64>(p + (<usize>i << 3), x);
}
