import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One theory cell of test/fixtures/paper-signals.json (docs/theory.md §9). */
export interface ReferenceCell {
  signal: 'impulse' | 'brownian' | 'sine';
  T: number;
  mean: number;
  variance: number;
  cantelli: number;
  chebyshev: number;
  chernoff: number;
  exactUpper: number;
  exactLower: number;
}

export interface PaperReference {
  signals: Record<'impulse' | 'brownian' | 'sine', number[]>;
  J: number;
  p: number;
  cells: ReferenceCell[];
}

/** A Monte Carlo mean of the frame-bound figure as printed (docs/theory.md §9). */
export interface PrintedFrameBoundMeans {
  T: number;
  A: number;
  B: number;
  kappa: number;
}

/** The printed part of test/fixtures/paper-experiments.json (docs/theory.md §9). */
export interface PaperExperiments {
  printed: {
    energyFigure: {
      N: number;
      J: number;
      p: number;
      filterLengths: number[];
      decimals: number;
      impulse: {
        cantelli: number[];
        chernoff: number[];
        exactUpper: { decimals: number; T: number[]; values: number[] };
      };
      sine: {
        cantelli: number;
        chernoff: number;
        exactUpper: number;
        exactLower: number;
        exactDecimals: number;
      };
    };
    frameBoundsFigure: {
      N: number;
      J: number;
      trials: number;
      monteCarloMeans: PrintedFrameBoundMeans[];
      meanDecimals: { A: number; B: number; kappa: number };
      chi2Model: { T: number; A: number; B: number; decimals: number };
    };
  };
  /** Full-precision values by scipy (docs/theory.md §4, §7). */
  closedForms: {
    frameBoundsChi2Model: { N: number; J: number; cells: { T: number; A: number; B: number }[] };
  };
}

function readFixture(name: string): unknown {
  // Resolved from this file, so it works wherever the repository is cloned.
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8'));
}

/** The paper's signals and their theory cells (made by scripts/reference/paper-signals.py's check). */
export function loadPaperReference(): PaperReference {
  return readFixture('paper-signals.json') as PaperReference;
}

/** The §9 reference values (scripts/reference/paper-experiments.py). */
export function loadPaperExperiments(): PaperExperiments {
  return readFixture('paper-experiments.json') as PaperExperiments;
}
