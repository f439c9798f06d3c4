// The API process: configuration, Redis, listening and shutdown. The app itself is src/api/app.ts.
// With API_PROCESSES = n > 1 this process is a node:cluster primary that runs n of them on one
// port and does nothing else (no Redis, no HTTP).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { buildApp } from './api/app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { connectOrExplain, connectRedis } from './redis/connect-redis.js';
import { startWorkers, type RunningWorkers } from './worker/start-workers.js';

/** Starts the API, and with `withWorkers` also a worker in the same process (`npm run dev`). */
export async function main(options: { withWorkers?: boolean } = {}): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fbstab: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options.withWorkers !== true && config.API_PROCESSES > 1 && cluster.isPrimary) {
    runPrimary(config.API_PROCESSES, createLogger(config, 'fbstab-api-primary'));
    return;
  }
  const logger = createLogger(config, options.withWorkers === true ? 'fbstab-dev' : 'fbstab-api');
  const redis = connectRedis(config.REDIS_URL, 'api');
  try {
    await connectOrExplain(redis, config.REDIS_URL);
  } catch (error) {
    process.stderr.write(`fbstab: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let workers: RunningWorkers | undefined;
  if (options.withWorkers === true) {
    const connection = connectRedis(config.REDIS_URL, 'worker');
    await connection.connect();
    workers = await startWorkers({ config, connection, logger });
  }
  const app = await buildApp({ config, redis, logger });
  await app.listen({ host: config.HOST, port: config.PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Fastify stops accepting connections and waits for in-flight requests; workers hand back
    // what they cannot finish, which BullMQ retries elsewhere.
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    timer.unref();
    // Keep-alive connections that finish their last response after close() began would stay
    // open until their keep-alive timeout; close each as soon as it is idle.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
    await app.close();
    clearInterval(sweep);
    await workers?.close();
    redis.disconnect();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * Runs `count` API processes on one port (the cluster shares the listening socket). One that
 * dies once the group is up is replaced; one that fails to start (Redis unreachable, a port in
 * use) stops the group with its exit code, so `npm start` fails as a single process would. On
 * SIGTERM or SIGINT each process shuts down gracefully and the primary exits when all have.
 */
function runPrimary(count: number, logger: Logger): void {
  let stopping = false;
  const listening = new Set<Worker>();
  const fork = () => cluster.fork();
  cluster.on('listening', (worker) => {
    listening.add(worker);
    if (listening.size === count) logger.info({ processes: count }, 'API processes listening');
  });
  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (!wasListening) {
      // It never came up: starting another would fail the same way.
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
      process.exitCode = code === 0 || code === null ? 1 : code;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode);
      return;
    }
    logger.error({ workerPid: worker.process.pid, code, signal }, 'API process died; starting another');
    fork();
  });
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the API processes');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  for (let i = 0; i < count; i++) fork();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main({ withWorkers: process.argv.includes('--with-workers') });
}
