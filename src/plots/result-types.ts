/**
 * Minimal structural types of the experiment results the plots read, as fixed by
 * docs/api.md ("Energy result", "Frame-bounds result"). They are structural on
 * purpose: the plots accept whatever the service or the CLI produces, as long as these fields
 * are there, without importing the zod schemas of the service layer.
 *
 * docs/api.md sends a number that is not finite (an unbounded κ, or a value that does not apply,
 * such as the exact law for uniform taps, docs/theory.md §8) as `null`; such fields are typed
 * `number | null` and the plots skip them.
 *
 * @module
 */

/** A number that may be absent for being infinite, undefined or not applicable. */
export type Nullable = number | null;

/** Histogram of the energy ratio: `counts[i]` samples fell in `[edges[i], edges[i+1])`. */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** One (signal, J, T) cell of an energy experiment (docs/api.md, "Energy result"). */
export interface EnergyCell {
  readonly signal: string;
  readonly numFilters: number;
  readonly filterLength: number;
  readonly signalLength: number;
  /** Statistics of the energy ratio ‖Φx‖²/‖x‖² over the trials. */
  readonly empirical: {
    readonly trials: number;
    readonly mean: number;
    readonly std: number;
    readonly min: number;
    readonly max: number;
    /** Keyed by the probability as a string: "0.05", "0.5", "0.95", and p, 1−p. */
    readonly quantiles: Readonly<Record<string, number>>;
    /** upper = q_{1−p}/μ − 1, lower = 1 − q_p/μ, with μ the theoretical mean. */
    readonly deviation: { readonly upper: number; readonly lower: number };
    readonly histogram: Histogram;
  };
  /** docs/theory.md §3 (moments) and §5 (deviation α at level p). */
  readonly theory: {
    readonly mean: Nullable;
    readonly variance: Nullable;
    readonly deviation: {
      readonly cantelli: Nullable;
      readonly chebyshev: Nullable;
      readonly chernoff: Nullable;
      readonly exactUpper: Nullable;
      readonly exactLower: Nullable;
    };
  };
}

/** The `result` of a succeeded energy experiment. */
export interface EnergyResult {
  readonly cells: readonly EnergyCell[];
}

/** Empirical summary of a normalised frame bound A or B over the trials. */
export interface BoundStats {
  readonly mean: number;
  readonly std: number;
  readonly quantiles: Readonly<Record<string, Nullable>>;
}

/** One (J, T) cell of a frame-bounds experiment (docs/api.md, "Frame-bounds result"). */
export interface FrameBoundsCell {
  readonly numFilters: number;
  readonly filterLength: number;
  readonly signalLength: number;
  readonly stride: number;
  readonly empirical: {
    readonly trials: number;
    /** A and B are normalised by J·T·σ²/d (docs/theory.md §6.4, §10.9). */
    readonly A: BoundStats;
    readonly B: BoundStats;
    /** κ = B/A; `null` statistics mean κ was unbounded (A = 0) in some trial. */
    readonly kappa: {
      readonly mean: Nullable;
      readonly median: Nullable;
      readonly std: Nullable;
      readonly quantiles: Readonly<Record<string, Nullable>>;
    };
    /** mean(B)/mean(A). */
    readonly kappaOfMeans: Nullable;
  };
  /** docs/theory.md §7: the paper's χ² model, the asymptotics, and κ̃; §11: the prediction. */
  readonly theory: {
    readonly A: { readonly chi2: Nullable; readonly asymptotic: Nullable };
    readonly B: { readonly chi2: Nullable; readonly asymptotic: Nullable };
    readonly kappaTilde: Nullable;
    /** Absent in results made before the predictor; null at stride d > 1. */
    readonly predicted?: {
      readonly kappa: Nullable;
      readonly kappaQuantiles: Readonly<Record<string, Nullable>>;
    } | null;
  };
}

/** One point of the scaling-law fit: a = (κ̄−1)/(κ̄+1), s = √(ln T / J) (docs/theory.md §7). */
export interface ScalingLawPoint {
  readonly numFilters: number;
  readonly filterLength: number;
  readonly kappaMean: number;
  readonly a: number;
  readonly s: number;
}

/** Least-squares fit a ≈ c·s through the origin (docs/theory.md §7.4). */
export interface ScalingLaw {
  readonly c: number;
  readonly r2: number;
  readonly points: readonly ScalingLawPoint[];
}

/** The `result` of a succeeded frame-bounds experiment. */
export interface FrameBoundsResult {
  readonly cells: readonly FrameBoundsCell[];
  /** Present when 3 or more cells have a finite κ̄. */
  readonly scalingLaw?: ScalingLaw;
}
