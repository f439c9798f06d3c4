// BullMQ worker process: a thin adapter; the work is src/worker/start-workers.ts.
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { connectOrExplain, connectRedis } from '../src/redis/connect-redis.js';
import { startWorkers } from '../src/worker/start-workers.js';
import { startWorkerHeartbeat } from '../src/worker/worker-heartbeat.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`fbstab worker: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger(config, 'fbstab-worker');
// Signals are caught from the start: one that arrives while the worker starts up is answered by
// a graceful shutdown once it has started, never by node's default of dying on the spot.
let onSignal = (signal: string) => void (pendingSignal ??= signal);
let pendingSignal: string | undefined;
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));
const connection = connectRedis(config.REDIS_URL, 'worker');
try {
  await connectOrExplain(connection, config.REDIS_URL);
} catch (error) {
  process.stderr.write(`fbstab worker: ${(error as Error).message}\n`);
  process.exit(1);
}
const workers = await startWorkers({ config, connection, logger });
// The container's health check reads this file (a worker serves no HTTP to probe).
const heartbeat =
  config.WORKER_HEARTBEAT_FILE === undefined
    ? undefined
    : startWorkerHeartbeat({
        file: config.WORKER_HEARTBEAT_FILE,
        intervalMs: config.WORKER_HEARTBEAT_INTERVAL_MS,
        connection,
        logger,
      });

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing tasks in hand');
  const timer = setTimeout(() => process.exit(1), 60_000);
  timer.unref();
  heartbeat?.stop();
  await workers.close();
  connection.disconnect();
  process.exit(0);
};
onSignal = (signal) => void shutdown(signal);
if (pendingSignal !== undefined) void shutdown(pendingSignal);
