/**
 * Normalised frame bounds A and B vs filter length T: the Monte Carlo means with their spread,
 * against the paper's χ² model and the asymptotics of docs/theory.md §7 (the paper's frame-bound
 * figure, docs/theory.md §9).
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  PANEL_HEIGHT,
  PANEL_WIDTH,
  distinct,
  filterLengthAxis,
  isFiniteNumber,
  plotConfig,
  quantileAt,
} from './plot-style.js';
import { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
import type { BoundStats, FrameBoundsCell, FrameBoundsResult } from './result-types.js';

const BOUNDS = [
  { key: 'A', label: 'A (lower frame bound)', color: '#4c78a8' },
  { key: 'B', label: 'B (upper frame bound)', color: '#f58518' },
] as const;

/** Line styles of the three sources; the colour says which bound. */
const CURVES = [
  { name: 'simulation (mean)', dash: [1, 0] },
  { name: 'χ² model (paper)', dash: [6, 3] },
  { name: 'asymptotic 1 ∓ 2√(ln T / J)', dash: [2, 2] },
] as const;

/** Which spread the band shows: the 5–95 % quantiles when every cell has them, else ±1 std. */
function bandOf(stats: BoundStats, useQuantiles: boolean): [number, number] | undefined {
  if (useQuantiles) {
    const lo = quantileAt(stats.quantiles, 0.05);
    const hi = quantileAt(stats.quantiles, 0.95);
    return lo !== undefined && hi !== undefined ? [lo, hi] : undefined;
  }
  return isFiniteNumber(stats.mean) && isFiniteNumber(stats.std)
    ? [stats.mean - stats.std, stats.mean + stats.std]
    : undefined;
}

/**
 * Builds the Vega-Lite spec of the frame-bounds plot.
 *
 * A and B are normalised by J·T·σ² (docs/api.md), so both theories and all J share the level 1,
 * drawn as a grey rule. One panel per J, each with its own y scale: at small J the asymptotic
 * B runs far above the data. Negative asymptotic values of A are skipped — A ≥ 0 by definition,
 * and 1 − 2√(ln T/J) < 0 only says the approximation broke down (J < 4·ln T, docs/theory.md §7).
 *
 * @param result - a frame-bounds result (docs/api.md, "Frame-bounds result").
 */
export function frameBoundsSpec(result: FrameBoundsResult): TopLevelSpec {
  const cells = result.cells;
  const numFilters = distinct(cells.map((c) => c.numFilters)).sort((a, b) => a - b);
  const useQuantiles = cells.every(
    (c) =>
      quantileAt(c.empirical.A.quantiles, 0.05) !== undefined &&
      quantileAt(c.empirical.A.quantiles, 0.95) !== undefined &&
      quantileAt(c.empirical.B.quantiles, 0.05) !== undefined &&
      quantileAt(c.empirical.B.quantiles, 0.95) !== undefined,
  );
  const panelOf = (cell: FrameBoundsCell): string => `J = ${cell.numFilters} filters`;

  const rows: Record<string, string | number>[] = [];
  const presentCurves = new Set<string>();
  for (const cell of cells) {
    const panel = panelOf(cell);
    const T = cell.filterLength;
    for (const { key, label } of BOUNDS) {
      const stats = cell.empirical[key];
      const theory = cell.theory[key];
      const values: [string, number | null][] = [
        [CURVES[0].name, stats.mean],
        [CURVES[1].name, theory.chi2],
        [CURVES[2].name, theory.asymptotic !== null && theory.asymptotic < 0 ? null : theory.asymptotic],
      ];
      for (const [curve, value] of values) {
        if (!isFiniteNumber(value)) continue;
        presentCurves.add(curve);
        rows.push({ kind: 'line', panel, T, bound: label, curve, value });
      }
      const band = bandOf(stats, useQuantiles);
      if (band) rows.push({ kind: 'band', panel, T, bound: label, lo: band[0], hi: band[1] });
    }
  }
  for (const J of numFilters) rows.push({ kind: 'level', panel: `J = ${J} filters`, level: 1 });

  const curves = CURVES.filter((c) => presentCurves.has(c.name));
  const x = filterLengthAxis(cells.map((c) => c.filterLength));
  const yTitle = 'frame bound / (J·T·σ²)';
  const color = {
    field: 'bound',
    type: 'nominal',
    scale: { domain: BOUNDS.map((b) => b.label), range: BOUNDS.map((b) => b.color) },
    legend: { title: null, orient: 'bottom', direction: 'horizontal', symbolType: 'stroke' },
  } as const;
  const Ns = distinct(cells.map((c) => c.signalLength));
  const strides = distinct(cells.map((c) => c.stride));
  const trials = distinct(cells.map((c) => c.empirical.trials));
  const subtitle = [
    `N = ${Ns.join(', ')}`,
    ...(strides.some((d) => d !== 1) ? [`stride ${strides.join(', ')}`] : []),
    `${trials.join(', ')} trials`,
    useQuantiles ? 'bands: 5–95 % of the trials' : 'bands: mean ± 1 std',
  ].join(' · ');

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Frame bounds of random filterbanks', subtitle },
    config: plotConfig,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', sort: numFilters.map((J) => `J = ${J} filters`), title: null },
    columns: 1,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'level'" }],
          mark: { type: 'rule', color: '#999', strokeWidth: 1 },
          encoding: { y: { field: 'level', type: 'quantitative', title: yTitle } },
        },
        {
          transform: [{ filter: "datum.kind === 'band'" }],
          mark: { type: 'area', opacity: 0.2 },
          encoding: {
            x: { field: 'T', type: 'quantitative', scale: x.scale, axis: x.axis },
            y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: false } },
            y2: { field: 'hi' },
            fill: color,
          },
        },
        {
          transform: [{ filter: "datum.kind === 'line'" }],
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x: { field: 'T', type: 'quantitative', scale: x.scale, axis: x.axis },
            y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
            color,
            strokeDash: {
              field: 'curve',
              type: 'nominal',
              scale: { domain: curves.map((c) => c.name), range: curves.map((c) => [...c.dash]) },
              legend: { title: null, orient: 'bottom', direction: 'horizontal', symbolType: 'stroke' },
            },
          },
        },
        {
          // Dots mark the simulated T values, which the dashed theory lines do not show.
          transform: [{ filter: `datum.kind === 'line' && datum.curve === '${CURVES[0].name}'` }],
          mark: { type: 'point', filled: true, size: 30, opacity: 1 },
          encoding: {
            x: { field: 'T', type: 'quantitative', scale: x.scale, axis: x.axis },
            y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
            // The same legend everywhere: vega-lite merges them, and a `null` would conflict.
            color,
          },
        },
      ],
    },
  };
}

/** Renders {@link frameBoundsSpec} to SVG text. */
export async function renderFrameBoundsPlot(
  result: FrameBoundsResult,
  renderOptions?: RenderOptions,
): Promise<string> {
  return renderVegaLiteSvg(frameBoundsSpec(result), renderOptions);
}
