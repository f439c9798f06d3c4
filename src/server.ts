// The API process: configuration, Redis, listening and shutdown. The app itself is src/api/app.ts.
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

if (import.meta.url === `file://${process.argv[1]}`) {
  await main({ withWorkers: process.argv.includes('--with-workers') });
}
