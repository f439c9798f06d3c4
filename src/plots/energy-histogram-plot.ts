/**
 * Histogram of the energy ratio ‖Φx‖²/‖x‖² of one (signal, J, T) cell of an energy experiment
 * (docs/api.md, "Energy result"), optionally against the exact generalized-χ² density of
 * docs/theory.md §4.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { PANEL_WIDTH, formatNumber, isFiniteNumber, plotConfig, type VegaLiteLayer } from './plot-style.js';
import { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
import type { EnergyCell } from './result-types.js';

/** A density sampled on a grid: `density[i]` at `x[i]`, in units of the energy ratio. */
export interface DensityCurve {
  readonly x: readonly number[];
  readonly density: readonly number[];
}

/** Options of the histogram plot. */
export interface EnergyHistogramOptions {
  /** The exact density of the energy ratio, computed by the caller (docs/theory.md §4). */
  readonly density?: DensityCurve;
}

const HISTOGRAM = 'Monte Carlo histogram';
const EXACT = 'exact density (generalized χ²)';
const THEORY_MEAN = 'theoretical mean';
const EMPIRICAL_MEAN = 'empirical mean';

/**
 * Builds the Vega-Lite spec of the histogram plot.
 *
 * The bars are drawn from the result's edges and counts, scaled to a density (count divided by
 * trials times bin width) so that unequal bins read right and the exact density overlays on
 * the same axis. A vertical rule marks the theoretical mean μ (docs/theory.md §3), a dashed one the
 * empirical mean. Non-finite or `null` values are skipped.
 *
 * @param cell - one cell of an energy result.
 * @param options - the optional exact density to overlay.
 */
export function energyHistogramSpec(cell: EnergyCell, options: EnergyHistogramOptions = {}): TopLevelSpec {
  const { edges, counts } = cell.empirical.histogram;
  const bins = Math.min(counts.length, edges.length - 1);
  let total = 0;
  for (let i = 0; i < bins; i++) total += isFiniteNumber(counts[i]) ? (counts[i] ?? 0) : 0;
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < bins; i++) {
    const lo = edges[i];
    const hi = edges[i + 1];
    const count = counts[i];
    if (!isFiniteNumber(lo) || !isFiniteNumber(hi) || !isFiniteNumber(count) || !(hi > lo) || total <= 0)
      continue;
    rows.push({ kind: 'bar', bars: HISTOGRAM, lo, hi, density: count / (total * (hi - lo)) });
  }
  const curve = options.density;
  if (curve) {
    const n = Math.min(curve.x.length, curve.density.length);
    for (let i = 0; i < n; i++) {
      const x = curve.x[i];
      const density = curve.density[i];
      if (isFiniteNumber(x) && isFiniteNumber(density))
        rows.push({ kind: 'curve', series: EXACT, x, density });
    }
  }
  const theoryMean = cell.theory.mean;
  if (isFiniteNumber(theoryMean)) rows.push({ kind: 'rule', series: THEORY_MEAN, x: theoryMean });
  if (isFiniteNumber(cell.empirical.mean))
    rows.push({ kind: 'rule', series: EMPIRICAL_MEAN, x: cell.empirical.mean });

  // Bars take a fill legend (square symbol), curve and rules a stroke legend (line symbols):
  // one merged legend would draw every entry with the first layer's square.
  const lines = [
    { name: EXACT, color: '#f58518', dash: [1, 0] },
    { name: THEORY_MEAN, color: '#222222', dash: [1, 0] },
    { name: EMPIRICAL_MEAN, color: '#4c78a8', dash: [5, 3] },
  ].filter((s) => rows.some((r) => r.series === s.name));
  const legend = { title: null, orient: 'bottom', direction: 'horizontal' } as const;
  const stroke = {
    field: 'series',
    type: 'nominal',
    scale: { domain: lines.map((s) => s.name), range: lines.map((s) => s.color) },
    legend: { ...legend, symbolType: 'stroke' },
  } as const;
  const strokeDash = {
    field: 'series',
    type: 'nominal',
    scale: { domain: lines.map((s) => s.name), range: lines.map((s) => s.dash) },
    legend: { ...legend, symbolType: 'stroke' },
  } as const;
  const has = (kind: string): boolean => rows.some((r) => r.kind === kind);
  const xTitle = 'energy ratio ‖Φx‖²/‖x‖²';
  const mean = isFiniteNumber(theoryMean) ? `, μ = ${formatNumber(theoryMean)}` : '';

  // Empty layers would make vega warn about infinite extents, so only layers with data.
  const layers: VegaLiteLayer[] = [
    {
      transform: [{ filter: "datum.kind === 'bar'" }],
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: xTitle, scale: { zero: false, nice: false } },
        x2: { field: 'hi' },
        y: { field: 'density', type: 'quantitative', title: 'probability density' },
        y2: { datum: 0 },
        fill: {
          // A field of its own: on the shared `series` field vega-lite would merge the legends.
          field: 'bars',
          type: 'nominal',
          scale: { domain: [HISTOGRAM], range: ['#9ecae9'] },
          legend: { ...legend, symbolType: 'square' },
        },
      },
    },
  ];
  if (has('curve')) {
    layers.push({
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'line', strokeWidth: 2.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle },
        y: { field: 'density', type: 'quantitative', title: 'probability density' },
        stroke,
        strokeDash,
      },
    });
  }
  if (has('rule')) {
    layers.push({
      transform: [{ filter: "datum.kind === 'rule'" }],
      mark: { type: 'rule', strokeWidth: 2 },
      encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, stroke, strokeDash },
    });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Energy ratio of ${cell.signal}, J = ${cell.numFilters}, T = ${cell.filterLength}`,
      subtitle: `N = ${cell.signalLength} · ${cell.empirical.trials} trials${mean}`,
    },
    config: plotConfig,
    width: PANEL_WIDTH,
    height: 260,
    data: { values: rows },
    layer: layers,
  };
}

/** Renders {@link energyHistogramSpec} to SVG text. */
export async function renderEnergyHistogramPlot(
  cell: EnergyCell,
  options: EnergyHistogramOptions = {},
  renderOptions?: RenderOptions,
): Promise<string> {
  return renderVegaLiteSvg(energyHistogramSpec(cell, options), renderOptions);
}
