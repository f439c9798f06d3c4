/**
 * Errors that mean "Redis is unreachable" rather than "this request is wrong": ioredis'
 * connection and offline-queue errors, command timeouts, and socket errors. They become 503.
 */
const UNREACHABLE_MESSAGES = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /enableOfflineQueue/i,
  /Command timed out/i,
  /Reached the max retries per request/i,
  /connect ECONNREFUSED/i,
  /ECONNRESET/i,
  /ETIMEDOUT/i,
  /EPIPE/i,
  /Socket closed unexpectedly/i,
];
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNREACHABLE_NAMES = new Set(['MaxRetriesPerRequestError']);

export function isRedisUnavailableError(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== 'object') return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && UNREACHABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && UNREACHABLE_MESSAGES.some((re) => re.test(e.message as string)))
    return true;
  return isRedisUnavailableError(e.cause, depth + 1);
}
