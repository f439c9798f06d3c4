import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeChangeToken, encodeChangeToken } from '../../service/change-token.js';
import { summariesJson, tombstoneJson } from '../../service/experiment-summary.js';
import { HttpProblem } from '../../service/problem.js';
import { keys } from '../../store/redis-keys.js';
import { ViewStore, type ChangeState } from '../../store/view-store.js';
import { readObserved } from '../change-cache.js';
import { openEventStream } from '../open-event-stream.js';
import type { ApiContext } from '../context.js';
import { problemResponses } from '../schemas/problem.js';
import { KEEP_ALIVE_MS, type OpenStreams } from './experiment-events.js';

/** The change log is read this often as a fallback for missed pub/sub messages. */
export const OWNER_POLL_MS = 1000;
/** Changes read per round trip when catching up. */
const CATCH_UP_BATCH = 100;

/**
 * `GET /v1/events` (docs/api.md "Changes"): one Server-Sent Events stream of every change of the
 * caller's experiments, each a `change` event whose data is the experiment's summary (or a
 * tombstone `{ id, version, deleted: true }`). Event ids are change tokens: a reconnecting
 * EventSource sends the last one as Last-Event-ID and gets what it missed. Pub/sub wakes the
 * stream; the change log (read once a second too) is what it sends, so nothing is skipped.
 */
export const ownerEventRoutes: FastifyPluginAsyncZod<{ context: ApiContext; streams: OpenStreams }> = async (
  app,
  { context, streams },
) => {
  const views = new ViewStore(context.redis);
  app.get(
    '/events',
    {
      schema: {
        operationId: 'streamChanges',
        summary: "Follow every change of this key's experiments (Server-Sent Events)",
        description:
          'A `text/event-stream`: first `ready` (`{ changeToken }`), then a `change` event per changed experiment ' +
          '(its summary, or `{ id, version, deleted: true }`), each with an `id:` that is a change token. Start ' +
          'after a token with `changedSince` or a Last-Event-ID header; one the change log no longer covers gives ' +
          '410 with `changedSince`, and a `reset` event (then the current state) with Last-Event-ID.',
        tags: ['experiments'],
        security: [{ bearerAuth: [] }],
        querystring: z.object({
          changedSince: z.string().min(1).max(200).optional().describe('A changeToken to start after'),
        }),
        response: {
          200: {
            description: 'The event stream: `event: ready|change|reset`, `id: <changeToken>`, `data: <JSON>`',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...problemResponses(400, 401, 410, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const owner = request.owner;
      const lastEventId = request.headers['last-event-id'];
      const explicit = request.query.changedSince;
      let start: ChangeState | undefined;
      const raw =
        explicit ?? (typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : undefined);
      if (raw !== undefined) {
        try {
          start = decodeChangeToken(raw);
        } catch {
          if (explicit !== undefined)
            throw new HttpProblem(
              400,
              'Invalid request',
              'the request query parameters are invalid: changedSince: not a changeToken this API returned',
              {
                errors: [{ path: 'changedSince', message: 'not a changeToken this API returned' }],
              },
            );
        }
      }

      // Subscribe before reading the log, so nothing published in between is lost. With the change
      // cache listening, it wakes the stream after it has the change, which the stream then reads
      // from memory; the channel wakes it only while the cache is not listening.
      const cache = context.changeCache;
      let wake: () => void = () => {};
      const unwatch = cache?.watch(owner, () => wake()) ?? (() => {});
      let unsubscribe: () => void;
      try {
        const unlisten = await context.events.subscribe(keys.ownerEvents(owner), () => {
          if (cache?.isListening !== true) wake();
        });
        unsubscribe = () => {
          unlisten();
          unwatch();
        };
      } catch (error) {
        unwatch();
        throw error;
      }
      let head: Awaited<ReturnType<ViewStore['changesSince']>>;
      try {
        head = await views.changesSince(owner, start?.seq ?? 0, 0);
      } catch (error) {
        unsubscribe();
        throw error;
      }
      const covered =
        start !== undefined && start.epoch === head.epoch && start.seq >= head.floor && start.seq <= head.seq;
      if (start !== undefined && !covered && explicit !== undefined) {
        unsubscribe();
        throw new HttpProblem(
          410,
          'Change token expired',
          'the change log no longer covers this changeToken; list again without changedSince',
        );
      }

      const { res, timers, isEnded } = openEventStream(request, reply, streams, unsubscribe);

      const epoch = head.epoch;
      // Every change up to `sent` has been written: it is the id a reconnect resumes from.
      let sent = covered ? start!.seq : head.seq;
      if (start !== undefined && !covered) res.write(`event: reset\ndata: {}\n\n`);
      res.write(
        `event: ready\nid: ${encodeChangeToken({ epoch, seq: sent })}\ndata: ${JSON.stringify({ changeToken: encodeChangeToken({ epoch, seq: sent }) })}\n\n`,
      );

      let reading = false;
      let again = false;
      /** Sends every change after `sent`, in order of the log; runs once at a time. */
      const catchUp = async () => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            for (;;) {
              const now = performance.now();
              let read = cache?.changesSince(owner, { epoch, seq: sent }, CATCH_UP_BATCH, now);
              if (read === undefined) {
                // The summaries of what changed come with the changes: one round trip.
                const changes = await readObserved(cache, owner, now, () =>
                  views.changesSince(owner, sent, CATCH_UP_BATCH, true),
                );
                if (isEnded()) return;
                if (changes.epoch !== epoch || sent < changes.floor) {
                  // The log was reset under the stream: say so and go on from where it stands.
                  res.write(`event: reset\ndata: {}\n\n`);
                  sent = changes.seq;
                  break;
                }
                const items = await summariesJson(views, changes.rows ?? [], owner);
                if (isEnded()) return;
                read = {
                  seq: changes.seq,
                  changed: changes.changed.map((c, i) => ({ ...c, json: items[i] })),
                };
              }
              for (const change of read.changed) {
                const data = change.json ?? tombstoneJson(change.id, change.version);
                res.write(
                  `event: change\nid: ${encodeChangeToken({ epoch, seq: change.version })}\ndata: ${data}\n\n`,
                );
              }
              const full = read.changed.length === CATCH_UP_BATCH;
              sent = full ? read.changed.at(-1)!.version : Math.max(sent, read.seq);
              if (!full) break;
            }
          } while (again && !isEnded());
        } finally {
          reading = false;
        }
      };
      const run = () => {
        void catchUp().catch((error: unknown) =>
          request.log.debug({ err: error }, 'change stream read failed'),
        );
      };
      wake = run;
      run();
      timers.push(
        setInterval(run, OWNER_POLL_MS),
        setInterval(() => {
          if (!isEnded()) res.write(': keep-alive\n\n');
        }, KEEP_ALIVE_MS),
      );
    },
  );
};
