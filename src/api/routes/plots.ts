import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderExperimentPlot } from '../../plots/render-experiment-plot.js';
import { HttpProblem } from '../../service/problem.js';
import type { ExperimentRecord } from '../../store/experiment-record.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../problem-handler.js';
import { problemResponses } from '../schemas/problem.js';

/** A succeeded result never changes, so a browser may keep a plot this long without asking. */
export const PLOT_MAX_AGE_SECONDS = 3600;
/** Rendered SVGs kept in memory: a dashboard refresh serves these without re-rendering. */
const CACHE_MAX_ENTRIES = 64;
/** …and at most this many characters in all (an SVG is 20–200 kB; a histogram with 160 bins ~100 kB). */
const CACHE_MAX_CHARS = 24 * 1024 * 1024;
/** Points of the exact density curve laid over a histogram. */

/** A plot name as `src/plots/index.ts` makes them (`histogram-impulse-J10-T1024`): URL-safe. */
const PLOT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,119}$/;

export const plotParamsSchema = z.object({
  id: z.uuid().describe('Experiment id'),
  name: z
    .string()
    .regex(PLOT_NAME)
    .describe(
      "A plot name from the experiment's `links.plots`. Energy: `deviation`, `histogram-<signal>-J<J>-T<T>`; " +
        'frame bounds: `frame-bounds`, `condition-number`, `kappa-heatmap`',
    ),
});

interface CachedPlot {
  svg: string;
  etag: string;
}

/**
 * A least-recently-used map of rendered plots, bounded by entries and by characters. It holds
 * the promise of a render, so concurrent requests for one plot share a single rendering; a
 * failed render is dropped so that the next request tries again.
 */
export class PlotCache {
  readonly #entries = new Map<string, { promise: Promise<CachedPlot | undefined>; size: number }>();
  #chars = 0;

  constructor(
    private readonly maxEntries = CACHE_MAX_ENTRIES,
    private readonly maxChars = CACHE_MAX_CHARS,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, render: () => Promise<string | undefined>): Promise<CachedPlot | undefined> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.promise;
    }
    const entry = { promise: Promise.resolve<CachedPlot | undefined>(undefined), size: 0 };
    entry.promise = render().then(
      (svg) => {
        if (svg === undefined) {
          this.#remove(key, entry);
          return undefined;
        }
        if (this.#entries.get(key) === entry) {
          entry.size = svg.length;
          this.#chars += svg.length;
          this.#evict();
        }
        return { svg, etag: `"${createHash('sha256').update(svg).digest('base64url')}"` };
      },
      (error: unknown) => {
        this.#remove(key, entry);
        throw error;
      },
    );
    // Bounds apply when a render completes: a pending or failing render evicts nothing.
    this.#entries.set(key, entry);
    return entry.promise;
  }

  #remove(key: string, entry: { size: number }): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#chars -= entry.size;
  }

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.maxEntries && this.#chars <= this.maxChars) return;
      if (this.#entries.size === 1) return; // never evict the plot being served
      this.#entries.delete(key);
      this.#chars -= entry.size;
    }
  }
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * `GET /v1/experiments/{id}/plots/{name}.svg`: the SVG plots of a succeeded experiment,
 * rendered on the server by src/plots and kept in a small LRU; `prefix: '/v1'`, behind auth
 * and the rate limit like every /v1 route.
 */
export const plotRoutes: FastifyPluginAsyncZod<{ context: ApiContext; cache?: PlotCache }> = async (
  app,
  { context, cache = new PlotCache() },
) => {
  const render = async (record: ExperimentRecord, name: string): Promise<string | undefined> => {
    const result = await context.store.getResult(record.id);
    if (result === undefined) return undefined;
    return renderExperimentPlot(record.request, result, name, (warning) =>
      app.log.warn({ experimentId: record.id, plot: name }, warning),
    );
  };

  app.get(
    '/experiments/:id/plots/:name.svg',
    {
      schema: {
        operationId: 'getExperimentPlot',
        summary: 'A plot of a succeeded experiment (SVG)',
        description:
          "Rendered on the server with Vega-Lite; the names are listed in the experiment's `links.plots`. Energy: the " +
          'deviation against T with every bound, and per signal the histogram of its largest T with the exact ' +
          '(generalized χ²) density. Frame bounds: A and B against T with the theory, κ̄ against T per J, and the κ̄ heat ' +
          'map with the fitted law. A result never changes, so the plot comes with a strong ETag and ' +
          `\`Cache-Control: private, max-age=${PLOT_MAX_AGE_SECONDS}\`. 404 for an unknown name or an experiment that ` +
          'has not succeeded.',
        tags: ['experiments'],
        security: [{ bearerAuth: [] }],
        params: plotParamsSchema,
        response: {
          200: {
            description: 'The plot',
            content: { 'image/svg+xml': { schema: z.string() } },
          },
          304: z.undefined().describe('Not modified'),
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { id, name } = request.params;
      const record = await context.store.getOwned(id, request.owner);
      if (record === undefined) throw notFound('experiment', id);
      if (record.status !== 'succeeded') {
        throw new HttpProblem(
          404,
          'Not found',
          `experiment ${id} has no plots: it is ${record.status}, and plots exist once it succeeded`,
        );
      }
      const plot = await cache.get(`${id}/${name}`, () => render(record, name));
      if (plot === undefined) {
        throw new HttpProblem(404, 'Not found', `experiment ${id} has no plot named ${JSON.stringify(name)}`);
      }
      void reply
        .header('etag', plot.etag)
        .header('cache-control', `private, max-age=${PLOT_MAX_AGE_SECONDS}`)
        .header('x-content-type-options', 'nosniff');
      if (matchesIfNoneMatch(request.headers['if-none-match'], plot.etag)) return reply.code(304).send();
      return reply.type('image/svg+xml; charset=utf-8').send(plot.svg);
    },
  );
};
