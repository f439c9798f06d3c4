import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeChangeToken, encodeChangeToken } from '../../service/change-token.js';
import { experimentResource } from '../../service/experiment-service.js';
import { summariesJson, tombstoneJson } from '../../service/experiment-summary.js';
import { HttpProblem } from '../../service/problem.js';
import { FINAL_STATUSES } from '../../store/experiment-record.js';
import { decodeCursor } from '../../store/experiment-store.js';
import { ViewStore, type ChangeState } from '../../store/view-store.js';
import { readObserved, type CachedChange } from '../change-cache.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../problem-handler.js';
import { experimentResourceSchema } from '../schemas/experiment.js';
import {
  experimentFullListSchema,
  experimentSummaryListSchema,
  listViewsQuerySchema,
  MAX_BATCH_IDS,
} from '../schemas/experiment-views.js';
import { problemResponses } from '../schemas/problem.js';
import { matchesIfNoneMatch, strongEtag } from './experiments.js';

/** The experiment resource as GET /v1/experiments/{id} serialises it (the same bytes). */
const serializeResource = serializerCompiler({
  schema: experimentResourceSchema,
  method: 'GET',
  url: '/v1/experiments',
});

/** First pages an API process keeps as bytes (about 10 KB each at limit=20). */
const MAX_HELD_PAGES = 1000;

/** A 400 naming one query parameter, like a validation error of the query string. */
function queryProblem(field: string, message: string): HttpProblem {
  return new HttpProblem(
    400,
    'Invalid request',
    `the request query parameters are invalid: ${field}: ${message}`,
    {
      errors: [{ path: field, message }],
    },
  );
}

/** A missing id of an `ids` batch: the same problem as GET /v1/experiments/{id}'s 404. */
function missingJson(id: string): string {
  return JSON.stringify({ id, status: 404, problem: notFound('experiment', id).toProblem() });
}

/**
 * `GET /v1/experiments` (docs/api.md "Views", "Changes", "Batch reads"): summaries by default,
 * `view=full` for whole resources, `changedSince` for what changed, `ids` for a batch. Every
 * answer carries a `changeToken` and an ETag made of the owner's change sequence, so a poll of
 * an unchanged list costs one Redis command and answers 304.
 */
export const experimentListRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (
  app,
  { context },
) => {
  const views = new ViewStore(context.redis);
  const { store, changeCache: cache } = context;

  /** The full resource JSON of an experiment of `owner`, cached bytes when it finished. */
  const fullJson = async (id: string, owner: string): Promise<string | undefined> => {
    const cached = await store.getCachedBody(id);
    if (cached !== undefined) return cached.owner === owner ? cached.body.toString('utf8') : undefined;
    const snapshot = await store.snapshot(id);
    if (snapshot === undefined || snapshot.record.owner !== owner) return undefined;
    const resource = experimentResource(snapshot);
    const body = serializeResource(resource);
    if (FINAL_STATUSES.includes(snapshot.record.status))
      await store.cacheBody(id, owner, strongEtag(resource), body);
    return body;
  };

  const itemsOf = async (
    ids: readonly string[],
    owner: string,
    full: boolean,
  ): Promise<(string | undefined)[]> => {
    if (full) return Promise.all(ids.map((id) => fullJson(id, owner)));
    return summariesJson(views, await views.rows(ids), owner);
  };

  const bodyOf = (items: readonly string[], nextCursor: string | null, state: ChangeState) =>
    `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)},"changeToken":"${encodeChangeToken(state)}"}`;
  /**
   * The first pages this process served last, as bytes, by owner and limit, with the stamp
   * Redis keeps beside them (ViewStore.cacheFirstPage): while Redis's page has that stamp and
   * the change log has not moved, a list is served from here without reading 10 KB from Redis
   * or encoding them again. Redis decides, so every API process serves the same bytes.
   */
  const heldPages = new Map<string, { stamp: string; bytes: Buffer }>();
  const holdPage = (key: string, stamp: string, body: string): Buffer => {
    const bytes = Buffer.from(body, 'utf8');
    heldPages.delete(key);
    heldPages.set(key, { stamp, bytes });
    if (heldPages.size > MAX_HELD_PAGES) heldPages.delete(heldPages.keys().next().value!);
    return bytes;
  };
  const sendBody = (reply: FastifyReply, body: string | Buffer) =>
    reply.type('application/json; charset=utf-8').send(body as never);
  const send = (
    reply: FastifyReply,
    items: readonly string[],
    nextCursor: string | null,
    state: ChangeState,
  ) => sendBody(reply, bodyOf(items, nextCursor, state));

  /** Where the owner's change log stands: from this process's copy when it vouches, else Redis. */
  const currentState = async (owner: string, now: number): Promise<ChangeState> => {
    return cache?.state(owner, now) ?? readObserved(cache, owner, now, () => views.state(owner));
  };

  /** The list's validator: the change log's position and the query (a weak one: a view). */
  const etagOf = (request: FastifyRequest, state: ChangeState) =>
    `W/"${state.epoch}.${state.seq}.${hash('sha1', request.url, 'base64url').slice(0, 16)}"`;

  app.get(
    '/experiments',
    {
      schema: {
        operationId: 'listExperiments',
        summary: 'List experiments: summaries, changes, batches',
        description:
          "Only the caller's experiments (per API key), newest first, as summaries (`view=full` for whole " +
          'resources). Page with `limit` and `nextCursor`. `changedSince=<changeToken>` answers only the ' +
          'experiments changed after that token, oldest change first, deletions as `{ id, version, deleted: true }`; ' +
          'a token the change log no longer covers answers 410. `ids=a,b,c` (at most 100) answers those experiments ' +
          'in that order, with `{ id, status: 404, problem }` for the ones this key does not have. Every answer has a ' +
          '`changeToken` and a weak ETag; If-None-Match with a current one answers 304.',
        tags: ['experiments'],
        security: [{ bearerAuth: [] }],
        querystring: listViewsQuerySchema,
        response: {
          200: z
            .union([experimentSummaryListSchema, experimentFullListSchema])
            .describe('Summaries (ExperimentSummaryList) or, with `view=full`, resources (ExperimentList)'),
          304: z.undefined().describe('Not modified: nothing of this key changed'),
          ...problemResponses(400, 401, 410, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, status, view, changedSince, ids } = request.query;
      const owner = request.owner;
      const full = view === 'full';
      if (ids !== undefined && (cursor !== undefined || changedSince !== undefined || status !== undefined))
        throw queryProblem('ids', 'cannot be combined with cursor, changedSince or status');
      if (changedSince !== undefined && (cursor !== undefined || status !== undefined))
        throw queryProblem('changedSince', 'cannot be combined with cursor or status');
      if (cursor !== undefined) {
        try {
          decodeCursor(cursor);
        } catch {
          throw queryProblem('cursor', 'not a cursor this API returned');
        }
      }
      let idList: string[] | undefined;
      if (ids !== undefined) {
        idList = ids.split(',').map((id) => id.trim());
        if (idList.some((id) => id === ''))
          throw queryProblem('ids', 'a comma-separated list of experiment ids, none empty');
        if (idList.length > MAX_BATCH_IDS)
          throw queryProblem('ids', `at most ${MAX_BATCH_IDS} ids, got ${idList.length}`);
      }
      let since: ChangeState | undefined;
      if (changedSince !== undefined) {
        try {
          since = decodeChangeToken(changedSince);
        } catch {
          throw queryProblem('changedSince', 'not a changeToken this API returned');
        }
      }

      // A first page asked without a validator: one script reads the log's position and the page.
      const plain = !full && idList === undefined && since === undefined && cursor === undefined;
      if (plain && status === undefined && request.headers['if-none-match'] === undefined) {
        const pageKey = `${owner}\n${limit}`;
        const held = heldPages.get(pageKey);
        const page = await views.firstPage(owner, limit, held?.stamp);
        if (page !== undefined) {
          void reply.header('etag', etagOf(request, page.state)).header('cache-control', 'private, no-cache');
          // Nothing of this key changed since these bytes were built: serve them as they are,
          // from this process's copy when Redis says it holds the current ones.
          if ('same' in page && held !== undefined) return sendBody(reply, held.bytes);
          if ('body' in page) return sendBody(reply, holdPage(pageKey, page.stamp, page.body));
          if ('rows' in page) {
            const items = await summariesJson(views, page.rows, owner);
            const body = bodyOf(
              items.filter((item): item is string => item !== undefined),
              page.nextCursor,
              page.state,
            );
            const stamp = await views.cacheFirstPage(owner, limit, page.state, body);
            return sendBody(reply, holdPage(pageKey, stamp, body));
          }
        }
      }

      // The changes after a token: from this process's copy of the change log when it can vouch
      // for them (summaries only, no Redis), else one command, which also says where the log
      // stands; a matching ETag ends the request there.
      const now = performance.now();
      const cached =
        since !== undefined && !full && cache !== undefined
          ? cache.changesSince(owner, since, limit, now)
          : undefined;
      let changes: Awaited<ReturnType<ViewStore['changesSince']>> | undefined;
      if (since !== undefined && cached === undefined) {
        changes = await readObserved(cache, owner, now, () =>
          views.changesSince(owner, since.seq, limit, !full),
        );
      }
      const state =
        cached !== undefined
          ? { epoch: since!.epoch, seq: cached.seq }
          : (changes ?? (await currentState(owner, now)));
      const etag = etagOf(request, state);
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      // Compared without its W/ prefix, as If-None-Match's weak comparison does.
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag.slice(2))) return reply.code(304).send();

      if (idList !== undefined) {
        // A malformed id is a missing one, as GET /v1/experiments/{id} answers 404 for it.
        const valid = idList.map((id) => z.uuid().safeParse(id).success);
        const found = await itemsOf(
          idList.filter((_, i) => valid[i]),
          owner,
          full,
        );
        let next = 0;
        const items = idList.map((id, i) => (valid[i] ? found[next++] : undefined) ?? missingJson(id));
        return send(reply, items, null, state);
      }

      if (since !== undefined) {
        let read: { seq: number; changed: CachedChange[] };
        if (cached !== undefined) read = cached;
        else {
          const log = changes!;
          if (since.epoch !== log.epoch || since.seq < log.floor || since.seq > log.seq) {
            throw new HttpProblem(
              410,
              'Change token expired',
              'the change log no longer covers this changeToken (Redis was reset, or its deletions were pruned); list again without changedSince',
            );
          }
          // Summaries came with the changes (one round trip); full resources are read now.
          const found =
            log.rows === undefined
              ? await itemsOf(
                  log.changed.map((c) => c.id),
                  owner,
                  full,
                )
              : await summariesJson(views, log.rows, owner);
          read = { seq: log.seq, changed: log.changed.map((c, i) => ({ ...c, json: found[i] })) };
        }
        const items = read.changed.map((c) => c.json ?? tombstoneJson(c.id, c.version));
        // A full page may have more after it: the token then stands at its last change.
        const seq = read.changed.length === limit ? read.changed.at(-1)!.version : read.seq;
        return send(reply, items, null, { epoch: state.epoch, seq });
      }

      if (full) {
        const page = await store.list(owner, { limit, cursor, status });
        const items = await Promise.all(
          page.items.map(async (record) => serializeResource(await context.service.resource(record))),
        );
        return send(reply, items, page.nextCursor, state);
      }
      const page = await views.page(owner, { limit, cursor, status });
      const items = await summariesJson(views, page.rows, owner);
      return send(
        reply,
        items.filter((item): item is string => item !== undefined),
        page.nextCursor,
        state,
      );
    },
  );
};
