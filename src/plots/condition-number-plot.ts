/**
 * Mean condition number κ = B/A vs filter length T, one curve per J, against the prediction
 * κ̃ of docs/theory.md §7 (the paper's condition-number figure, docs/theory.md §9) and the
 * predicted E[κ] with its 5–95 % band of docs/theory.md §11.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  PANEL_WIDTH,
  distinct,
  filterLengthAxis,
  isFiniteNumber,
  logTicks,
  plotConfig,
} from './plot-style.js';
import { renderVegaLiteSvg, type RenderOptions } from './render-svg.js';
import type { FrameBoundsResult } from './result-types.js';

const SIMULATION = 'mean κ (simulation)';
const THEORY = 'κ̃ (theory)';
const PREDICTED = 'E[κ] predicted, 5–95 % band';

/**
 * Builds the Vega-Lite spec of the condition-number plot.
 *
 * κ is on a log axis: it ranges from about 1.5 at large J to tens where J approaches 4·ln T.
 * Colour says J (tableau10, in ascending J); the dash says simulation (solid, with dots) or
 * κ̃ (dashed). κ̃ is drawn only where finite, J > 4·ln T; an unbounded mean κ (A = 0 in some
 * trial, docs/api.md sends `null`) leaves a gap, and the subtitle says so. The prediction of
 * docs/theory.md §11 is dotted, over a shaded band from its 5 % to its 95 % quantile of κ (only
 * for cells that carry it: stride 1, results made since the predictor).
 *
 * @param result - a frame-bounds result (docs/api.md, "Frame-bounds result").
 */
export function conditionNumberSpec(result: FrameBoundsResult): TopLevelSpec {
  const cells = result.cells;
  const numFilters = distinct(cells.map((c) => c.numFilters)).sort((a, b) => a - b);
  const labelOf = (J: number): string => `J = ${J}`;
  const rows: Record<string, string | number>[] = [];
  let unbounded = 0;
  let theoryCount = 0;
  let predictedCount = 0;
  for (const cell of cells) {
    const group = labelOf(cell.numFilters);
    const T = cell.filterLength;
    const mean = cell.empirical.kappa.mean;
    if (isFiniteNumber(mean) && mean > 0) rows.push({ group, T, curve: SIMULATION, kappa: mean });
    else unbounded++;
    const tilde = cell.theory.kappaTilde;
    if (isFiniteNumber(tilde) && tilde > 0) {
      rows.push({ group, T, curve: THEORY, kappa: tilde });
      theoryCount++;
    }
    const predicted = cell.theory.predicted;
    if (predicted && isFiniteNumber(predicted.kappa) && predicted.kappa > 0) {
      const lo = predicted.kappaQuantiles['0.05'];
      const hi = predicted.kappaQuantiles['0.95'];
      const band = isFiniteNumber(lo) && isFiniteNumber(hi) ? { lo, hi } : {};
      rows.push({ group, T, curve: PREDICTED, kappa: predicted.kappa, ...band });
      predictedCount++;
    }
  }
  const curves = [
    { name: SIMULATION, dash: [1, 0] },
    ...(theoryCount > 0 ? [{ name: THEORY, dash: [6, 3] }] : []),
    ...(predictedCount > 0 ? [{ name: PREDICTED, dash: [2, 2] }] : []),
  ];
  const kappas = rows.flatMap((r) => [r.kappa, r.lo, r.hi].filter((v) => v !== undefined).map(Number));
  const x = filterLengthAxis(cells.map((c) => c.filterLength));
  const yTitle = 'condition number κ = B/A';
  const Ns = distinct(cells.map((c) => c.signalLength));
  const trials = distinct(cells.map((c) => c.empirical.trials));
  const subtitle = [
    `N = ${Ns.join(', ')}`,
    `${trials.join(', ')} trials`,
    'κ̃ where J > 4·ln T',
    ...(unbounded > 0 ? [`${unbounded} cell${unbounded === 1 ? '' : 's'} with unbounded κ not drawn`] : []),
  ].join(' · ');
  const group = {
    field: 'group',
    type: 'nominal',
    sort: numFilters.map(labelOf),
    scale: { domain: numFilters.map(labelOf), scheme: 'tableau10' },
    legend: { title: 'filters', orient: 'right', symbolType: 'stroke' },
  } as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Condition number of random filterbanks', subtitle },
    config: plotConfig,
    width: PANEL_WIDTH,
    height: 300,
    data: { values: rows },
    encoding: {
      x: { field: 'T', type: 'quantitative', scale: x.scale, axis: x.axis },
      y: {
        field: 'kappa',
        type: 'quantitative',
        title: yTitle,
        // Fitted to the data: "nice" would stretch 1.5–8 to the decades 1–10.
        scale: { type: 'log', nice: false, padding: 8 },
        axis: { values: logTicks(Math.min(...kappas), Math.max(...kappas)) },
      },
      color: group,
    },
    layer: [
      // The predicted band first, under the lines. Only with data (see below).
      ...(predictedCount > 0
        ? [
            {
              transform: [{ filter: `datum.curve === '${PREDICTED}' && isValid(datum.lo)` }],
              mark: { type: 'area' as const, opacity: 0.15 },
              encoding: {
                y: { field: 'lo', type: 'quantitative' as const, title: yTitle },
                y2: { field: 'hi' },
              },
            },
          ]
        : []),
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: 'curve',
            type: 'nominal',
            scale: { domain: curves.map((c) => c.name), range: curves.map((c) => c.dash) },
            legend: { title: null, orient: 'right', symbolType: 'stroke' },
          },
          detail: { field: 'curve', type: 'nominal' },
        },
      },
      {
        transform: [{ filter: `datum.curve === '${SIMULATION}'` }],
        mark: { type: 'point', filled: true, size: 36, opacity: 1 },
      },
      // Open dots: κ̃ is often finite at only the smallest T, a single point no line shows.
      // Only with data: an empty layer makes vega warn about an infinite extent.
      ...(theoryCount > 0
        ? [
            {
              transform: [{ filter: `datum.curve === '${THEORY}'` }],
              mark: { type: 'point' as const, filled: false, size: 36, strokeWidth: 1.5, opacity: 1 },
            },
          ]
        : []),
    ],
  };
}

/** Renders {@link conditionNumberSpec} to SVG text. */
export async function renderConditionNumberPlot(
  result: FrameBoundsResult,
  renderOptions?: RenderOptions,
): Promise<string> {
  return renderVegaLiteSvg(conditionNumberSpec(result), renderOptions);
}
