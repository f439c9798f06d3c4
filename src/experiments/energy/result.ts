import type { Histogram } from '../../core/stats/histogram.js';

/** Theory of one (signal, J, T) cell (docs/theory.md §3–§5); null where not finite or not applicable. */
export interface EnergyTheory {
  mean: number;
  variance: number;
  deviation: {
    cantelli: number | null;
    chebyshev: number | null;
    chernoff: number | null;
    exactUpper: number | null;
    exactLower: number | null;
  };
  /** ‖Q_T‖_F and λ_max of the signal's Toeplitz matrix (docs/theory.md §2); λ_max null for uniform taps. */
  autocorrelation: { frobeniusNorm: number; lambdaMax: number | null };
  notes?: string[];
}

export interface EnergyEmpirical {
  trials: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: Record<string, number>;
  deviation: { upper: number; lower: number };
  histogram: Histogram;
}

/** One cell of the energy result (docs/api.md "Energy result"); statistics of ‖Φx‖²/‖x‖². */
export interface EnergyCell {
  signal: string;
  numFilters: number;
  filterLength: number;
  signalLength: number;
  empirical: EnergyEmpirical;
  theory: EnergyTheory;
}

export interface EnergyResult {
  cells: EnergyCell[];
  /** The engine that computed it (docs/theory.md §12): equal versions give identical results. */
  engineVersion: string;
}
