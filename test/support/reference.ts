import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One theory cell of ../shared/reference/paper-signals.json (docs/theory.md §9). */
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

/**
 * The shared reference file, resolved from the repository root: CI clones the repo into a
 * fresh folder with shared/ beside it, so never use an absolute path.
 */
export function loadPaperReference(): PaperReference {
  const url = new URL('../../../shared/reference/paper-signals.json', import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as PaperReference;
}
