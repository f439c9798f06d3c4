/**
 * `‖Φx‖² = Σ_{|τ|<T} r(τ)·R_x(τ mod N)` (docs/theory.md §6), with r the summed filter
 * autocorrelation (length ≥ T) and R_x the signal's circular autocorrelation (length N ≥ T).
 * O(T) per signal, so one draw serves every signal of a request.
 */
export function energyFromAutocorrelation(r: Float64Array, Rx: Float64Array, filterLength: number): number {
  let s = 0;
  for (let tau = 1; tau < filterLength; tau++) s += r[tau]! * Rx[tau]!;
  return r[0]! * Rx[0]! + 2 * s;
}
