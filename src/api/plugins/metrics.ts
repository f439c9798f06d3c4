import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { problemResponses } from '../schemas/problem.js';

const JOB_STATES = [
  'waiting',
  'waiting-children',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'completed',
  'failed',
] as const;

/**
 * Prometheus metrics of this app instance, in its own registry (not prom-client's global one,
 * so tests can build several apps): request count and duration by method, route and status,
 * and the job counts of both queues, read from Redis on each scrape.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: { context: ApiContext; guard: onRequestHookHandler | undefined }) => {
    const register = new Registry();
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'fbstab_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
      registers: [register],
    });
    const duration = new Histogram({
      name: 'fbstab_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [register],
    });
    const { context } = options;
    new Gauge({
      name: 'fbstab_queue_jobs',
      help: 'BullMQ jobs per queue and state (experiments: assemble jobs; tasks: simulation chunks)',
      labelNames: ['queue', 'state'],
      registers: [register],
      async collect() {
        this.reset();
        try {
          for (const queue of context.allQueues) {
            const counts = await queue.getJobCounts(...JOB_STATES);
            for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }
        } catch (error) {
          // A scrape while Redis is down still answers, without the queue gauges.
          app.log.warn({ err: error }, 'queue metrics unavailable');
        }
      },
    });

    new Counter({
      name: 'fbstab_change_polls_total',
      help: 'Reads of changes (changedSince polls of summaries, GET /v1/events, the position behind a list ETag) by where they were answered: memory (the change cache) or redis',
      labelNames: ['source'],
      registers: [register],
      collect() {
        const counts = context.changeCache?.counts;
        if (counts === undefined) return;
        this.reset();
        this.inc({ source: 'memory' }, counts.memory);
        this.inc({ source: 'redis' }, counts.redis);
      },
    });

    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });

    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          description:
            'Prometheus text: request counts and durations by route and status, and the job counts of both queues. ' +
            'Public by default; with API_KEYS set and METRICS_PUBLIC=false it needs a key like /v1.',
          tags: ['operations'],
          security: [],
          response: {
            200: {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: z.string() } },
            },
            ...problemResponses(401),
          },
        },
        ...(options.guard === undefined ? {} : { onRequest: options.guard }),
      },
      async (_request, reply) => {
        const text = await register.metrics();
        return reply.type(register.contentType).send(text);
      },
    );
  },
  { name: 'metrics' },
);
