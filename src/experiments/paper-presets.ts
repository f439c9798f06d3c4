import type { ExperimentRequestInput } from './experiment-request.js';

/** T = 8, 16, …, 1024: the filter lengths of every figure of the paper (docs/theory.md §9). */
export const PAPER_FILTER_LENGTHS = [8, 16, 32, 64, 128, 256, 512, 1024];

export interface PaperPreset {
  name: 'energy' | 'frame-bounds' | 'condition-number';
  title: string;
  request: ExperimentRequestInput;
}

/**
 * The paper's experiments as request bodies (docs/theory.md §9): the energy figure (J = 10,
 * impulse at n = 513, Brownian walk, alternating sine, N = 1024, p = 0.05), the frame-bound
 * figure (J = 40) and the condition-number figure (J ∈ {5, 10, 40}).
 */
export function paperPresets(options: { trials?: number; seed?: number } = {}): PaperPreset[] {
  const trials = options.trials ?? 1000;
  const seed = options.seed ?? 2024;
  return [
    {
      name: 'energy',
      title: 'Energy response of random filterbanks (J = 10, N = 1024)',
      request: {
        type: 'energy',
        seed,
        trials,
        filterbank: { numFilters: 10, filterLengths: PAPER_FILTER_LENGTHS, init: { scheme: 'paper' } },
        signals: [
          { kind: 'impulse', name: 'impulse', length: 1024, position: 513 },
          { kind: 'brownian', name: 'brownian', length: 1024, stepProbability: 0.15, seed },
          { kind: 'sine', name: 'sine', length: 1024, frequency: 0.5, phase: 0 },
        ],
        tailProbability: 0.05,
      },
    },
    {
      name: 'frame-bounds',
      title: 'Frame bounds of random filterbanks (J = 40, N = 1024)',
      request: {
        type: 'frame-bounds',
        seed,
        trials,
        filterbank: {
          numFilters: 40,
          filterLengths: PAPER_FILTER_LENGTHS,
          init: { scheme: 'paper' },
          stride: 1,
        },
        signalLength: 1024,
      },
    },
    {
      name: 'condition-number',
      title: 'Condition number of random filterbanks (J ∈ {5, 10, 40}, N = 1024)',
      request: {
        type: 'frame-bounds',
        seed,
        trials,
        filterbank: {
          numFilters: [5, 10, 40],
          filterLengths: PAPER_FILTER_LENGTHS,
          init: { scheme: 'paper' },
          stride: 1,
        },
        signalLength: 1024,
      },
    },
  ];
}
