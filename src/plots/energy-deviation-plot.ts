/**
 * Relative deviation α of the energy response vs filter length T, per signal: the empirical
 * one-sided deviations of the Monte Carlo run against the bounds and the exact values of
 * docs/theory.md §5 (the paper's energy figure, docs/theory.md §9).
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
import type { EnergyCell, EnergyResult } from './result-types.js';
import {
  PANEL_HEIGHT,
  PANEL_WIDTH,
  distinct,
  filterLengthAxis,
  formatNumber,
  isFiniteNumber,
  plotConfig,
} from './plot-style.js';

/** Options of the deviation plot. */
export interface EnergyDeviationOptions {
  /** The level p of the experiment request (docs/api.md `tailProbability`), shown on the y axis. */
  readonly tailProbability: number;
}

/**
 * The curves, in legend order. The dash encodes the tail: solid for the upper deviation, dashed
 * for the lower one (so "exact lower" pairs visibly with "empirical lower"), dotted for the
 * two-sided Chebyshev bound — which also lets the Cantelli line, only √(20/19) lower at
 * p = 0.05, show through it. Colours are tableau10 entries, distinct under the common
 * colour-vision deficiencies; the empirical curves are near-black as the reference.
 */
const SERIES = [
  { name: 'empirical upper', color: '#222222', dash: [1, 0] },
  { name: 'empirical lower', color: '#222222', dash: [5, 3] },
  { name: 'Cantelli', color: '#4c78a8', dash: [1, 0] },
  { name: 'Chebyshev', color: '#b279a2', dash: [2, 2] },
  { name: 'Chernoff', color: '#f58518', dash: [1, 0] },
  { name: 'exact upper', color: '#54a24b', dash: [1, 0] },
  { name: 'exact lower', color: '#54a24b', dash: [5, 3] },
] as const;

/** Log α axis fitted to the data: "nice" would stretch a 0.6–2 range to a full 0.1–10. */
const Y_SCALE = { type: 'log', nice: false, padding: 6 } as const;

type SeriesName = (typeof SERIES)[number]['name'];

/** The α of each curve for one cell; `null`/non-finite values are left out by the caller. */
function seriesValues(cell: EnergyCell): Record<SeriesName, number | null> {
  const d = cell.theory.deviation;
  return {
    'empirical upper': cell.empirical.deviation.upper,
    'empirical lower': cell.empirical.deviation.lower,
    Cantelli: d.cantelli,
    Chebyshev: d.chebyshev,
    Chernoff: d.chernoff,
    'exact upper': d.exactUpper,
    'exact lower': d.exactLower,
  };
}

/**
 * Builds the Vega-Lite spec of the deviation plot.
 *
 * One panel per signal (per signal and J when the request had several J). In each, α is on a
 * log y axis, because the bounds of a white-ish signal fall like T^(−1/2) while those of the
 * alternating sine stay flat (docs/theory.md §4); the panels get their own y scales so the flat
 * curves are not squashed by the decaying ones. The grey band spans the empirical lower to
 * upper deviation. Values that are `null`, not finite or not positive (log axis) are skipped.
 *
 * @param result - an energy result (docs/api.md, "Energy result").
 * @param options - the tail probability p the deviations were computed at.
 */
export function energyDeviationSpec(result: EnergyResult, options: EnergyDeviationOptions): TopLevelSpec {
  const numFilters = distinct(result.cells.map((c) => c.numFilters)).sort((a, b) => a - b);
  const severalJ = numFilters.length > 1;
  const panelOf = (cell: EnergyCell): string =>
    severalJ ? `${cell.signal}, J = ${cell.numFilters}` : cell.signal;
  // Signals keep the order of the request; J ascends within a signal.
  const signals = distinct(result.cells.map((c) => c.signal));
  const panels = distinct(
    [...result.cells]
      .sort((a, b) => signals.indexOf(a.signal) - signals.indexOf(b.signal) || a.numFilters - b.numFilters)
      .map(panelOf),
  );

  const positive = (v: number | null): v is number => isFiniteNumber(v) && v > 0;
  const rows: Record<string, string | number>[] = [];
  const present = new Set<SeriesName>();
  for (const cell of result.cells) {
    const panel = panelOf(cell);
    const T = cell.filterLength;
    const values = seriesValues(cell);
    for (const { name } of SERIES) {
      const alpha = values[name];
      if (!positive(alpha)) continue;
      present.add(name);
      rows.push({ kind: 'line', panel, T, series: name, alpha });
    }
    const { upper, lower } = cell.empirical.deviation;
    if (positive(upper) && positive(lower)) {
      rows.push({ kind: 'band', panel, T, lo: Math.min(lower, upper), hi: Math.max(lower, upper) });
    }
  }
  // Only curves with data get a legend entry: uniform taps have no exact or Chernoff values.
  const shown = SERIES.filter((s) => present.has(s.name));
  const legendScale = { domain: shown.map((s) => s.name) };
  const x = filterLengthAxis(result.cells.map((c) => c.filterLength));
  const p = options.tailProbability;
  const yTitle = `relative deviation α at p = ${formatNumber(p)}`;

  const Ns = distinct(result.cells.map((c) => c.signalLength));
  const trials = distinct(result.cells.map((c) => c.empirical.trials));
  const subtitle = [
    severalJ ? `J = ${numFilters.join(', ')} filters` : `J = ${numFilters[0] ?? '?'} filters`,
    `N = ${Ns.join(', ')}`,
    `${trials.join(', ')} trials`,
    'band: empirical lower to upper deviation',
  ].join(' · ');

  // Colour and dash share one legend only when both legends are configured identically.
  const seriesLegend = {
    title: null,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 4,
    symbolType: 'stroke',
  } as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Energy deviation of random filterbanks', subtitle },
    config: plotConfig,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
    columns: 1,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      encoding: {
        x: { field: 'T', type: 'quantitative', scale: x.scale, axis: x.axis },
      },
      layer: [
        {
          transform: [{ filter: "datum.kind === 'band'" }],
          mark: { type: 'area', color: '#9e9e9e', opacity: 0.25 },
          encoding: {
            y: { field: 'lo', type: 'quantitative', scale: Y_SCALE, title: yTitle },
            y2: { field: 'hi' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'line'" }],
          mark: { type: 'line', strokeWidth: 2, point: { size: 28, filled: true } },
          encoding: {
            y: { field: 'alpha', type: 'quantitative', scale: Y_SCALE, title: yTitle },
            color: {
              field: 'series',
              type: 'nominal',
              scale: { ...legendScale, range: shown.map((s) => s.color) },
              legend: seriesLegend,
            },
            strokeDash: {
              field: 'series',
              type: 'nominal',
              scale: { ...legendScale, range: shown.map((s) => [...s.dash]) },
              legend: seriesLegend,
            },
          },
        },
      ],
    },
  };
}

/** Renders {@link energyDeviationSpec} to SVG text. */
export async function renderEnergyDeviationPlot(
  result: EnergyResult,
  options: EnergyDeviationOptions,
  renderOptions?: RenderOptions,
): Promise<string> {
  return renderVegaLiteSvg(energyDeviationSpec(result, options), renderOptions);
}
