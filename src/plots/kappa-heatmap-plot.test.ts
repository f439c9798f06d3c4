import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kappaHeatmapSpec, renderKappaHeatmapPlot } from './kappa-heatmap-plot.js';
import { assertSvg, savePlot, warningCollector } from './svg-test-helpers.js';
import { frameBoundsFixture } from './test-fixtures.js';

type Rows = { data: { values: Record<string, unknown>[] } };

describe('kappa heatmap plot', () => {
  it('renders κ̄ over (J, T) with labelled iso-κ curves', async () => {
    const { warnings, onWarning } = warningCollector();
    const svg = await renderKappaHeatmapPlot(frameBoundsFixture(), { kappaLevels: [2, 3, 5] }, { onWarning });
    savePlot('kappa-heatmap', svg);
    assertSvg(svg, [
      'filter length T (taps)',
      'number of filters J',
      'mean κ',
      'κ = 2',
      'κ = 3',
      'κ = 5',
      '∞',
      'pred. 1.72',
      '8',
      '1024',
      '40',
    ]);
    assert.match(svg, /small: predicted E\[κ\] \(§11\)/);
    assert.deepEqual(warnings, []);
  });

  it('puts the iso-curves on the fitted law: κ(J, T) = level along each curve', () => {
    const result = frameBoundsFixture();
    const c = result.scalingLaw?.c ?? NaN;
    const rows = (kappaHeatmapSpec(result, { kappaLevels: [1.5, 2, 3] }) as Rows).data.values.filter(
      (r) => r.kind === 'iso',
    );
    assert.ok(rows.length > 0);
    for (const r of rows) {
      const s = Math.sqrt(Math.log(r.T as number) / (r.J as number));
      const kappa = (1 + c * s) / (1 - c * s);
      const level = Number(String(r.level).replace('κ = ', ''));
      assert.ok(Math.abs(kappa - level) < 1e-9 * level, `${kappa} vs ${level}`);
    }
  });

  it('picks default levels inside the data range', async () => {
    const { warnings, onWarning } = warningCollector();
    const svg = await renderKappaHeatmapPlot(frameBoundsFixture([10, 20, 40, 80]), {}, { onWarning });
    savePlot('kappa-heatmap-default-levels', svg);
    assertSvg(svg, ['number of filters J', 'κ = 2']);
    assert.deepEqual(warnings, []);
  });

  it('refuses a result without a scaling law', () => {
    assert.throws(() => kappaHeatmapSpec(frameBoundsFixture([40], false)), RangeError);
  });
});

describe('kappa heatmap default levels', () => {
  it('skips levels whose curves would crowd the previous one', () => {
    // κ̄ from 1.7 to 22: 2, 3, 5 and 10 are a factor ≥ 1.5 apart in J; 20 is too close to 10.
    const result = frameBoundsFixture();
    const cells = result.cells.map((c, i) => ({
      ...c,
      empirical: {
        ...c.empirical,
        kappa: { ...c.empirical.kappa, mean: i === 0 ? 1.7 : i === 1 ? 22 : 2.5 },
      },
    }));
    const rows = (kappaHeatmapSpec({ ...result, cells }) as Rows).data.values;
    const levels = [...new Set(rows.filter((r) => r.kind === 'iso').map((r) => r.level))];
    assert.deepEqual(levels, ['κ = 2', 'κ = 3', 'κ = 5', 'κ = 10']);
  });
});
