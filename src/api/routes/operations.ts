import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { problem, sendProblem, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../problem-handler.js';
import { problemResponses } from '../schemas/problem.js';

/** `/readyz` gives Redis this long to answer PING before reporting not ready. */
const READY_TIMEOUT_MS = 2000;

/** Liveness and readiness probes (docs/api.md "Operations"). */
export const operationRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  const tags = ['operations'];
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the process is alive',
        description: 'Answers 200 while the process runs, whatever the state of Redis: for a liveness probe.',
        tags,
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }).describe('Alive') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: Redis answers PING',
        description:
          'Answers 200 when Redis answers PING within 2 s, else 503 with Retry-After: for a readiness probe or a ' +
          'load balancer.',
        tags,
        security: [],
        response: {
          200: z.object({ status: z.literal('ready') }).describe('Redis answers'),
          ...problemResponses(503),
        },
      },
    },
    async (request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          context.redis.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('Command timed out')), READY_TIMEOUT_MS);
          }),
        ]);
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'not ready: Redis does not answer');
        return sendProblem(reply, problem(503, 'Service unavailable', 'Redis does not answer PING'), {
          'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
        });
      } finally {
        clearTimeout(timer);
      }
    },
  );
};
