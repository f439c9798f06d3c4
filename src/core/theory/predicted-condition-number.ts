/**
 * `κ̃(J,T) = (1 + 2√(log T/J))/(1 − 2√(log T/J))` (docs/theory.md §7). Finite only when
 * J > 4·log T; otherwise `Infinity`, which the API reports as null with a note.
 */
export function predictedConditionNumber(numFilters: number, filterLength: number): number {
  const s = Math.sqrt(Math.log(filterLength) / numFilters);
  return 2 * s < 1 ? (1 + 2 * s) / (1 - 2 * s) : Infinity;
}
