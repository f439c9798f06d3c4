import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/**
 * The process logger: structured JSON on stdout, with the process role (`service`) and its pid,
 * which tells apart the API processes of one `API_PROCESSES` group and the workers of one host.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, service: string): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
