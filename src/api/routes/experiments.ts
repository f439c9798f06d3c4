import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FINAL_STATUSES, type ExperimentRecord } from '../../store/experiment-record.js';
import { experimentResource } from '../../service/experiment-service.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../problem-handler.js';
import {
  experimentIdParamsSchema,
  experimentRequestSchema,
  experimentResourceSchema,
  submitHeadersSchema,
} from '../schemas/experiment.js';
import { experimentSummarySchema, getQuerySchema } from '../schemas/experiment-views.js';
import { problemResponses } from '../schemas/problem.js';
import { summaryJson } from '../../service/experiment-summary.js';
import { ViewStore } from '../../store/view-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as parsed, before validation filled in defaults (for Idempotency-Key hashes). */
    rawJsonBody?: unknown;
    /** Fields a route adds to the request's one log line (the experiment it created, say). */
    logContext?: Record<string, unknown>;
  }
}

const security = [{ bearerAuth: [] }];
const tags = ['experiments'];
type Resource = z.output<typeof experimentResourceSchema>;

/** A strong validator of one representation: sha256 of the serialised resource. */
export function strongEtag(resource: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url')}"`;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** The experiment routes of docs/api.md; `prefix: '/v1'`, behind auth and the rate limit. */
export const experimentRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  const { store } = context;

  const load = async (id: string, owner: string): Promise<ExperimentRecord> => {
    const record = await store.getOwned(id, owner);
    if (record === undefined) throw notFound('experiment', id);
    return record;
  };
  const views = new ViewStore(context.redis);
  /** The summary view of one experiment, with an ETag of its bytes (docs/api.md "Views"). */
  const sendSummary = async (id: string, owner: string, reply: FastifyReply) => {
    const [row] = await views.rows([id]);
    const json = row === undefined ? undefined : await summaryJson(views, row, owner);
    if (json === undefined) throw notFound('experiment', id);
    const etag = `"${createHash('sha256').update(json).digest('base64url')}"`;
    void reply.header('etag', etag).header('cache-control', 'private, no-cache');
    if (matchesIfNoneMatch(reply.request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(json as unknown as Resource);
  };
  const resourceOf = async (record: ExperimentRecord) => (await context.service.resource(record)) as Resource;

  app.addHook('preValidation', async (request) => {
    request.rawJsonBody = request.body;
  });

  app.post(
    '/experiments',
    {
      schema: {
        operationId: 'createExperiment',
        summary: 'Submit an experiment',
        description:
          'Validates the request, checks its estimated cost against MAX_EXPERIMENT_COST (422), stores it and queues it. ' +
          'Answers 202 with a Location header and the resource. With an Idempotency-Key header a retry returns the first ' +
          'experiment (202, same id); the same key with a different body gives 409.',
        tags,
        security,
        headers: submitHeadersSchema,
        body: experimentRequestSchema,
        response: {
          202: experimentResourceSchema.describe(
            'The experiment, queued (or the first one, on an idempotent retry)',
          ),
          ...problemResponses(400, 401, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const { record, created } = await context.service.submit(
        request.owner,
        request.body,
        key,
        request.rawJsonBody,
      );
      // Named on the request's one log line (app.ts) rather than on a line of its own.
      request.logContext = { experimentId: record.id, type: record.type, created };
      if (created) {
        // A new experiment has no progress or result to read yet. Its resource is built in the
        // schema's key order from the request zod has just validated, so JSON.stringify gives
        // the bytes the schema's serializer would, without parsing it all again (a tenth of a
        // POST's CPU); test/api/experiments.test.ts holds the two equal.
        const resource = experimentResource({ record, completedTrials: 0, result: undefined }) as Resource;
        return reply
          .code(202)
          .header('location', resource.links.self)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(resource) as never);
      }
      const resource = await resourceOf(record);
      return reply.code(202).header('location', resource.links.self).send(resource);
    },
  );

  app.get(
    '/experiments/:id',
    {
      schema: {
        operationId: 'getExperiment',
        summary: 'Get an experiment',
        description:
          'With a strong ETag; If-None-Match with a current ETag answers 304. `view=summary` answers the ' +
          'summary view (docs/api.md "Views") instead of the whole resource.',
        tags,
        security,
        params: experimentIdParamsSchema,
        querystring: getQuerySchema,
        response: {
          200: z
            .union([experimentResourceSchema, experimentSummarySchema])
            .describe('The experiment (Experiment), or with `view=summary` its summary (ExperimentSummary)'),
          304: z.undefined().describe('Not modified'),
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (request.query.view === 'summary') return sendSummary(id, request.owner, reply);
      // A finished experiment never changes: its body is serialised once, on its first GET, and
      // served as stored bytes afterwards (one round trip, no parse, no schema walk).
      const cached = await store.getCachedBody(id);
      let body: string | Buffer;
      let etag: string;
      if (cached !== undefined) {
        if (cached.owner !== request.owner) throw notFound('experiment', id);
        ({ body, etag } = cached);
      } else {
        const snapshot = await store.snapshot(id);
        if (snapshot === undefined || snapshot.record.owner !== request.owner)
          throw notFound('experiment', id);
        const resource = experimentResource(snapshot);
        // The route's own serialiser (zod output schema, then JSON), so cached and fresh bytes agree.
        body = reply.serialize(resource) as string;
        etag = strongEtag(resource);
        if (FINAL_STATUSES.includes(snapshot.record.status))
          await store.cacheBody(id, snapshot.record.owner, etag, body);
      }
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      // Strings and buffers with a JSON type are sent as they are: Fastify serialises only objects.
      return reply.type('application/json; charset=utf-8').send(body as unknown as Resource);
    },
  );

  app.post(
    '/experiments/:id/cancel',
    {
      schema: {
        operationId: 'cancelExperiment',
        summary: 'Cancel an experiment',
        description:
          'Stops a queued or running experiment and returns it (200, status cancelled). An experiment that already ' +
          'finished is returned unchanged, also with 200: cancelling is idempotent.',
        tags,
        security,
        params: experimentIdParamsSchema,
        response: {
          200: experimentResourceSchema.describe(
            'The experiment, cancelled, or unchanged when it had finished',
          ),
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const record = await context.service.cancel(await load(request.params.id, request.owner));
      return resourceOf(record);
    },
  );

  app.delete(
    '/experiments/:id',
    {
      schema: {
        operationId: 'deleteExperiment',
        summary: 'Delete an experiment',
        description: 'Cancels it if it still runs, and removes it and its result. Then GET answers 404.',
        tags,
        security,
        params: experimentIdParamsSchema,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      await context.service.delete(await load(request.params.id, request.owner));
      return reply.code(204).send();
    },
  );
};
