import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  energyPlotNames,
  frameBoundsPlotNames,
  plotSlug,
  plotsForEnergy,
  plotsForFrameBounds,
  renderEnergyPlotByName,
  renderFrameBoundsPlotByName,
} from './index.js';
import { assertSvg, savePlot, warningCollector } from './svg-test-helpers.js';
import { chi2RatioDensity, energyFixture, frameBoundsFixture } from './test-fixtures.js';

const URL_SAFE = /^[a-z0-9]+(-[a-zA-Z0-9]+)*$/;

describe('plots index', () => {
  it('renders every energy plot under URL-safe names', async () => {
    const { warnings, onWarning } = warningCollector();
    const result = energyFixture();
    const plots = await plotsForEnergy(result, {
      tailProbability: 0.05,
      // The impulse's and the sine's ratios are χ²_{JT}/(JT) and χ²_J/J (docs/theory.md §4).
      density: (cell) =>
        cell.signal === 'brownian'
          ? undefined
          : chi2RatioDensity(
              cell.signal === 'sine' ? cell.numFilters : cell.numFilters * cell.filterLength,
              cell.empirical.histogram.edges[0] ?? 0,
              cell.empirical.histogram.edges.at(-1) ?? 2,
            ),
      render: { onWarning },
    });
    assert.deepEqual(Object.keys(plots), [
      'deviation',
      'histogram-impulse-J10-T1024',
      'histogram-brownian-J10-T1024',
      'histogram-sine-J10-T1024',
    ]);
    assert.deepEqual(Object.keys(plots), energyPlotNames(result));
    for (const [name, svg] of Object.entries(plots)) {
      assert.match(name, URL_SAFE);
      assertSvg(
        svg,
        ['filter length T (taps)'].filter(() => name === 'deviation'),
      );
      savePlot(`index-${name}`, svg);
    }
    assert.deepEqual(warnings, []);
  });

  it('renders every frame-bounds plot, the heatmap only with a scaling law', async () => {
    const { warnings, onWarning } = warningCollector();
    const plots = await plotsForFrameBounds(frameBoundsFixture(), { render: { onWarning } });
    assert.deepEqual(Object.keys(plots), ['frame-bounds', 'condition-number', 'kappa-heatmap']);
    for (const svg of Object.values(plots)) assertSvg(svg, ['filter length T (taps)']);
    assert.deepEqual(warnings, []);
    const withoutLaw = await plotsForFrameBounds(frameBoundsFixture([5, 10, 40], false));
    assert.deepEqual(Object.keys(withoutLaw), ['frame-bounds', 'condition-number']);
  });

  it('sanitises signal names and keeps distinct signals apart', async () => {
    const names = ['Snare drum (22.05 kHz) <é> & "co"', 'snare drum 22 05 khz e co', '¡¿', 'impulse'];
    const result = energyFixture([10], ['impulse']);
    const cells = names.flatMap((signal) => result.cells.map((c) => ({ ...c, signal })));
    const plotNames = energyPlotNames({ cells });
    assert.deepEqual(plotNames, [
      'deviation',
      'histogram-snare-drum-22-05-khz-e-co-J10-T1024',
      'histogram-snare-drum-22-05-khz-e-co-2-J10-T1024',
      'histogram-signal-J10-T1024',
      'histogram-impulse-J10-T1024',
    ]);
    for (const name of plotNames) assert.match(name, URL_SAFE);
    // The original name still shows, escaped, in the plot itself.
    const svg = await renderEnergyPlotByName({ cells }, 'deviation', { tailProbability: 0.05 });
    assert.ok(svg);
    assertSvg(svg, ['Snare drum (22.05 kHz) <é> & "co"']);
    savePlot('deviation-odd-names', svg);
  });

  it('answers undefined for unknown names, and renders nothing for empty results', async () => {
    assert.equal(await renderEnergyPlotByName(energyFixture(), 'nope', { tailProbability: 0.05 }), undefined);
    assert.equal(
      await renderFrameBoundsPlotByName(frameBoundsFixture([40], false), 'kappa-heatmap'),
      undefined,
    );
    assert.deepEqual(await plotsForEnergy({ cells: [] }, { tailProbability: 0.05 }), {});
    assert.deepEqual(await plotsForFrameBounds({ cells: [] }), {});
    assert.deepEqual(frameBoundsPlotNames({ cells: [] }), []);
  });

  it('makes slugs of at most 40 characters', () => {
    assert.equal(plotSlug('A'.repeat(100)), 'a'.repeat(40));
    assert.equal(plotSlug('Flûte à bec'), 'flute-a-bec');
    assert.equal(plotSlug('---'), 'signal');
  });
});
