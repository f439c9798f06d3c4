/**
 * A file that cannot be decoded, with the HTTP status the API answers with (docs/api.md "Errors"):
 * 400 for a malformed or lying file, 413 for one too large to analyse, 415 for a well-formed
 * file in a format the service does not support. The message says what is wrong.
 */
export class FormatError extends Error {
  override name = 'FormatError';

  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}
