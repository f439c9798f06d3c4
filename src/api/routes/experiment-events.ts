import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { progressData, type ExperimentEvent, type ProgressData } from '../../service/experiment-events.js';
import {
  FINAL_STATUSES,
  type ExperimentRecord,
  type ExperimentStatus,
} from '../../store/experiment-record.js';
import { keys } from '../../store/redis-keys.js';
import { openEventStream } from '../open-event-stream.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../problem-handler.js';
import { experimentIdParamsSchema } from '../schemas/experiment.js';
import { problemResponses } from '../schemas/problem.js';

/** The store is polled this often as a fallback for missed pub/sub messages (at most 1 s stale). */
export const POLL_INTERVAL_MS = 1000;
/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000;

/** Open SSE streams of one app, ended on app close so that close() does not wait for clients. */
export type OpenStreams = Set<() => void>;

const isFinal = (status: ExperimentStatus) => FINAL_STATUSES.includes(status);

/**
 * `GET /v1/experiments/:id/events` (docs/api.md): a Server-Sent Events stream, first the current
 * `status` and `progress`, then every event the workers publish on the experiment's channel,
 * with the store polled every second as a fallback. It ends after a final status.
 */
export const experimentEventRoutes: FastifyPluginAsyncZod<{
  context: ApiContext;
  streams: OpenStreams;
}> = async (app, { context, streams }) => {
  app.get(
    '/experiments/:id/events',
    {
      schema: {
        operationId: 'streamExperimentEvents',
        summary: 'Follow an experiment (Server-Sent Events)',
        description:
          'A `text/event-stream` of `status` events (`{ id, status, finishedAt? }`) and `progress` events ' +
          '(`{ completedTrials, totalTrials, fraction }`). It starts with the current status and progress, sends a ' +
          '`: keep-alive` comment every 15 s, and ends after the final status (succeeded, failed or cancelled).',
        tags: ['experiments'],
        security: [{ bearerAuth: [] }],
        params: experimentIdParamsSchema,
        response: {
          200: {
            description: 'The event stream: `event: status|progress` and `data: <JSON>` lines',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const initial = await context.store.getOwned(id, request.owner);
      if (initial === undefined) throw notFound('experiment', id);

      // Subscribe before reading the state, so nothing published in between is lost.
      const pending: string[] = [];
      let live = false;
      const unsubscribe = await context.events.subscribe(keys.events(id), (message) =>
        live ? deliver(message) : pending.push(message),
      );
      let record: ExperimentRecord | undefined;
      let completed: number;
      try {
        record = await context.store.get(id);
        completed = await context.store.completedTrials(id);
      } catch (error) {
        unsubscribe();
        throw error;
      }
      if (record === undefined) {
        unsubscribe();
        throw notFound('experiment', id);
      }

      const { res, end, timers, isEnded } = openEventStream(request, reply, streams, unsubscribe);
      let lastStatus: ExperimentStatus = record.status;
      let statusSent = false;
      let lastCompleted = -1;

      const emit = (event: ExperimentEvent) => {
        if (isEnded()) return;
        if (event.event === 'progress') {
          // Workers publish independently, so a count can arrive after a larger one: send only
          // progress that moves forward.
          if (event.data.completedTrials <= lastCompleted) return;
          lastCompleted = event.data.completedTrials;
        } else {
          if (statusSent && event.data.status === lastStatus) return;
          statusSent = true;
          lastStatus = event.data.status;
        }
        res.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
      };
      const write = (event: ExperimentEvent) => {
        emit(event);
        if (event.event === 'status' && isFinal(event.data.status)) end();
      };
      const statusEvent = (r: ExperimentRecord): ExperimentEvent => ({
        event: 'status',
        data: {
          id: r.id,
          status: r.status,
          ...(r.finishedAt === undefined ? {} : { finishedAt: r.finishedAt }),
        },
      });
      const progressOf = (r: ExperimentRecord, done: number): ProgressData =>
        progressData(r.status === 'succeeded' ? r.totalTrials : done, r.totalTrials);

      // The current state first: progress, then status, so a final status is always the last event.
      emit({ event: 'progress', data: progressOf(record, completed) });
      emit(statusEvent(record));
      if (isFinal(record.status)) {
        end();
        return;
      }

      function deliver(message: string) {
        try {
          const event = JSON.parse(message) as ExperimentEvent;
          if (event.event === 'progress' || event.event === 'status') write(event);
        } catch (error) {
          request.log.warn({ err: error }, 'unreadable experiment event');
        }
      }
      live = true;
      for (const message of pending.splice(0)) deliver(message);

      timers.push(
        setInterval(() => {
          void (async () => {
            const current = await context.store.get(id);
            if (isEnded()) return;
            if (current === undefined) {
              end(); // deleted meanwhile
              return;
            }
            const done = await context.store.completedTrials(id);
            write({ event: 'progress', data: progressOf(current, done) });
            if (current.status !== lastStatus) write(statusEvent(current));
          })().catch((error: unknown) => request.log.debug({ err: error }, 'event poll failed'));
        }, POLL_INTERVAL_MS),
        setInterval(() => {
          if (!isEnded()) res.write(': keep-alive\n\n');
        }, KEEP_ALIVE_MS),
      );
    },
  );
};
