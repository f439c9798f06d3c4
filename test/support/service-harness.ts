import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { configSchema, kernelPreferenceFromEnvironment, type Config } from '../../src/config.js';
import { engineVersion } from '../../src/core/wasm/engine-version.js';
import { EXPERIMENT_QUEUE, QUEUE_OPTIONS, queuePrefix } from '../../src/queue/queue-names.js';
import { connectRedis } from '../../src/redis/connect-redis.js';
import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import { ExperimentService } from '../../src/service/experiment-service.js';
import type { ExperimentRecord } from '../../src/store/experiment-record.js';
import { PUBLIC_OWNER } from '../../src/store/redis-keys.js';
import { ExperimentStore } from '../../src/store/experiment-store.js';

/** The API's side of the queue, without HTTP: for worker tests. */
export interface ServiceHarness {
  config: Config;
  redis: Redis;
  store: ExperimentStore;
  service: ExperimentService;
  /** Submits a request body as the API would (public owner, no Idempotency-Key). */
  submit(body: unknown): Promise<ExperimentRecord>;
  close(): Promise<void>;
}

export async function createServiceHarness(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceHarness> {
  const config = configSchema.parse({
    REDIS_URL: redisUrl,
    MAX_EXPERIMENT_COST: '100000',
    // The kernels the worker processes get from the environment (docs/theory.md §12).
    FBSTAB_KERNEL: kernelPreferenceFromEnvironment(),
    ...env,
  });
  const redis = connectRedis(redisUrl, 'api');
  await redis.connect();
  const store = new ExperimentStore(redis, config.RESULT_TTL_SECONDS);
  const prefix = queuePrefix(engineVersion(config.FBSTAB_KERNEL));
  const queue = new Queue(EXPERIMENT_QUEUE, { ...QUEUE_OPTIONS, prefix, connection: redis });
  const service = new ExperimentService(redis, store, queue, config);
  return {
    config,
    redis,
    store,
    service,
    async submit(body) {
      return (await service.submit(PUBLIC_OWNER, experimentRequestSchema.parse(body), undefined, body))
        .record;
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

export { waitFor } from './wait-for.js';
