import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A heartbeat older than this many intervals means the worker is stuck or cut off from Redis. */
export const HEARTBEAT_STALE_INTERVALS = 4;

export interface WorkerHeartbeat {
  stop(): void;
}

/**
 * Writes the current time (ms since the epoch) to `file` every `intervalMs`, but only after a
 * PING to Redis came back: a worker is healthy when its event loop runs and it can reach its
 * queue. The container's health check (src/health/container-healthcheck.ts) reads the age; a
 * worker serves no HTTP, so it cannot be probed on /healthz as the API is.
 */
export function startWorkerHeartbeat(options: {
  file: string;
  intervalMs: number;
  connection: Redis;
  logger: Logger;
}): WorkerHeartbeat {
  const { file, intervalMs, connection, logger } = options;
  let beating = false;
  let wasHealthy: boolean | undefined;
  const beat = async () => {
    if (beating) return;
    beating = true;
    try {
      // The worker connection queues commands while Redis is down; only ask when connected, and
      // give up on a reply slower than one interval.
      const healthy =
        connection.status === 'ready' &&
        (await Promise.race([
          connection.ping().then((reply) => reply === 'PONG'),
          new Promise<false>((resolve) => setTimeout(resolve, intervalMs, false).unref()),
        ]));
      if (healthy) {
        // Write, then rename: the check never reads a half-written file.
        writeFileSync(`${file}.tmp`, String(Date.now()));
        renameSync(`${file}.tmp`, file);
      }
      if (healthy !== wasHealthy) {
        logger.info(
          { file, healthy },
          healthy ? 'heartbeat: Redis reachable' : 'heartbeat paused: Redis unreachable',
        );
        wasHealthy = healthy;
      }
    } catch (error) {
      logger.warn({ file, err: error }, 'heartbeat not written');
    } finally {
      beating = false;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The heartbeat's age in ms at `nowMs`, or undefined when there is no readable heartbeat. */
export function heartbeatAgeMs(file: string, nowMs: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const writtenMs = Number(text);
  return Number.isFinite(writtenMs) && text.trim() !== '' ? nowMs - writtenMs : undefined;
}
