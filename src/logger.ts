import { destination, pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** How long a gathered log line may wait before it is written, when logging is quiet. */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * The process logger: structured JSON on stdout, with the process role (`service`) and its pid,
 * which tells apart the API processes of one `API_PROCESSES` group and the workers of one host.
 *
 * Lines are gathered up to `LOG_BUFFER_BYTES` and written together (pino's sonic-boom
 * destination): one synchronous write per line was a third of the API's CPU on a polled list,
 * since each write to a pipe wakes its reader. What waits is written every 250 ms, and pino
 * writes the rest synchronously when the process exits, crashes included: only a SIGKILL loses
 * lines. `LOG_BUFFER_BYTES=0` writes each line synchronously, as it is logged (pino's own
 * default also writes line by line, but asynchronously, so a SIGKILL could lose the last).
 */
export function createLogger(
  config: Pick<Config, 'LOG_LEVEL' | 'LOG_BUFFER_BYTES'>,
  service: string,
): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const buffered = config.LOG_BUFFER_BYTES > 0;
  return pino(
    options,
    destination(
      buffered
        ? { dest: 1, sync: false, minLength: config.LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }
        : { dest: 1, sync: true },
    ),
  );
}
