import type { ScalingLawFit } from '../../core/theory/scaling-law-fit.js';

export interface BoundSummary {
  mean: number;
  std: number;
  quantiles: Record<string, number>;
}

export interface KappaSummary {
  mean: number | null;
  median: number | null;
  std: number | null;
  quantiles: Record<string, number | null>;
}

/** Theory of one (J, T) cell (docs/theory.md §7); A and B normalised by J·T·σ²/d (§10.9). */
export interface FrameBoundsTheory {
  A: { chi2: number; asymptotic: number };
  B: { chi2: number; asymptotic: number };
  kappaTilde: number | null;
  /** The χ² model's own κ, B.chi2/A.chi2. */
  kappaChi2: number | null;
  /** docs/theory.md §7 refinement: χ²_J/J at the real bins, χ²_{2J}/(2J) at ⌈T/2⌉−1 interior bins. */
  refined: { A: number; B: number; kappa: number | null };
  /**
   * docs/theory.md §11, `predictFrameBounds`: E[A], E[B], E[κ] (null when unbounded, J ≤ 2),
   * the median and the 5/50/95 % quantiles of κ, for the request's tap law. Null at stride d > 1,
   * which the predictor does not cover (the reason is in `notes`).
   */
  predicted: FrameBoundsPredicted | null;
  notes?: string[];
}

/** The predictor's summary of one cell (docs/theory.md §11). */
export interface FrameBoundsPredicted {
  A: number;
  B: number;
  kappa: number | null;
  kappaMedian: number;
  kappaQuantiles: { '0.05': number; '0.5': number; '0.95': number };
}

/** One cell of the frame-bounds result (docs/api.md "Frame-bounds result"). */
export interface FrameBoundsCell {
  numFilters: number;
  filterLength: number;
  signalLength: number;
  stride: number;
  empirical: {
    trials: number;
    A: BoundSummary;
    B: BoundSummary;
    kappa: KappaSummary;
    kappaOfMeans: number | null;
    notes?: string[];
  };
  theory: FrameBoundsTheory;
}

export interface FrameBoundsResult {
  cells: FrameBoundsCell[];
  /** The engine that computed it (docs/theory.md §12): equal versions give identical results. */
  engineVersion: string;
  scalingLaw?: ScalingLawFit;
}
