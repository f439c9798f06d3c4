/** Initialisation schemes of docs/theory.md §8 (docs/api.md `filterbank.init.scheme`). */
export const INIT_SCHEMES = [
  'paper',
  'lecun-normal',
  'he-normal',
  'glorot-normal',
  'pytorch-default',
  'custom',
] as const;
export type InitScheme = (typeof INIT_SCHEMES)[number];

/** The law of one tap: i.i.d., zero mean. */
export interface TapLaw {
  distribution: 'normal' | 'uniform';
  /** σ². */
  variance: number;
  /** m₄ = E[φ⁴]: 3σ⁴ for Gaussian taps, 9σ⁴/5 for uniform ones. */
  fourthMoment: number;
  /** For uniform taps, b in U(−b, b). */
  halfWidth: number;
}

/**
 * The tap law of a Conv1d layer with one input channel, J output channels and kernel T
 * (fan_in = T, fan_out = J·T), for each scheme of docs/theory.md §8.
 */
export function tapLaw(
  scheme: InitScheme,
  numFilters: number,
  filterLength: number,
  variance?: number,
): TapLaw {
  const J = numFilters;
  const T = filterLength;
  switch (scheme) {
    case 'paper':
      return normal(1 / (J * T));
    case 'lecun-normal':
      return normal(1 / T);
    case 'he-normal':
      return normal(2 / T);
    case 'glorot-normal':
      return normal(2 / (T + J * T));
    case 'pytorch-default': {
      const b = 1 / Math.sqrt(T);
      return { distribution: 'uniform', variance: (b * b) / 3, fourthMoment: b ** 4 / 5, halfWidth: b };
    }
    case 'custom':
      if (variance === undefined || !(variance > 0 && Number.isFinite(variance))) {
        throw new RangeError(`the custom scheme needs a positive finite variance, got ${variance}`);
      }
      return normal(variance);
  }
}

function normal(variance: number): TapLaw {
  return { distribution: 'normal', variance, fourthMoment: 3 * variance * variance, halfWidth: Number.NaN };
}
