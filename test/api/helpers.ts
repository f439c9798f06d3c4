import { get, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.js';
import { configSchema, kernelPreferenceFromEnvironment, type Config } from '../../src/config.js';
import { connectRedis } from '../../src/redis/connect-redis.js';
import { startWorkers, type RunningWorkers } from '../../src/worker/start-workers.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

/** A small frame-bounds request: 2 cells × 50 trials, milliseconds of work. */
export const smallRequest = (trials = 50, seed?: number) => ({
  type: 'frame-bounds',
  trials,
  ...(seed === undefined ? {} : { seed }),
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4, 8] },
});

export interface Stack {
  server: TestRedis;
  config: Config;
  /** The API's connection (connectRedis(url, 'api')), as src/server.ts makes it. */
  redis: Redis;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> of the listening app. */
  base: string;
  workers: RunningWorkers | undefined;
  /** Another app on the same Redis, with other settings; closed by close(). */
  extraApp(env: Record<string, string>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * A private redis-server, an app listening on a free port and, when asked, in-process workers.
 * close() closes everything it opened, in order, so the test runner can exit.
 */
export async function startStack(
  options: { env?: Record<string, string>; workers?: boolean; server?: TestRedis } = {},
): Promise<Stack> {
  const server = options.server ?? (await startRedis());
  const envOf = (env: Record<string, string>) =>
    configSchema.parse({
      REDIS_URL: server.url,
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'silent',
      // FBSTAB_KERNEL=js npm test runs the whole suite on the JS kernels (docs/theory.md §12).
      FBSTAB_KERNEL: kernelPreferenceFromEnvironment(),
      ...env,
    });
  const config = envOf(options.env ?? {});
  const redis = connectRedis(server.url, 'api');
  redis.on('error', () => {}); // reconnect noise while a test stops Redis
  await redis.connect();
  const app = await buildApp({ config, redis, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  let workers: RunningWorkers | undefined;
  let workerConnection: Redis | undefined;
  if (options.workers === true) {
    workerConnection = connectRedis(server.url, 'worker');
    workerConnection.on('error', () => {});
    await workerConnection.connect();
    workers = await startWorkers({ config, connection: workerConnection, logger: pino({ level: 'silent' }) });
  }
  const extras: FastifyInstance[] = [];
  return {
    server,
    config,
    redis,
    app,
    base: `http://127.0.0.1:${port}`,
    workers,
    async extraApp(env) {
      const extra = await buildApp({ config: envOf(env), redis, logger: false });
      await extra.ready();
      extras.push(extra);
      return extra;
    },
    async close() {
      await workers?.close();
      workerConnection?.disconnect();
      for (const extra of extras) await extra.close();
      await app.close();
      redis.disconnect();
      if (options.server === undefined) await server.stop();
    },
  };
}

export interface SseEvent {
  event: string;
  /** The `id:` line, when the event has one. */
  id?: string;
  data: unknown;
}

/**
 * A Server-Sent Events parser to feed a stream's text: calls `onEvent` for each complete event
 * that has data (parsed as JSON) and `onComment` for each comment line.
 */
function sseParser(onEvent: (event: SseEvent) => void, onComment: (text: string) => void = () => {}) {
  let buffer = '';
  return (chunk: string) => {
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) onComment(line.slice(1).trim());
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trim());
      }
      if (data.length > 0)
        onEvent({ event, ...(id === undefined ? {} : { id }), data: JSON.parse(data.join('\n')) as unknown });
    }
  };
}

/**
 * Reads a Server-Sent Events stream with a raw http request (supertest would buffer it) until
 * the server ends it, or rejects after `timeoutMs`. `onEvent` sees each event as it arrives.
 */
export function readEvents(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number; onEvent?: (event: SseEvent) => void } = {},
): Promise<{ status: number; contentType: string | undefined; events: SseEvent[]; comments: string[] }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    const feed = sseParser(
      (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
      (text) => comments.push(text),
    );
    const req = get(url, { headers: { accept: 'text/event-stream', ...options.headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', feed);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], events, comments });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new Error(
          `event stream did not end within ${options.timeoutMs ?? 20_000} ms; got ${JSON.stringify(events)}`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    req.on('error', reject);
  });
}

/**
 * Reads an endless SSE stream until `until` holds for the events so far, then closes it; rejects
 * after `timeoutMs` or on a status other than 200.
 */
export function watchEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let req: ClientRequest | undefined = undefined;
    const timer = setTimeout(() => {
      req?.destroy();
      reject(new Error(`stream: no match within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
    }, timeoutMs);
    const feed = sseParser((event) => events.push(event));
    req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        feed(chunk);
        if (until(events)) {
          clearTimeout(timer);
          req?.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', (error) => {
      if (!req?.destroyed) reject(error);
    });
  });
}

/** Asserts the RFC 9457 shape every error response has (docs/api.md "Errors"). */
export function problemOf(res: {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}) {
  const contentType = res.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${contentType}: ${res.text}`);
  }
  const body = JSON.parse(res.text) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    errors?: { path: string; message: string }[];
  };
  for (const field of ['type', 'title', 'detail'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '')
      throw new Error(`problem without ${field}: ${res.text}`);
  }
  if (body.status !== res.status) throw new Error(`problem status ${body.status} ≠ HTTP ${res.status}`);
  if (/\bat .+:\d+:\d+\)?/.test(res.text)) throw new Error(`stack trace in a response: ${res.text}`);
  return body;
}

export { waitFor } from '../support/wait-for.js';
