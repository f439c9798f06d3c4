/**
 * The service could not be reached (refused, reset, DNS, TLS) after the retries the client
 * allows (docs/api.md "Client"); `cause` is the error `fetch` threw.
 */
export class FbstabConnectionError extends Error {
  override name = 'FbstabConnectionError';

  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${describe(cause)}`, { cause });
  }
}

/** undici's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND…). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code} ${cause.message}`
      : cause.message;
  }
  return error.message;
}
