/**
 * Heatmap of the mean condition number κ̄ over (J, T), overlaid with iso-κ curves of the
 * fitted scaling law of docs/theory.md §7: κ = (1 + c·s)/(1 − c·s) with s = √(ln T / J), that is
 * J = c²·ln T·((κ+1)/(κ−1))² along a curve of constant κ — the design rule J ∝ ln T. Under each
 * cell's κ̄, in small type, the predicted E[κ] of docs/theory.md §11, when the cell carries it.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  PANEL_WIDTH,
  distinct,
  filterLengthAxis,
  formatNumber,
  isFiniteNumber,
  plotConfig,
  type VegaLiteLayer,
} from './plot-style.js';
import { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
import { estimateTextWidthEm } from './text-metrics.js';
import type { FrameBoundsResult } from './result-types.js';

/** Options of the heatmap. */
export interface KappaHeatmapOptions {
  /** κ levels of the iso-curves; by default up to four round levels within the data's range. */
  readonly kappaLevels?: readonly number[];
}

/**
 * Text and line colour from the `ink` field. An identity scale, not `scale: null`: with a null
 * scale vega-lite treats the field as a number in the line's `defined` test and drops every
 * point, leaving the line empty.
 */
const INK = {
  field: 'ink',
  type: 'nominal',
  scale: { domain: ['white', 'black'], range: ['white', 'black'] },
  legend: null,
} as const;

/** Candidate round κ levels for the iso-curves. */
const LEVEL_CANDIDATES = [1.25, 1.5, 2, 3, 5, 10, 20, 50, 100];

/** J along an iso-κ curve is proportional to ((κ+1)/(κ−1))² (docs/theory.md §7). */
function isoFactor(kappa: number): number {
  return ((kappa + 1) / (kappa - 1)) ** 2;
}

/**
 * Up to four round levels inside `[min, max]`, the nearest one if none fits. High levels crowd
 * together in J (κ = 10 and 20 are only a factor 1.22 apart), so a level is kept only if its
 * curve lies at least a factor 1.5 in J below the previous one, or the labels collide.
 */
function defaultLevels(min: number, max: number): number[] {
  const inside = LEVEL_CANDIDATES.filter((k) => k >= min && k <= max);
  if (inside.length === 0) {
    const mid = Math.sqrt(min * max);
    const nearest = LEVEL_CANDIDATES.reduce((a, b) =>
      Math.abs(Math.log(b / mid)) < Math.abs(Math.log(a / mid)) ? b : a,
    );
    return [nearest];
  }
  const levels: number[] = [];
  for (const k of inside) {
    const last = levels[levels.length - 1];
    if (last === undefined || isoFactor(last) / isoFactor(k) >= 1.5) levels.push(k);
    if (levels.length === 4) break;
  }
  return levels;
}

/**
 * Cell edges on a log axis: geometric midpoints between neighbours, and half a step beyond
 * the ends (half an octave for a single value).
 */
function logEdges(values: readonly number[]): Map<number, [number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = new Map<number, [number, number]>();
  sorted.forEach((v, i) => {
    const prev = sorted[i - 1];
    const next = sorted[i + 1];
    const lo =
      prev !== undefined
        ? Math.sqrt(prev * v)
        : next !== undefined
          ? v / Math.sqrt(next / v)
          : v / Math.SQRT2;
    const hi =
      next !== undefined
        ? Math.sqrt(v * next)
        : prev !== undefined
          ? v * Math.sqrt(v / prev)
          : v * Math.SQRT2;
    edges.set(v, [lo, hi]);
  });
  return edges;
}

/** κ̄ as a cell label: three significant digits at most. */
function kappaLabel(kappa: number): string {
  return kappa < 10 ? kappa.toFixed(2) : kappa < 100 ? kappa.toFixed(1) : kappa.toFixed(0);
}

/**
 * Builds the Vega-Lite spec of the κ̄ heatmap with iso-κ curves.
 *
 * Both axes are logarithmic: T in octaves (log₂), J on a log scale so the curves J ∝ ln T
 * keep their shape across small and large J. The colour is viridis on a log scale,
 * perceptually uniform and colour-blind safe; each cell is labelled with κ̄ in white or black,
 * whichever contrasts. An unbounded κ̄ (`null`) is a grey cell marked ∞. The iso-curves are
 * drawn in the ink that contrasts with their own level's colour (the background along a
 * curve is roughly that colour, if the law fits), and are clipped to the grid.
 *
 * @param result - a frame-bounds result with a `scalingLaw` (docs/api.md, "Frame-bounds result").
 * @param options - the κ levels of the iso-curves.
 * @throws RangeError if the result has no scaling law (fewer than 3 finite κ̄).
 */
export function kappaHeatmapSpec(result: FrameBoundsResult, options: KappaHeatmapOptions = {}): TopLevelSpec {
  const law = result.scalingLaw;
  if (!law || !isFiniteNumber(law.c)) {
    throw new RangeError(
      'kappa heatmap: the result has no scaling law (it needs 3 or more cells with finite mean κ)',
    );
  }
  const cells = result.cells;
  const Ts = distinct(cells.map((c) => c.filterLength)).filter((t) => t > 0);
  const Js = distinct(cells.map((c) => c.numFilters)).filter((j) => j > 0);
  const tEdges = logEdges(Ts);
  const jEdges = logEdges(Js);
  const finite = cells
    .map((c) => c.empirical.kappa.mean)
    .filter((k): k is number => isFiniteNumber(k) && k > 0);
  const kMin = finite.length > 0 ? Math.min(...finite) : 1.5;
  const kMax = finite.length > 0 ? Math.max(...finite) : 3;
  // The colour midpoint on the log scale: darker below (white ink), lighter above (black ink).
  const kMid = Math.sqrt(kMin * kMax);
  const inkFor = (kappa: number): string => (kappa < kMid ? 'white' : 'black');

  const rows: Record<string, string | number>[] = [];
  for (const cell of cells) {
    const [t0, t1] = tEdges.get(cell.filterLength) ?? [NaN, NaN];
    const [j0, j1] = jEdges.get(cell.numFilters) ?? [NaN, NaN];
    if (![t0, t1, j0, j1].every(isFiniteNumber)) continue;
    const kappa = cell.empirical.kappa.mean;
    const base = { t0, t1, j0, j1, T: cell.filterLength, J: cell.numFilters };
    if (isFiniteNumber(kappa) && kappa > 0) {
      rows.push({ kind: 'cell', ...base, kappa, label: kappaLabel(kappa), ink: inkFor(kappa) });
    } else {
      rows.push({ kind: 'unbounded', ...base, label: '∞', ink: 'black' });
    }
    const predicted = cell.theory.predicted?.kappa;
    if (isFiniteNumber(predicted) && predicted > 0) {
      const ink = isFiniteNumber(kappa) && kappa > 0 ? inkFor(kappa) : 'black';
      rows.push({ kind: 'predicted', ...base, label: `pred. ${kappaLabel(predicted)}`, ink });
    }
  }

  const tLo = Math.min(...Ts.map((t) => tEdges.get(t)?.[0] ?? t));
  const tHi = Math.max(...Ts.map((t) => tEdges.get(t)?.[1] ?? t));
  const jLo = Math.min(...Js.map((j) => jEdges.get(j)?.[0] ?? j));
  const jHi = Math.max(...Js.map((j) => jEdges.get(j)?.[1] ?? j));
  const levels = (options.kappaLevels ?? defaultLevels(kMin, kMax)).filter((k) => isFiniteNumber(k) && k > 1);
  const c2 = law.c * law.c;
  const samples = 96;
  for (const level of levels) {
    const factor = isoFactor(level);
    const name = `κ = ${formatNumber(level)}`;
    const ink = inkFor(level);
    const visible: { T: number; J: number }[] = [];
    for (let i = 0; i < samples; i++) {
      const T = tLo * (tHi / tLo) ** (i / (samples - 1));
      if (T <= 1) continue; // ln T ≤ 0: no filters needed, off the grid
      const J = c2 * Math.log(T) * factor;
      rows.push({ kind: 'iso', level: name, T, J, ink });
      if (J >= jLo && J <= jHi) visible.push({ T, J });
    }
    // Label the curve where it leaves the grid, outside it: inside, labels collide with the
    // cells' κ̄. J grows with T, so a curve leaves through the right edge or the top.
    if (visible.length === 0) continue;
    const jAtRight = c2 * Math.log(tHi) * factor;
    if (jAtRight <= jHi) {
      rows.push({ kind: 'isoLabelRight', level: name, T: tHi, J: jAtRight, ink: 'black' });
    } else {
      const tAtTop = Math.exp(jHi / (c2 * factor));
      rows.push({ kind: 'isoLabelTop', level: name, T: tAtTop, J: jHi, ink: 'black' });
    }
  }

  // Labels outside the grid do not count in vega-lite's placement of the legend and title, so
  // make room: the widest right-hand label (bold 12 px), and one line of text above.
  const rightLabels = rows.filter((r) => r.kind === 'isoLabelRight').map((r) => String(r.level));
  const legendOffset =
    rightLabels.length > 0
      ? Math.ceil(Math.max(...rightLabels.map(estimateTextWidthEm)) * 12 * 1.12) + 14
      : 18;
  const titleOffset = rows.some((r) => r.kind === 'isoLabelTop') ? 26 : 10;
  const x = filterLengthAxis([tLo, tHi]);
  const xAxis = { ...x.axis, values: x.axis.values.filter((t) => Ts.includes(t)), grid: false };
  const xScale = { ...x.scale, domain: [tLo, tHi] as [number, number] };
  const yScale = { type: 'log' as const, domain: [jLo, jHi] as [number, number], nice: false };
  const yAxis = {
    values: [...Js].sort((a, b) => a - b),
    format: 'd',
    grid: false,
    title: 'number of filters J',
  };
  const hasUnbounded = rows.some((r) => r.kind === 'unbounded');
  const hasPredicted = rows.some((r) => r.kind === 'predicted');
  const hasIso = rows.some((r) => r.kind === 'iso');
  const r2 = isFiniteNumber(law.r2) ? `, R² = ${law.r2.toFixed(3)}` : '';
  const subtitle = [
    `fitted law κ = (1 + c·s)/(1 − c·s), s = √(ln T / J): c = ${law.c.toFixed(3)}${r2} (paper: c = 2)`,
    `lines: iso-κ curves J = c²·ln T·((κ+1)/(κ−1))²${hasUnbounded ? ' · ∞: κ unbounded' : ''}${hasPredicted ? ' · small: predicted E[κ] (§11)' : ''}`,
  ];
  const cellX = { field: 't0', type: 'quantitative', scale: xScale, axis: xAxis } as const;
  const cellY = { field: 'j0', type: 'quantitative', scale: yScale, axis: yAxis } as const;
  const labelEncoding = {
    x: { field: 'T', type: 'quantitative', scale: xScale },
    y: { field: 'J', type: 'quantitative', scale: yScale },
    text: { field: 'label', type: 'nominal' },
    color: INK,
  } as const;

  // Drawn in this order: cells, iso-curves, then all text on top. Layers without data are
  // left out, since vega warns about the infinite extent of an empty one.
  const layers: VegaLiteLayer[] = [
    {
      transform: [{ filter: "datum.kind === 'cell'" }],
      mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
      encoding: {
        x: cellX,
        x2: { field: 't1' },
        y: cellY,
        y2: { field: 'j1' },
        color: {
          field: 'kappa',
          type: 'quantitative',
          scale: { type: 'log', scheme: 'viridis' },
          legend: { title: 'mean κ', orient: 'right', gradientLength: 160, offset: legendOffset },
        },
      },
    },
  ];
  if (hasUnbounded) {
    layers.push({
      transform: [{ filter: "datum.kind === 'unbounded'" }],
      mark: { type: 'rect', fill: '#d9d9d9', stroke: 'white', strokeWidth: 1 },
      encoding: { x: cellX, x2: { field: 't1' }, y: cellY, y2: { field: 'j1' } },
    });
  }
  if (hasIso) {
    layers.push({
      transform: [{ filter: "datum.kind === 'iso'" }],
      mark: { type: 'line', clip: true, strokeWidth: 2, strokeDash: [6, 3] },
      encoding: {
        x: { field: 'T', type: 'quantitative', scale: xScale },
        y: { field: 'J', type: 'quantitative', scale: yScale },
        detail: { field: 'level', type: 'nominal' },
        color: INK,
      },
    });
  }
  layers.push({
    transform: [{ filter: "datum.kind === 'cell' || datum.kind === 'unbounded'" }],
    // Raised when a prediction goes underneath.
    mark: { type: 'text', fontSize: 12, ...(hasPredicted ? { dy: -5 } : {}) },
    encoding: labelEncoding,
  });
  if (hasPredicted) {
    layers.push({
      transform: [{ filter: "datum.kind === 'predicted'" }],
      mark: { type: 'text', fontSize: 8, dy: 7 },
      encoding: labelEncoding,
    });
  }
  const isoLabel = { type: 'text', fontSize: 12, fontWeight: 'bold' } as const;
  const isoLabelEncoding = { ...labelEncoding, text: { field: 'level', type: 'nominal' } } as const;
  if (rows.some((r) => r.kind === 'isoLabelRight')) {
    layers.push({
      transform: [{ filter: "datum.kind === 'isoLabelRight'" }],
      mark: { ...isoLabel, align: 'left', baseline: 'middle', dx: 4 },
      encoding: isoLabelEncoding,
    });
  }
  if (rows.some((r) => r.kind === 'isoLabelTop')) {
    layers.push({
      transform: [{ filter: "datum.kind === 'isoLabelTop'" }],
      mark: { ...isoLabel, align: 'center', baseline: 'bottom', dy: -3 },
      encoding: isoLabelEncoding,
    });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Mean condition number κ̄ over (J, T)', subtitle, offset: titleOffset },
    config: { ...plotConfig, view: { stroke: null } },
    width: PANEL_WIDTH,
    height: Math.max(160, Math.min(360, 70 * Js.length)),
    data: { values: rows },
    layer: layers,
  };
}

/** Renders {@link kappaHeatmapSpec} to SVG text. */
export async function renderKappaHeatmapPlot(
  result: FrameBoundsResult,
  options: KappaHeatmapOptions = {},
  renderOptions?: RenderOptions,
): Promise<string> {
  return renderVegaLiteSvg(kappaHeatmapSpec(result, options), renderOptions);
}
