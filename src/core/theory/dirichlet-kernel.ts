/**
 * The Dirichlet kernel of a length-T filter in centred time (docs/theory.md §11.1):
 * D(x) = Σ_t cos(x·t_c) = sin(Tx/2)/sin(x/2), t_c = t − (T−1)/2, with its limit ±T at multiples
 * of 2π (the sign is (−1)^{m(T−1)} at x = 2πm).
 */
export function dirichletKernel(x: number, T: number): number {
  const m = Math.round(x / (2 * Math.PI));
  const y = x - 2 * Math.PI * m;
  const sign = (m * (T - 1)) % 2 === 0 ? 1 : -1;
  if (Math.abs(y) < 1e-9) return sign * T;
  return (sign * Math.sin((T * y) / 2)) / Math.sin(y / 2);
}
