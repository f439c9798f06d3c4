import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paperPresets } from '../../experiments/paper-presets.js';
import { problemResponses } from '../schemas/problem.js';

/**
 * The dashboard's static files (`public/`, next to `src/` in the repository, and next to
 * `dist/` in a build): the first `public/index.html` found walking up from this module.
 */
export function findPublicDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'public', 'index.html'))) return join(dir, 'public');
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * The page allows nothing from elsewhere: its script, style and images come from this origin,
 * plots arrive as blob: URLs (fetched with the API key), and the API is same-origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /`: the dashboard, plain HTML, CSS and an ES module from `public/`, served as files (no
 * bundler, no build step, nothing from a CDN). Registered outside `/v1`: the page is public,
 * every call it makes goes to `/v1` with the key the user pastes.
 */
export async function dashboardRoutes(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? findPublicDir();
  if (root === undefined) {
    app.log.warn('public/index.html not found: the dashboard at / is not served');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Routes for the files present at start only: no catch-all that would shadow other 404s.
    wildcard: false,
    index: ['index.html'],
    // @fastify/swagger-ui registers @fastify/static too; only one may decorate the reply.
    decorateReply: false,
    // Revalidated on every load (ETag / Last-Modified): a new deployment shows at once.
    cacheControl: true,
    maxAge: 0,
    setHeaders: (res) => {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
    },
  });
}

export const presetSchema = z
  .object({
    name: z.string().describe('`energy`, `frame-bounds` or `condition-number`'),
    title: z.string(),
    request: z.record(z.string(), z.unknown()).describe('A body for POST /v1/experiments'),
  })
  .meta({ id: 'Preset' });

/**
 * `GET /v1/presets`: the paper's experiments (docs/theory.md §9) as request bodies, for the
 * dashboard's form; `prefix: '/v1'`.
 */
export const presetRoutes: FastifyPluginAsyncZod = async (app) => {
  const items = paperPresets();
  app.get(
    '/presets',
    {
      schema: {
        operationId: 'listPresets',
        summary: "The paper's experiments as request bodies",
        description:
          'The energy, frame-bound and condition-number figures of the paper (docs/theory.md §9) at 1000 trials and ' +
          'seed 2024, each ready to POST to /v1/experiments (change `trials` for a quicker run).',
        tags: ['experiments'],
        security: [{ bearerAuth: [] }],
        response: {
          200: z.object({ items: z.array(presetSchema) }).describe('The presets'),
          ...problemResponses(401, 429, 503),
        },
      },
    },
    async () => ({ items: items.map((p) => ({ ...p, request: { ...p.request } })) }),
  );
};
