import { minimumFilterCount } from '../../core/theory/minimum-filter-count.js';
import { predictFrameBounds } from '../../core/theory/predict-frame-bounds.js';
import type { DesignRequest } from './design-schema.js';

/** The largest J the search tries; beyond it J_min is reported as null. */
export const MAX_DESIGN_FILTERS = 2 ** 20;

/** One row of `POST /v1/design`'s answer. */
export interface DesignRow {
  filterLength: number;
  /**
   * J_min(T, κ*): the fewest filters whose predicted mean (or median) κ is at most κ*
   * (docs/theory.md §11); null beyond MAX_DESIGN_FILTERS, with the reason in notes.
   */
  minNumFilters: number | null;
  /** The prediction at J_min: E[κ] (null if unbounded) and the median of κ. */
  predicted: { kappa: number | null; kappaMedian: number } | null;
  /** The paper's rule ⌈c²·log T·((κ*+1)/(κ*−1))²⌉ (docs/theory.md §7), for comparison. */
  asymptotic: { minNumFilters: number | null; c: number };
  notes?: string[];
}

/**
 * `POST /v1/design` (docs/api.md "Analysis and design"): for each T, the fewest filters J whose
 * predicted mean κ (or median, `target`) on the N-point grid is at most κ*, by search on
 * `predictFrameBounds` (docs/theory.md §11; Gaussian taps, stride 1, κ is scale-free), and the
 * paper's asymptotic answer `minimumFilterCount` (docs/theory.md §7). The predicted statistic
 * decreases with J, so the search brackets J_min by doubling from the asymptotic rule with the
 * simulations' c ≈ 1 and then bisects: about 2·log₂ J_min predictions per T.
 */
export function design(request: DesignRequest): DesignRow[] {
  const { targetKappa, target, signalLength: N, c } = request;
  const law = { distribution: 'normal' as const, variance: 1, fourthMoment: 3 };
  return request.filterLengths.map((T) => {
    const notes: string[] = [];
    const rule = minimumFilterCount(T, targetKappa, c);
    const asymptotic = { minNumFilters: Number.isSafeInteger(rule) ? rule : null, c };
    if (asymptotic.minNumFilters === null) {
      notes.push(
        `asymptotic.minNumFilters is null: the rule gives ${rule}, beyond any filterbank (targetKappa is too close to 1)`,
      );
    }
    const cache = new Map<number, { kappa: number; kappaMedian: number }>();
    const predict = (J: number) => {
      let p = cache.get(J);
      if (p === undefined) {
        const full = predictFrameBounds(J, T, N, law);
        p = { kappa: full.kappa, kappaMedian: full.kappaMedian };
        cache.set(J, p);
      }
      return p;
    };
    const meets = (J: number) => {
      const p = predict(J);
      return (target === 'mean' ? p.kappa : p.kappaMedian) <= targetKappa;
    };
    // E[κ] is unbounded for J ≤ 2 (T ≥ 2), so the mean needs J ≥ 3.
    const least = target === 'mean' && T > 1 ? 3 : 1;
    let lo = least - 1; // fails (or is below the least J)
    let hi = Math.min(MAX_DESIGN_FILTERS, Math.max(least, minimumFilterCount(T, targetKappa, 1)));
    if (meets(hi)) {
      // Halve down to a failing J, or to the least.
      while (hi > least) {
        const down = Math.max(least, Math.floor(hi / 2));
        if (!meets(down)) {
          lo = down;
          break;
        }
        hi = down;
        if (down === least) break;
      }
    } else {
      lo = hi;
      while (hi < MAX_DESIGN_FILTERS && !meets(hi)) {
        lo = hi;
        hi = Math.min(MAX_DESIGN_FILTERS, hi * 2);
      }
      if (!meets(hi)) {
        notes.push(
          `minNumFilters is null: even J = ${MAX_DESIGN_FILTERS} leaves the predicted ${target} κ above ${targetKappa}`,
        );
        return { filterLength: T, minNumFilters: null, predicted: null, asymptotic, notes };
      }
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (meets(mid)) hi = mid;
      else lo = mid;
    }
    const p = predict(hi);
    const row: DesignRow = {
      filterLength: T,
      minNumFilters: hi,
      predicted: { kappa: Number.isFinite(p.kappa) ? p.kappa : null, kappaMedian: p.kappaMedian },
      asymptotic,
    };
    if (notes.length > 0) row.notes = notes;
    return row;
  });
}
