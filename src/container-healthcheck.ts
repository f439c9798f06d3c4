// The image's HEALTHCHECK, for both roles: `node dist/src/container-healthcheck.js`. A worker
// container has a heartbeat file (the worker writes it), and is healthy while it is fresh; an
// API container has none, and is healthy while GET /healthz answers 2xx.
import { existsSync } from 'node:fs';
import { loadConfig, type Config } from './config.js';
import { HEARTBEAT_STALE_INTERVALS, heartbeatAgeMs } from './worker/worker-heartbeat.js';

/** Whether this container's process is healthy, with a line saying why. */
export async function checkContainerHealth(
  config: Config,
  nowMs: number,
): Promise<{ healthy: boolean; detail: string }> {
  const file = config.WORKER_HEARTBEAT_FILE;
  if (file !== undefined && existsSync(file)) {
    const limitMs = HEARTBEAT_STALE_INTERVALS * config.WORKER_HEARTBEAT_INTERVAL_MS;
    const ageMs = heartbeatAgeMs(file, nowMs);
    if (ageMs === undefined) return { healthy: false, detail: `worker heartbeat ${file} is unreadable` };
    return {
      healthy: ageMs <= limitMs,
      detail: `worker heartbeat ${Math.round(ageMs)} ms old (limit ${limitMs} ms)`,
    };
  }
  const url = `http://127.0.0.1:${config.PORT}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { healthy: response.ok, detail: `${url}: ${response.status}` };
  } catch (error) {
    return { healthy: false, detail: `${url}: ${(error as Error).message}` };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { healthy, detail } = await checkContainerHealth(loadConfig(), Date.now());
  process.stdout.write(`${healthy ? 'healthy' : 'unhealthy'}: ${detail}\n`);
  process.exit(healthy ? 0 : 1);
}
