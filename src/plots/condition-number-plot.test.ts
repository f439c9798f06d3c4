import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionNumberSpec, renderConditionNumberPlot } from './condition-number-plot.js';
import { assertSvg, savePlot, warningCollector } from './svg-test-helpers.js';
import { frameBoundsFixture } from './test-fixtures.js';

describe('condition number plot', () => {
  it('renders mean κ per J with κ̃ where finite', async () => {
    const { warnings, onWarning } = warningCollector();
    const svg = await renderConditionNumberPlot(frameBoundsFixture(), { onWarning });
    savePlot('condition-number', svg);
    assertSvg(svg, [
      'filter length T (taps)',
      'condition number κ = B/A',
      'J = 5',
      'J = 10',
      'J = 40',
      'mean κ (simulation)',
      'κ̃ (theory)',
      'E[κ] predicted, 5–95 % band',
      '8',
      '1024',
    ]);
    assert.match(svg, /with unbounded κ not drawn/);
    assert.deepEqual(warnings, []);
  });

  it('draws κ̃ only where it is finite', () => {
    const result = frameBoundsFixture();
    const spec = conditionNumberSpec(result) as { data: { values: { curve: string; kappa: number }[] } };
    const theory = spec.data.values.filter((r) => r.curve === 'κ̃ (theory)');
    const finite = result.cells.filter((c) => c.theory.kappaTilde !== null).length;
    assert.equal(theory.length, finite);
    assert.ok(finite < result.cells.length, 'the fixture has unbounded κ̃ cells');
  });

  it('draws the predicted E[κ] and its band for every cell that carries a prediction', () => {
    const result = frameBoundsFixture();
    const spec = conditionNumberSpec(result) as {
      data: { values: { curve: string; T: number; kappa: number; lo?: number; hi?: number }[] };
    };
    const predicted = spec.data.values.filter((r) => r.curve === 'E[κ] predicted, 5–95 % band');
    assert.equal(predicted.length, result.cells.filter((c) => c.theory.predicted).length);
    assert.ok(predicted.length > 0);
    for (const row of predicted) {
      const cell = result.cells.find(
        (c) => c.filterLength === row.T && row.kappa === c.theory.predicted?.kappa,
      );
      assert.ok(cell, `row at T = ${row.T} comes from a cell`);
      assert.equal(row.lo, cell.theory.predicted?.kappaQuantiles['0.05']);
      assert.equal(row.hi, cell.theory.predicted?.kappaQuantiles['0.95']);
    }
  });

  it('leaves the theory out of the legend when no κ̃ is finite', async () => {
    const base = frameBoundsFixture([5], false);
    const cells = base.cells.map((c) => ({
      ...c,
      theory: { ...c.theory, kappaTilde: null, predicted: null },
    }));
    const { warnings, onWarning } = warningCollector();
    const svg = await renderConditionNumberPlot({ cells }, { onWarning });
    assertSvg(svg, ['mean κ (simulation)', 'J = 5']);
    assert.deepEqual(warnings, []);
    assert.ok(!svg.includes('κ̃ (theory)'));
  });
});
