/**
 * The paper's asymptotic frame bounds `A ≈ 1 − 2√(log T/J)`, `B ≈ 1 + 2√(log T/J)`
 * (docs/theory.md §7, natural log), normalised so that E[LP] = 1.
 */
export function frameBoundAsymptotics(numFilters: number, filterLength: number): { A: number; B: number } {
  const s = Math.sqrt(Math.log(filterLength) / numFilters);
  return { A: 1 - 2 * s, B: 1 + 2 * s };
}
