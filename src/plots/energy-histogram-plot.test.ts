import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { energyHistogramSpec, renderEnergyHistogramPlot } from './energy-histogram-plot.js';
import { assertSvg, savePlot, warningCollector } from './svg-test-helpers.js';
import { chi2RatioDensity, energyFixture } from './test-fixtures.js';

function cellOf(signal: string, T: number) {
  const cell = energyFixture().cells.find((c) => c.signal === signal && c.filterLength === T);
  assert.ok(cell);
  return cell;
}

describe('energy histogram plot', () => {
  it('renders the histogram with the exact density and the mean rules', async () => {
    const cell = cellOf('sine', 1024);
    const edges = cell.empirical.histogram.edges;
    // The alternating sine's ratio is χ²_J/J (docs/theory.md §4).
    const density = chi2RatioDensity(cell.numFilters, edges[0] ?? 0, edges[edges.length - 1] ?? 3);
    const { warnings, onWarning } = warningCollector();
    const svg = await renderEnergyHistogramPlot(cell, { density }, { onWarning });
    savePlot('histogram-sine-J10-T1024', svg);
    assertSvg(svg, [
      'energy ratio ‖Φx‖²/‖x‖²',
      'probability density',
      'Monte Carlo histogram',
      'exact density (generalized χ²)',
      'theoretical mean',
      'empirical mean',
      'Energy ratio of sine, J = 10, T = 1024',
    ]);
    assert.deepEqual(warnings, []);
  });

  it('renders without a density curve and without a theoretical mean', async () => {
    const cell = cellOf('impulse', 64);
    const svg = await renderEnergyHistogramPlot({ ...cell, theory: { ...cell.theory, mean: null } });
    savePlot('histogram-impulse-J10-T64', svg);
    assertSvg(svg, ['Monte Carlo histogram', 'empirical mean']);
    assert.ok(!svg.includes('exact density'));
    assert.ok(!svg.includes('theoretical mean'));
  });

  it('scales bars to a density that integrates to one', () => {
    const cell = cellOf('impulse', 8);
    const spec = energyHistogramSpec(cell) as {
      data: { values: { kind: string; lo: number; hi: number; density: number }[] };
    };
    const area = spec.data.values
      .filter((r) => r.kind === 'bar')
      .reduce((acc, r) => acc + r.density * (r.hi - r.lo), 0);
    assert.ok(Math.abs(area - 1) < 1e-12, String(area));
  });
});
