/**
 * Shared look and small numeric helpers of the fbstab plots: one Vega-Lite config (fonts,
 * sizes, white background) so that every SVG reads alike, and the log₂ filter-length axis.
 *
 * @module
 */
import type { Config, TopLevelSpec } from 'vega-lite';

/** One layer of a layered Vega-Lite spec. */
export type VegaLiteLayer = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>[number];

/** Width in pixels of a single plot panel; with axes and legend the SVG is about 640–720 wide. */
export const PANEL_WIDTH = 540;

/** Height in pixels of one facet panel. */
export const PANEL_HEIGHT = 180;

/**
 * Several bottom legends stack as rows instead of running off the right edge. This is vega's
 * legend `layout` config; vega-lite's types leave it out but its compiler passes it through.
 */
const stackedBottomLegends = {
  layout: { bottom: { direction: 'vertical', anchor: 'start', margin: 6 } },
} as unknown as NonNullable<Config['legend']>;

/**
 * Vega-Lite config shared by all plots: readable sizes for a static SVG (no tooltips to fall
 * back on), the colour-blind-friendly default `tableau10` categories, and a white background
 * so the SVG reads on dark dashboards too.
 */
export const plotConfig: Config = {
  background: 'white',
  padding: 8,
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', grid: true, gridColor: '#e6e6e6' },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    symbolStrokeWidth: 2.5,
    symbolSize: 240,
    symbolOpacity: 1,
    labelLimit: 260,
    ...stackedBottomLegends,
  },
  header: { labelFontSize: 13, labelFontWeight: 'bold', titleFontSize: 13 },
  range: { category: { scheme: 'tableau10' } },
  view: { stroke: '#bbb' },
};

/** True for a finite number; `null`, `undefined`, NaN and ±∞ are skipped by every plot. */
export function isFiniteNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The powers of two in `[min, max]`, used as tick values of a log₂ axis. */
export function powersOfTwoBetween(min: number, max: number): number[] {
  const ticks: number[] = [];
  if (!(min > 0) || !(max >= min)) return ticks;
  for (let k = Math.ceil(Math.log2(min) - 1e-9); 2 ** k <= max * (1 + 1e-9); k++) ticks.push(2 ** k);
  return ticks;
}

/**
 * Scale and axis of a filter-length axis: log₂, exactly spanning the data (no "nice" rounding
 * to a decade), ticks at the powers of two, integer labels.
 */
export function filterLengthAxis(lengths: readonly number[]): {
  scale: { type: 'log'; base: number; domain: [number, number]; nice: false };
  axis: { values: number[]; format: string; title: string; labelFlush: boolean };
} {
  const finite = lengths.filter((t) => t > 0 && Number.isFinite(t));
  const min = finite.length > 0 ? Math.min(...finite) : 1;
  const max = finite.length > 0 ? Math.max(...finite) : 2;
  // A single T would give an empty domain; widen it by half an octave on each side.
  const [lo, hi] = min === max ? [min / Math.SQRT2, max * Math.SQRT2] : [min, max];
  return {
    scale: { type: 'log', base: 2, domain: [lo, hi], nice: false },
    axis: {
      values: powersOfTwoBetween(lo, hi),
      format: 'd',
      title: 'filter length T (taps)',
      labelFlush: true,
    },
  };
}

/**
 * The value of a quantile record (docs/api.md: keys are probabilities as strings) at probability
 * `p`, matching keys numerically so "0.05" and "0.050" both count; `undefined` if absent or
 * not finite.
 */
export function quantileAt(
  quantiles: Readonly<Record<string, number | null>>,
  p: number,
): number | undefined {
  for (const [key, value] of Object.entries(quantiles)) {
    if (Math.abs(Number(key) - p) < 1e-9 && isFiniteNumber(value)) return value;
  }
  return undefined;
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Formats a number compactly for titles: at most 4 significant digits, no trailing zeros. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * Tick values for a log axis over `[min, max]` from the 1–2–5 series (with 1.5, 3 and 7 while
 * they fit), so labels are round numbers and vega's overlap removal has no "10" to drop.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const pick = (mantissas: readonly number[]): number[] => {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(6));
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
      }
    }
    return ticks;
  };
  const fine = pick([1, 1.5, 2, 3, 5, 7]);
  return fine.length <= 8 ? fine : pick([1, 2, 5]);
}
