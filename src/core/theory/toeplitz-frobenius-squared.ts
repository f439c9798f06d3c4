/**
 * `‖Q_T‖_F² = Σ_{|τ|<T} (T−|τ|)·R_x(τ)²` in O(T) from the circular autocorrelation
 * (docs/theory.md §2).
 */
export function toeplitzFrobeniusSquared(Rx: ArrayLike<number>, filterLength: number): number {
  const T = filterLength;
  let s = 0;
  for (let tau = 1; tau < T; tau++) s += (T - tau) * Rx[tau]! * Rx[tau]!;
  return T * Rx[0]! * Rx[0]! + 2 * s;
}
