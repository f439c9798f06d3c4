// Gauss–Kronrod 7/15 nodes and weights (Kronrod 1965; values as tabulated in QUADPACK).
// The tables carry more digits than a double holds; rounding them is intended.
/* eslint-disable no-loss-of-precision */
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
  0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
  0.58608723546769113029414483825873, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204,
  0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
  0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [
  0.129484966168869693270611432679082, 0.27970539148927666790146777142378,
  0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
];
/* eslint-enable no-loss-of-precision */

export interface QuadratureOptions {
  /** Absolute error target; default 1e-12. */
  absoluteTolerance?: number;
  /** Relative error target; default 1e-12. */
  relativeTolerance?: number;
  /** Subinterval budget; default 2000. */
  maxIntervals?: number;
}

/**
 * ∫_a^b f(x) dx by globally adaptive Gauss–Kronrod 7/15 quadrature: the interval with the
 * largest error estimate is bisected until the summed estimate meets the tolerance. Used for
 * the expected χ² order statistics of docs/theory.md §7 (§10.13), whose integrands are smooth.
 */
export function integrateAdaptive(
  f: (x: number) => number,
  a: number,
  b: number,
  options: QuadratureOptions = {},
): number {
  const absTol = options.absoluteTolerance ?? 1e-12;
  const relTol = options.relativeTolerance ?? 1e-12;
  const maxIntervals = options.maxIntervals ?? 2000;
  if (!(Number.isFinite(a) && Number.isFinite(b)))
    throw new RangeError(`integration limits must be finite, got [${a}, ${b}]`);
  if (a === b) return 0;
  const intervals: { a: number; b: number; value: number; error: number }[] = [];
  const push = (lo: number, hi: number) => intervals.push({ a: lo, b: hi, ...kronrod15(f, lo, hi) });
  push(a, b);
  for (;;) {
    let total = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < intervals.length; i++) {
      const it = intervals[i]!;
      total += it.value;
      error += it.error;
      if (it.error > intervals[worst]!.error) worst = i;
    }
    if (error <= Math.max(absTol, relTol * Math.abs(total)) || intervals.length >= maxIntervals) return total;
    const w = intervals[worst]!;
    const mid = 0.5 * (w.a + w.b);
    intervals.splice(worst, 1);
    push(w.a, mid);
    push(mid, w.b);
  }
}

function kronrod15(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const center = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const fc = f(center);
  let kronrod = fc * WGK[7]!;
  let gauss = fc * WG[3]!;
  for (let i = 0; i < 7; i++) {
    const dx = half * XGK[i]!;
    const sum = f(center - dx) + f(center + dx);
    kronrod += WGK[i]! * sum;
    // Odd Kronrod nodes (1, 3, 5) are the Gauss nodes.
    if (i % 2 === 1) gauss += WG[(i - 1) / 2]! * sum;
  }
  return { value: kronrod * half, error: Math.abs((kronrod - gauss) * half) };
}
