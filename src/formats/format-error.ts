/**
 * A file that cannot be decoded, with the HTTP status the API answers with (docs/api.md "Errors"):
 * 400 for a malformed or lying file, 413 for one too large to analyse (or a zip bomb), 415 for a
 * well-formed file in a format the service does not support, 422 for a well-formed file the
 * request cannot use as it stands (several arrays and no choice, a multi-channel layer). The
 * message says what is wrong; `field` names the query parameter or CLI option that would fix it,
 * and `extensions` become members of the problem (e.g. the names to choose from).
 */
export class FormatError extends Error {
  override name = 'FormatError';

  constructor(
    readonly status: 400 | 413 | 415 | 422,
    message: string,
    readonly field?: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
