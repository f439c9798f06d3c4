import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { configSchema, type Config } from '../../src/config.js';
import { EXPERIMENT_QUEUE, QUEUE_OPTIONS } from '../../src/queue/queue-names.js';
import { connectRedis } from '../../src/redis/connect-redis.js';
import { ExperimentService } from '../../src/service/experiment-service.js';
import { ExperimentStore } from '../../src/store/experiment-store.js';

/** The API's side of the queue, without HTTP: for worker tests. */
export interface ServiceHarness {
  config: Config;
  redis: Redis;
  store: ExperimentStore;
  service: ExperimentService;
  close(): Promise<void>;
}

export async function createServiceHarness(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceHarness> {
  const config = configSchema.parse({ REDIS_URL: redisUrl, MAX_EXPERIMENT_COST: '100000', ...env });
  const redis = connectRedis(redisUrl, 'api');
  await redis.connect();
  const store = new ExperimentStore(redis, config.RESULT_TTL_SECONDS);
  const flows = new FlowProducer({ connection: redis });
  const queue = new Queue(EXPERIMENT_QUEUE, { ...QUEUE_OPTIONS, connection: redis });
  const service = new ExperimentService(redis, store, flows, queue, config);
  return {
    config,
    redis,
    store,
    service,
    async close() {
      await flows.close();
      await queue.close();
      redis.disconnect();
    },
  };
}

export { waitFor } from './wait-for.js';
