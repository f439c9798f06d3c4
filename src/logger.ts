import { destination, pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** How long a gathered log line may wait before it is written, when logging is quiet. */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * The process logger: structured JSON on stdout, with the process role (`service`) and its pid,
 * which tells apart the API processes of one `API_PROCESSES` group and the workers of one host.
 *
 * Lines are gathered up to `LOG_BUFFER_BYTES` and written together (pino's sonic-boom
 * destination): one write per line was a third of the API's CPU on a polled list, since each
 * write to a pipe wakes its reader. What waits is written every 250 ms, and the rest when the
 * process exits, crashes included: only a SIGKILL loses lines. `LOG_BUFFER_BYTES=0` writes each
 * line synchronously, as it is logged.
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
  if (config.LOG_BUFFER_BYTES === 0) return pino(options, destination({ dest: 1, sync: true }));
  // Synchronous writes of gathered lines, not asynchronous ones: pino flushes an asynchronous
  // destination at exit with sonic-boom's flushSync, which retries a write that failed with
  // EPIPE forever, so a worker whose stdout reader had gone never exited. A synchronous write
  // that fails goes to pino's broken-pipe handler, which drops the lines.
  const stream = destination({
    dest: 1,
    sync: true,
    minLength: config.LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
  process.once('exit', () => stream.flush());
  return pino(options, stream);
}
