import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../service/problem.js';

/** `charset=…` of a Content-Type header, unquoted, or undefined when it has none. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  return match === null ? undefined : (match[2] ?? match[1]);
}

/**
 * Replaces Fastify's JSON body parser, for every route, with one that refuses (415) a body
 * labelled with a charset other than UTF-8 (docs/api.md "Errors"): RFC 8259 §8.1 makes JSON
 * UTF-8, and decoding a UTF-16 body as UTF-8 would silently read something else. Parsing itself
 * stays Fastify's (secure-json-parse, prototype poisoning refused), within the app's body limit.
 */
export function useUtf8JsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type'] ?? '');
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(
        new HttpProblem(
          415,
          'Unsupported media type',
          `charset ${JSON.stringify(charset.slice(0, 40))} is not supported: JSON bodies must be UTF-8 ` +
            '(send Content-Type: application/json or application/json; charset=utf-8)',
        ),
        undefined,
      );
      return;
    }
    parseJson(request, body as string, done);
  });
}
