import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameBoundsSpec, renderFrameBoundsPlot } from './frame-bounds-plot.js';
import { assertSvg, savePlot, warningCollector } from './svg-test-helpers.js';
import { frameBoundsFixture } from './test-fixtures.js';

describe('frame bounds plot', () => {
  it('renders A and B per J with both theories', async () => {
    const { warnings, onWarning } = warningCollector();
    const svg = await renderFrameBoundsPlot(frameBoundsFixture(), { onWarning });
    savePlot('frame-bounds', svg);
    assertSvg(svg, [
      'filter length T (taps)',
      'frame bound / (J·T·σ²)',
      'A (lower frame bound)',
      'B (upper frame bound)',
      'simulation (mean)',
      'χ² model (paper)',
      'asymptotic 1 ∓ 2√(ln T / J)',
      'J = 5 filters',
      'J = 10 filters',
      'J = 40 filters',
      '1024',
    ]);
    assert.match(svg, /bands: 5–95 % of the trials/);
    assert.deepEqual(warnings, []);
  });

  it('falls back to a ±1 std band without quantiles, and skips null theory', async () => {
    const base = frameBoundsFixture([40], false);
    const cells = base.cells.map((cell) => ({
      ...cell,
      empirical: {
        ...cell.empirical,
        A: { ...cell.empirical.A, quantiles: {} },
      },
      theory: { ...cell.theory, A: { chi2: null, asymptotic: null }, B: { chi2: null, asymptotic: null } },
    }));
    const svg = await renderFrameBoundsPlot({ cells });
    savePlot('frame-bounds-single-j', svg);
    assertSvg(svg, ['simulation (mean)', 'J = 40 filters']);
    assert.match(svg, /bands: mean ± 1 std/);
    assert.ok(!svg.includes('χ² model'));
  });

  it('leaves out negative asymptotic values of A', () => {
    const spec = frameBoundsSpec(frameBoundsFixture([5], false)) as {
      data: { values: Record<string, unknown>[] };
    };
    const asymptoticA = spec.data.values.filter(
      (r) =>
        r.kind === 'line' && r.bound === 'A (lower frame bound)' && String(r.curve).startsWith('asymptotic'),
    );
    assert.ok(asymptoticA.every((r) => (r.value as number) >= 0));
  });
});
