import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for one role.
 * - `api`: commands fail at once while Redis is down (no offline queue, one retry), so a request
 *   gets 503 within a few seconds instead of hanging; the client keeps reconnecting.
 * - `worker`: blocking commands for BullMQ workers (maxRetriesPerRequest must be null there).
 */
export function connectRedis(url: string, role: 'api' | 'worker'): Redis {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  const options: RedisOptions =
    role === 'api'
      ? {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 3000,
          // No auto-pipelining: it wraps every command in a Pipeline of its own, which was 8 % of
          // the API's CPU under 100 dashboards polling once a second (one command in flight at a
          // time), and at 20 connections bench:api's ratios were the same without it.
          enableAutoPipelining: false,
        }
      : { ...common, maxRetriesPerRequest: null };
  const redis = new Redis(url, options);
  // Connection errors are retried by retryStrategy and surface as failed commands (503 in the
  // API); without a listener ioredis would print each one as an unhandled error event.
  redis.on('error', () => {});
  return redis;
}

/** Connects, or throws one readable line saying how to start Redis. */
export async function connectOrExplain(redis: Redis, url: string): Promise<void> {
  let cause: Error | undefined;
  const remember = (error: Error) => (cause ??= error);
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${url} (${(cause ?? (error as Error)).message}); start one with ` +
        '`redis-server --maxmemory-policy noeviction` or `docker compose up -d redis`, or set REDIS_URL',
    );
  } finally {
    redis.off('error', remember);
  }
}
