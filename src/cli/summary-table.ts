import type { ExperimentResult } from '../experiments/experiment-request.js';

const fmt = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

/** A compact plain-text table of a result, for the terminal. */
export function summaryTable(result: ExperimentResult): string {
  const rows: string[][] = [];
  if (result.cells.length > 0 && 'signal' in result.cells[0]!) {
    rows.push(['signal', 'J', 'T', 'mean', 'std', 'dev↑ emp', 'exact↑', 'chernoff', 'cantelli']);
    for (const c of result.cells as Extract<ExperimentResult, { cells: { signal: string }[] }>['cells']) {
      rows.push([
        c.signal,
        String(c.numFilters),
        String(c.filterLength),
        fmt(c.empirical.mean),
        fmt(c.empirical.std),
        fmt(c.empirical.deviation.upper),
        fmt(c.theory.deviation.exactUpper),
        fmt(c.theory.deviation.chernoff),
        fmt(c.theory.deviation.cantelli),
      ]);
    }
  } else {
    rows.push(['J', 'T', 'd', 'E[A]', 'E[B]', 'mean κ', 'χ² A', 'χ² B', 'κ̃']);
    for (const c of result.cells as Extract<ExperimentResult, { cells: { stride: number }[] }>['cells']) {
      rows.push([
        String(c.numFilters),
        String(c.filterLength),
        String(c.stride),
        fmt(c.empirical.A.mean),
        fmt(c.empirical.B.mean),
        fmt(c.empirical.kappa.mean, 3),
        fmt(c.theory.A.chi2),
        fmt(c.theory.B.chi2),
        fmt(c.theory.kappaTilde, 3),
      ]);
    }
    if ('scalingLaw' in result && result.scalingLaw !== undefined) {
      rows.push([`scaling law: c = ${fmt(result.scalingLaw.c)}, R² = ${fmt(result.scalingLaw.r2)}`]);
    }
  }
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.filter((r) => r.length > 1).map((r) => r[i]!.length)),
  );
  return rows
    .map((r) => (r.length === 1 ? r[0]! : r.map((cell, i) => cell.padStart(widths[i]!)).join('  ')))
    .join('\n');
}
