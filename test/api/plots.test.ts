// GET /v1/experiments/{id}/plots/{name}.svg: every plot of both experiment types through the
// endpoint (well-formed XML, named axes), links.plots, caching headers, the 404s, and the exact
// density laid over the histograms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import chisquarePdf from '@stdlib/stats-base-dists-chisquare-pdf';
import { XMLValidator } from 'fast-xml-parser';
import request from 'supertest';
import { PlotCache } from '../../src/api/routes/plots.js';
import { cellDensity, energyRatioDensity } from '../../src/experiments/energy/exact-density.js';
import { experimentRequestSchema, withSeed } from '../../src/experiments/experiment-request.js';
import { plotsForEnergy, type EnergyCell } from '../../src/plots/index.js';
import { svgTexts } from '../../src/plots/svg-test-helpers.js';
import { startStack, waitFor, type Stack } from './helpers.js';

const KEY = 'plots-test-key-1';
const OTHER = 'plots-test-key-2';
const auth = (key = KEY) => ({ authorization: `Bearer ${key}` });

/** Three signals, three T, 200 trials: ~0.1 s of work. */
const energyRequest = {
  type: 'energy',
  seed: 7,
  trials: 200,
  filterbank: { numFilters: 4, filterLengths: [4, 8, 16] },
  signals: [
    { kind: 'impulse', length: 64, position: 5 },
    { kind: 'sine', length: 64, frequency: 0.5 },
    { kind: 'brownian', name: 'Brown walk', length: 64, seed: 3 },
  ],
};
/** Six cells (≥ 3 finite κ̄, so a scaling law and its heat map), 60 trials: milliseconds. */
const frameBoundsRequest = {
  type: 'frame-bounds',
  seed: 7,
  trials: 60,
  signalLength: 64,
  filterbank: { numFilters: [4, 8], filterLengths: [4, 8, 16] },
};

interface Resource {
  id: string;
  status: string;
  links: { self: string; events: string; plots?: string[] };
  result?: { cells: EnergyCell[] };
}

/** The text of vega's axis titles (`role-axis-title` groups). */
function axisTitles(svg: string): string[] {
  const titles: string[] = [];
  for (const group of svg.matchAll(/<g class="mark-text role-axis-title"[^>]*>([\s\S]*?)<\/g>/g)) {
    titles.push(...svgTexts(group[1] ?? '').filter((t) => t.trim() !== ''));
  }
  return titles;
}

describe('plots endpoint', () => {
  let stack: Stack;
  let energy: Resource;
  let frameBounds: Resource;

  const submit = async (body: object, key = KEY): Promise<Resource> => {
    const res = await request(stack.base).post('/v1/experiments').set(auth(key)).send(body).expect(202);
    return res.body as Resource;
  };
  const finished = (id: string) =>
    waitFor(
      async () => (await request(stack.base).get(`/v1/experiments/${id}`).set(auth())).body as Resource,
      (r) => r.status !== 'queued' && r.status !== 'running',
      20_000,
      `experiment ${id} to finish`,
    );

  before(async () => {
    stack = await startStack({
      workers: true,
      env: { API_KEYS: `${KEY},${OTHER}`, RATE_LIMIT_PER_MINUTE: '0' },
    });
    const [e, f] = [await submit(energyRequest), await submit(frameBoundsRequest)];
    energy = await finished(e.id);
    frameBounds = await finished(f.id);
    assert.equal(energy.status, 'succeeded');
    assert.equal(frameBounds.status, 'succeeded');
  });
  after(async () => {
    await stack?.close();
  });

  it('serves the very SVGs fbstab reproduce writes for the same result (density overlay included)', async () => {
    const seeded = { ...experimentRequestSchema.parse(energyRequest), seed: 7 };
    if (seeded.type !== 'energy') throw new Error('energy request expected');
    const local = await plotsForEnergy(energy.result! as Parameters<typeof plotsForEnergy>[0], {
      tailProbability: seeded.tailProbability,
      density: (cell) => cellDensity(seeded, cell),
    });
    const names = Object.keys(local);
    assert.ok(names.some((n) => n.startsWith('histogram-')));
    for (const name of names) {
      const res = await fetch(`${stack.base}/v1/experiments/${energy.id}/plots/${name}.svg`, {
        headers: auth(),
      });
      assert.equal(res.status, 200, name);
      assert.ok((await res.text()) === local[name], `${name} differs from the CLI's`);
    }
  });

  it('links every plot of a succeeded experiment, by the names of src/plots', () => {
    const self = `/v1/experiments/${energy.id}`;
    assert.deepEqual(energy.links.plots, [
      `${self}/plots/deviation.svg`,
      `${self}/plots/histogram-impulse-J4-T16.svg`,
      `${self}/plots/histogram-sine-J4-T16.svg`,
      `${self}/plots/histogram-brown-walk-J4-T16.svg`,
    ]);
    const fb = `/v1/experiments/${frameBounds.id}`;
    assert.deepEqual(frameBounds.links.plots, [
      `${fb}/plots/frame-bounds.svg`,
      `${fb}/plots/condition-number.svg`,
      `${fb}/plots/kappa-heatmap.svg`,
    ]);
  });

  it('serves every plot as well-formed SVG that names its axes, with ETag and Cache-Control', async () => {
    for (const resource of [energy, frameBounds]) {
      for (const url of resource.links.plots ?? []) {
        const res = await fetch(`${stack.base}${url}`, { headers: auth() });
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/, url);
        assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d+$/, url);
        const etag = res.headers.get('etag') ?? '';
        assert.match(etag, /^"[\w-]+"$/, url);
        const svg = await res.text();
        assert.ok(svg.startsWith('<svg'), url);
        assert.equal(XMLValidator.validate(svg), true, `${url} is well-formed XML`);
        const titles = axisTitles(svg);
        assert.ok(titles.length >= 2, `${url} names its axes: ${JSON.stringify(titles)}`);
        // Served again from the cache with the same validator; If-None-Match gives 304.
        await request(stack.base).get(url).set(auth()).set('if-none-match', etag).expect(304);
      }
    }
  });

  it('lays the exact density over the histograms', async () => {
    for (const url of (energy.links.plots ?? []).filter((u) => u.includes('/histogram-'))) {
      const res = await fetch(`${stack.base}${url}`, { headers: auth() });
      assert.equal(res.status, 200, url);
      const texts = svgTexts(await res.text());
      assert.ok(texts.includes('exact density (generalized χ²)'), `${url}: ${JSON.stringify(texts)}`);
      assert.ok(texts.includes('energy ratio ‖Φx‖²/‖x‖²'), url);
    }
  });

  it('answers 404 problem+json for an unknown name, another owner and an unfinished experiment', async () => {
    const expect404 = async (url: string, key = KEY) => {
      const res = await request(stack.base).get(url).set(auth(key)).expect(404);
      assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal((res.body as { status: number }).status, 404);
      return res.body as { detail: string };
    };
    const self = `/v1/experiments/${frameBounds.id}`;
    await expect404(`${self}/plots/no-such-plot.svg`);
    await expect404(`${self}/plots/deviation.svg`); // an energy plot, not one of frame bounds
    await expect404(`${self}/plots/frame-bounds.png`);
    await expect404(`${self}/plots/frame-bounds.svg`, OTHER);
    await expect404(`/v1/experiments/${crypto.randomUUID()}/plots/frame-bounds.svg`);
    await request(stack.base).get(`${self}/plots/frame-bounds.svg`).expect(401);

    // Big enough not to finish during the test (~10⁶ trials); cancelled at the end.
    const big = await submit({ ...frameBoundsRequest, trials: 1_000_000 });
    assert.equal(big.links.plots, undefined);
    const detail = await expect404(`${big.links.self}/plots/frame-bounds.svg`);
    assert.match(detail.detail, /succeeded/);
    await request(stack.base).post(`${big.links.self}/cancel`).set(auth()).expect(200);
    await expect404(`${big.links.self}/plots/frame-bounds.svg`);
  });
});

describe('exact density of the energy ratio', () => {
  it('matches the χ² pdf for a single weight', () => {
    // S = w·χ²_k with w = 0.25, k = 3; the ratio is S/energy with energy = 2, so the ratio's
    // density is (2/w)·pdf_χ²(2x/w; k). Centred differences of a 1e-12-accurate CDF over steps
    // of (3 − 0.25)/160 ≈ 0.017: error ≈ h²·|f″|/24, at most 8e-5 (at x = 0.25; measured).
    const w = 0.25;
    const k = 3;
    const curve = energyRatioDensity([w], k, 2, 0.25, 3);
    assert.ok(curve);
    assert.equal(curve.x.length, 161);
    for (let i = 0; i < curve.x.length; i++) {
      const x = curve.x[i]!;
      const exact = (2 / w) * chisquarePdf((2 * x) / w, k);
      assert.ok(Math.abs(curve.density[i]! - exact) < 1e-4 * Math.max(1, exact), `x = ${x}`);
    }
  });

  it('is χ²_{JT}/(JT) for an impulse under the paper scheme (docs/theory.md §4)', () => {
    // Q_T of a unit impulse is the identity, so the T weights are all σ² = 1/(JT).
    const request = withSeed(experimentRequestSchema.parse(energyRequest), () => 0);
    const J = 4;
    const T = 16;
    const cell = {
      signal: 'impulse',
      numFilters: J,
      filterLength: T,
      empirical: { histogram: { edges: [0.4, 1, 1.8], counts: [1, 1] } },
    } as unknown as EnergyCell;
    const curve = cellDensity(request, cell);
    assert.ok(curve);
    const n = J * T;
    for (let i = 0; i < curve.x.length; i++) {
      const x = curve.x[i]!;
      const exact = n * chisquarePdf(n * x, n);
      // Steps of 0.0875: h²·|f″|/24 ≲ 2e-3 for this peaked density (f″ ≲ 6).
      assert.ok(Math.abs(curve.density[i]! - exact) < 3e-3, `x = ${x}: ${curve.density[i]} vs ${exact}`);
    }
  });

  it('is undefined for uniform taps (no exact law, docs/theory.md §8)', () => {
    const request = withSeed(
      experimentRequestSchema.parse({
        ...energyRequest,
        filterbank: { ...energyRequest.filterbank, init: { scheme: 'pytorch-default' } },
      }),
      () => 0,
    );
    const cell = {
      signal: 'impulse',
      numFilters: 4,
      filterLength: 16,
      empirical: { histogram: { edges: [0.4, 1.8], counts: [1] } },
    } as unknown as EnergyCell;
    assert.equal(cellDensity(request, cell), undefined);
  });
});

describe('PlotCache', () => {
  it('renders a plot once for concurrent and repeated requests', async () => {
    const cache = new PlotCache(4, 1000);
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((r) => setTimeout(r, 5));
      return '<svg/>';
    };
    const [a, b] = await Promise.all([cache.get('x', render), cache.get('x', render)]);
    await cache.get('x', render);
    assert.equal(renders, 1);
    assert.equal(a?.etag, b?.etag);
  });

  it('evicts the least recently used beyond its bounds and forgets failures and unknown names', async () => {
    const cache = new PlotCache(2, 1000);
    let renders = 0;
    const render = async () => {
      renders++;
      return '<svg/>';
    };
    await cache.get('a', render);
    await cache.get('b', render);
    await cache.get('a', render); // a is now the most recent
    await cache.get('c', render); // evicts b
    assert.equal(cache.size, 2);
    await cache.get('a', render);
    assert.equal(renders, 3);
    await cache.get('b', render);
    assert.equal(renders, 4);

    const small = new PlotCache(10, 10);
    await small.get('big1', async () => 'x'.repeat(8));
    await small.get('big2', async () => 'x'.repeat(8)); // over 10 characters: big1 goes
    assert.equal(small.size, 1);

    await assert.rejects(
      cache.get('bad', async () => {
        throw new Error('boom');
      }),
    );
    assert.equal(await cache.get('none', async () => undefined), undefined);
    assert.equal(cache.size, 2);
  });
});
