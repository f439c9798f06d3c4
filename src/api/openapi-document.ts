import { Redis } from 'ioredis';
import { configSchema } from '../config.js';
import { buildApp } from './app.js';
import { openApiToYaml } from './plugins/docs.js';

/**
 * The OpenAPI document as YAML, from an app built with the default configuration and a Redis
 * client that never connects (building the app does no I/O). Deterministic: the same code
 * gives the same bytes, so the committed openapi.yaml can be checked in CI.
 */
export async function renderOpenApiYaml(): Promise<string> {
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
  const app = await buildApp({
    config: configSchema.parse({ WORKER_CONCURRENCY: '1' }),
    redis,
    logger: false,
  });
  try {
    await app.ready();
    return openApiToYaml(app.swagger());
  } finally {
    await app.close();
    redis.disconnect();
  }
}
