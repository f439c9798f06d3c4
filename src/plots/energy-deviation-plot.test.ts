import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { energyDeviationSpec, renderEnergyDeviationPlot } from './energy-deviation-plot.js';
import { assertSvg, savePlot, svgTexts, warningCollector } from './svg-test-helpers.js';
import { energyFixture } from './test-fixtures.js';

describe('energy deviation plot', () => {
  it('renders one panel per signal with every bound in the legend', async () => {
    const { warnings, onWarning } = warningCollector();
    const svg = await renderEnergyDeviationPlot(energyFixture(), { tailProbability: 0.05 }, { onWarning });
    savePlot('deviation', svg);
    assertSvg(svg, [
      'filter length T (taps)',
      'relative deviation α at p = 0.05',
      'Cantelli',
      'Chebyshev',
      'Chernoff',
      'exact upper',
      'exact lower',
      'empirical upper',
      'empirical lower',
      'impulse',
      'brownian',
      'sine',
      '8',
      '1024',
    ]);
    assert.deepEqual(warnings, []);
  });

  it('puts tick labels exactly at the powers of two', async () => {
    const svg = await renderEnergyDeviationPlot(energyFixture(), { tailProbability: 0.05 });
    const texts = svgTexts(svg);
    for (const t of ['8', '16', '32', '64', '128', '256', '512', '1024']) assert.ok(texts.includes(t), t);
  });

  it('skips null values and drops legend entries of curves without data', () => {
    const base = energyFixture();
    // Uniform taps: no exact law and no Chernoff bound (docs/theory.md §8).
    const uniform = {
      cells: base.cells.map((cell) => ({
        ...cell,
        theory: {
          ...cell.theory,
          deviation: { ...cell.theory.deviation, chernoff: null, exactUpper: null, exactLower: null },
        },
      })),
    };
    const spec = energyDeviationSpec(uniform, { tailProbability: 0.05 });
    const json = JSON.stringify(spec);
    assert.ok(!json.includes('"exact upper"'));
    assert.ok(!json.includes('"Chernoff"'));
    const rows = (spec as { data: { values: { kind: string; alpha?: unknown }[] } }).data.values;
    assert.ok(rows.filter((r) => r.kind === 'line').every((r) => typeof r.alpha === 'number' && r.alpha > 0));
  });

  it('facets by signal and J when several J are present, and shows the p it was given', async () => {
    const svg = await renderEnergyDeviationPlot(energyFixture([5, 20], ['impulse', 'sine'], 0.01), {
      tailProbability: 0.01,
    });
    savePlot('deviation-several-j', svg);
    assertSvg(svg, [
      'impulse, J = 5',
      'impulse, J = 20',
      'sine, J = 5',
      'sine, J = 20',
      'relative deviation α at p = 0.01',
    ]);
  });
});
