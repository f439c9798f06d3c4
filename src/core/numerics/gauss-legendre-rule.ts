/** Nodes on [−1, 1] and weights of an n-point Gauss–Legendre rule. */
export interface GaussLegendreRule {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * The n-point Gauss–Legendre rule, by Newton's method on P_n from Tricomi's initial guesses
 * (Golub–Welsch would need an eigen-solver). Exact for polynomials of degree ≤ 2n − 1; nodes and
 * weights to ~1e-15 for n ≤ 100.
 */
export function gaussLegendreRule(n: number): GaussLegendreRule {
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new RangeError(`gaussLegendreRule: n must be an integer in 1..100, got ${n}`);
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iter = 0; iter < 100; iter++) {
      // P_n(x) and P_n'(x) by the three-term recurrence.
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const step = pn / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * derivative * derivative);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}
