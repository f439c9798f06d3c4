/** `‖x‖² = Σ x[n]²` (docs/theory.md §1). */
export function signalEnergy(signal: ArrayLike<number>): number {
  let sum = 0;
  for (let n = 0; n < signal.length; n++) sum += signal[n]! * signal[n]!;
  return sum;
}
