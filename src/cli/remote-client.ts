import { cliRemoteFromEnvironment } from '../config.js';
import { FbstabClient } from '../client/fbstab-client.js';
import { FbstabConnectionError } from '../client/fbstab-connection-error.js';
import { FbstabProblemError } from '../client/fbstab-problem-error.js';
import { UsageError } from './parse-request.js';

/**
 * The client of `--server URL` (or FBSTAB_SERVER), with FBSTAB_API_KEY; undefined to run
 * in-process (README "The CLI").
 */
export function remoteClient(server: string | undefined): FbstabClient | undefined {
  const env = cliRemoteFromEnvironment();
  const url = server ?? env.server;
  if (url === undefined || url === '') return undefined;
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url))
    throw new UsageError(`--server: expected an http or https URL, got "${url}"`);
  // Few, short retries: a person is waiting, and an unreachable server should say so soon.
  return new FbstabClient({
    baseUrl: url,
    ...(env.apiKey === undefined ? {} : { apiKey: env.apiKey }),
    retry: { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 30_000 },
  });
}

/**
 * A server's refusal as the CLI reports a local one: 4xx are the caller's to fix (exit 2, one
 * line, each bad field named as local validation names it); anything else exits 1.
 */
export function remoteError(error: unknown, what: string): Error {
  if (error instanceof FbstabProblemError) {
    if (error.errors.length > 0)
      return new UsageError(
        `invalid ${what}: ${error.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    const line = `${what}: the server answered ${error.status} ${error.title}: ${error.detail}`;
    return error.status >= 400 && error.status < 500 ? new UsageError(line) : new Error(line);
  }
  if (error instanceof FbstabConnectionError) return new Error(`${error.message} (is the server up?)`);
  return error as Error;
}
