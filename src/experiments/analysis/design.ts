import { minimumFilterCount } from '../../core/theory/minimum-filter-count.js';
import type { DesignRequest } from './design-schema.js';

/** One row of `POST /v1/design`'s answer. */
export interface DesignRow {
  filterLength: number;
  /** J_min(T, κ*); null when it is beyond 2^53 (κ* too close to 1), with the reason in notes. */
  minNumFilters: number | null;
  notes?: string[];
}

/**
 * `POST /v1/design` (docs/api.md "Analysis and design"): for each T, the number of filters that
 * keeps the expected condition number at most κ*, by the design rule of docs/theory.md §7,
 * `J_min(T, κ*) = ⌈c²·log T·((κ*+1)/(κ*−1))²⌉` (`minimumFilterCount`).
 */
export function design(request: DesignRequest): DesignRow[] {
  return request.filterLengths.map((T) => {
    const J = minimumFilterCount(T, request.targetKappa, request.c);
    if (Number.isSafeInteger(J)) return { filterLength: T, minNumFilters: J };
    return {
      filterLength: T,
      minNumFilters: null,
      notes: [
        `minNumFilters is null: the rule gives ${J}, beyond any filterbank (targetKappa is too close to 1)`,
      ],
    };
  });
}
