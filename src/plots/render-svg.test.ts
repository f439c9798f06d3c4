import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './render-svg.js';
import { assertSvg, warningCollector } from './svg-test-helpers.js';
import { estimateTextWidthEm } from './text-metrics.js';

describe('renderVegaLiteSvg', () => {
  it('renders an inline-data spec to a standalone SVG document', async () => {
    const spec: TopLevelSpec = {
      data: {
        values: [
          { x: 8, y: 1 },
          { x: 1024, y: 2 },
        ],
      },
      mark: 'line',
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'filter length T (taps)' },
        y: { field: 'y', type: 'quantitative', title: 'κ' },
      },
    };
    const { warnings, onWarning } = warningCollector();
    const svg = await renderVegaLiteSvg(spec, { onWarning });
    assertSvg(svg, ['filter length T (taps)', 'κ']);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.deepEqual(warnings, []);
  });

  it('never loads data from a URL, and rejects a spec that tries', async () => {
    let requested = false;
    const server = await import('node:http').then(({ createServer }) =>
      createServer((_req, res) => {
        requested = true;
        res.end('[{"x":1,"y":1}]');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    const { onWarning } = warningCollector();
    try {
      const spec: TopLevelSpec = {
        data: { url: `http://127.0.0.1:${address.port}/data.json` },
        mark: 'point',
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      };
      await assert.rejects(renderVegaLiteSvg(spec, { onWarning }), /plots are offline/);
    } finally {
      server.close();
    }
    assert.equal(requested, false);
  });

  it('estimates text widths from font metrics, not 0.8 em a character', () => {
    // DejaVu Sans: "filter length T (taps)" is about 10.8 em wide, vega's fallback says 17.6.
    const em = estimateTextWidthEm('filter length T (taps)');
    assert.ok(em > 9.5 && em < 12, String(em));
  });
});
