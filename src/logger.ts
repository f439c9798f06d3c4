import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** The process logger: structured JSON on stdout, one `service` field per process role. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, service: string): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
