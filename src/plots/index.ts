/**
 * The SVG plots of an experiment result, by name. The dashboard and the endpoint
 * `GET /v1/experiments/{id}/plots/{name}.svg` (docs/api.md, "The experiment resource", `links.plots`)
 * use these names, so they are stable, kebab-case and URL-safe:
 *
 * - energy: `deviation`, and `histogram-<signal>-J<J>-T<T>` for the largest T of each signal;
 * - frame bounds: `frame-bounds`, `condition-number`, and `kappa-heatmap` when the result has
 *   a scaling law.
 *
 * @module
 */
import { renderConditionNumberPlot } from './condition-number-plot.js';
import { renderEnergyDeviationPlot } from './energy-deviation-plot.js';
import { renderEnergyHistogramPlot, type DensityCurve } from './energy-histogram-plot.js';
import { renderFrameBoundsPlot } from './frame-bounds-plot.js';
import { renderKappaHeatmapPlot } from './kappa-heatmap-plot.js';
import { isFiniteNumber } from './plot-style.js';
import type { RenderOptions } from './render-svg.js';
import type { EnergyCell, EnergyResult, FrameBoundsResult } from './result-types.js';

export { conditionNumberSpec, renderConditionNumberPlot } from './condition-number-plot.js';
export { energyDeviationSpec, renderEnergyDeviationPlot } from './energy-deviation-plot.js';
export {
  energyHistogramSpec,
  renderEnergyHistogramPlot,
  type DensityCurve,
} from './energy-histogram-plot.js';
export { frameBoundsSpec, renderFrameBoundsPlot } from './frame-bounds-plot.js';
export { kappaHeatmapSpec, renderKappaHeatmapPlot } from './kappa-heatmap-plot.js';
export { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
export type * from './result-types.js';

/** Options of the energy plots. */
export interface EnergyPlotOptions {
  /** The level p of the request (docs/api.md `tailProbability`), for the deviation plot's axis. */
  readonly tailProbability: number;
  /**
   * The exact density of a cell's energy ratio (docs/theory.md §4) to overlay on its histogram, or
   * `undefined` for none (uniform taps, or when the caller does not compute it).
   */
  readonly density?: (cell: EnergyCell) => DensityCurve | undefined;
  readonly render?: RenderOptions;
}

/** Options of the frame-bounds plots. */
export interface FrameBoundsPlotOptions {
  readonly render?: RenderOptions;
}

/**
 * A URL path segment from a signal name: lower case, accents dropped, every run of other
 * characters turned into one hyphen, at most 40 characters; "signal" if nothing is left.
 */
export function plotSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'signal';
}

/** Histogram cells by plot name: per signal the largest T (and the largest J at that T). */
function histogramCells(result: EnergyResult): Map<string, EnergyCell> {
  const best = new Map<string, EnergyCell>();
  for (const cell of result.cells) {
    const current = best.get(cell.signal);
    if (
      !current ||
      cell.filterLength > current.filterLength ||
      (cell.filterLength === current.filterLength && cell.numFilters > current.numFilters)
    ) {
      best.set(cell.signal, cell);
    }
  }
  // Distinct signals may share a slug ("Snare 1" and "snare-1"): number the later ones.
  const used = new Set<string>();
  const byName = new Map<string, EnergyCell>();
  for (const [signal, cell] of best) {
    const base = plotSlug(signal);
    let slug = base;
    for (let k = 2; used.has(slug); k++) slug = `${base}-${k}`;
    used.add(slug);
    byName.set(`histogram-${slug}-J${cell.numFilters}-T${cell.filterLength}`, cell);
  }
  return byName;
}

/** Whether the deviation plot has anything to draw. */
function hasDeviationData(result: EnergyResult): boolean {
  return result.cells.some((c) => {
    const d = c.theory.deviation;
    return [
      c.empirical.deviation.upper,
      c.empirical.deviation.lower,
      d.cantelli,
      d.chebyshev,
      d.chernoff,
    ].some((v) => isFiniteNumber(v) && v > 0);
  });
}

/** The names of the plots {@link plotsForEnergy} makes for this result, in order. */
export function energyPlotNames(result: EnergyResult): string[] {
  return [...(hasDeviationData(result) ? ['deviation'] : []), ...histogramCells(result).keys()];
}

/** The names of the plots {@link plotsForFrameBounds} makes for this result, in order. */
export function frameBoundsPlotNames(result: FrameBoundsResult): string[] {
  if (result.cells.length === 0) return [];
  const anyKappa = result.cells.some(
    (c) => isFiniteNumber(c.empirical.kappa.mean) || isFiniteNumber(c.theory.kappaTilde),
  );
  return [
    'frame-bounds',
    ...(anyKappa ? ['condition-number'] : []),
    ...(result.scalingLaw && isFiniteNumber(result.scalingLaw.c) ? ['kappa-heatmap'] : []),
  ];
}

/**
 * Renders one energy plot by name, as the plots endpoint needs; `undefined` for a name this
 * result does not have (a 404 for the caller).
 */
export async function renderEnergyPlotByName(
  result: EnergyResult,
  name: string,
  options: EnergyPlotOptions,
): Promise<string | undefined> {
  if (name === 'deviation') {
    return hasDeviationData(result)
      ? renderEnergyDeviationPlot(result, { tailProbability: options.tailProbability }, options.render)
      : undefined;
  }
  const cell = histogramCells(result).get(name);
  if (!cell) return undefined;
  const density = options.density?.(cell);
  return renderEnergyHistogramPlot(cell, density ? { density } : {}, options.render);
}

/** Renders one frame-bounds plot by name; `undefined` for a name this result does not have. */
export async function renderFrameBoundsPlotByName(
  result: FrameBoundsResult,
  name: string,
  options: FrameBoundsPlotOptions = {},
): Promise<string | undefined> {
  if (!frameBoundsPlotNames(result).includes(name)) return undefined;
  switch (name) {
    case 'frame-bounds':
      return renderFrameBoundsPlot(result, options.render);
    case 'condition-number':
      return renderConditionNumberPlot(result, options.render);
    case 'kappa-heatmap':
      return renderKappaHeatmapPlot(result, {}, options.render);
    default:
      return undefined;
  }
}

/**
 * Every plot of an energy result (docs/api.md, "Energy result"), as name → SVG text.
 *
 * @param result - the experiment's `result`.
 * @param options - p of the request; optionally the exact densities for the histograms.
 */
export async function plotsForEnergy(
  result: EnergyResult,
  options: EnergyPlotOptions,
): Promise<Record<string, string>> {
  const plots: Record<string, string> = {};
  // One at a time: rendering is CPU-bound, and a server should not hold every view at once.
  for (const name of energyPlotNames(result)) {
    const svg = await renderEnergyPlotByName(result, name, options);
    if (svg !== undefined) plots[name] = svg;
  }
  return plots;
}

/**
 * Every plot of a frame-bounds result (docs/api.md, "Frame-bounds result"), as name → SVG text.
 *
 * @param result - the experiment's `result`.
 */
export async function plotsForFrameBounds(
  result: FrameBoundsResult,
  options: FrameBoundsPlotOptions = {},
): Promise<Record<string, string>> {
  const plots: Record<string, string> = {};
  for (const name of frameBoundsPlotNames(result)) {
    const svg = await renderFrameBoundsPlotByName(result, name, options);
    if (svg !== undefined) plots[name] = svg;
  }
  return plots;
}
