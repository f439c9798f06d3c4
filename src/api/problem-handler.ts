import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';
import { FormatError } from '../formats/format-error.js';
import { HttpProblem, problemType } from '../service/problem.js';
import { isRedisUnavailableError } from './redis-errors.js';
import type { ProblemBody } from './schemas/problem.js';

/** Seconds a client should wait before retrying while Redis is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** What our validator compiler puts in `error.validation`: zod issues with their original path. */
export interface ValidationIssue {
  message: string;
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  zodPath: PropertyKey[];
}

/** Sends a problem+json response; the body is serialised here, not by a route's schema. */
export function sendProblem(reply: FastifyReply, problem: ProblemBody, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(problem));
}

export function problem(
  status: number,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
) {
  return { type: problemType(status), title, status, detail, ...extensions };
}

export function notFound(what: string, id: string): HttpProblem {
  return new HttpProblem(404, 'Not found', `no ${what} with id ${JSON.stringify(id.slice(0, 100))}`);
}

/** A 400 naming one bad field, like a validation error (a RequestInputError's path and message). */
export function inputProblem(path: readonly PropertyKey[], message: string): HttpProblem {
  const field = formatIssuePath(path);
  return new HttpProblem(400, 'Invalid request', `the request is invalid: ${field}: ${message}`, {
    errors: [{ path: field, message }],
  });
}

const FORMAT_TITLES = {
  400: 'Malformed file',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable file',
} as const;

/**
 * An undecodable uploaded file (FormatError): its status, its message as the detail, and, when
 * it names a query parameter that would fix it, that parameter in `errors`.
 */
export function formatProblem(error: FormatError): HttpProblem {
  const errors = error.field === undefined ? {} : { errors: [{ path: error.field, message: error.message }] };
  return new HttpProblem(error.status, FORMAT_TITLES[error.status], error.message, {
    ...errors,
    ...error.extensions,
  });
}

function validationProblem(
  error: FastifyError,
  request: FastifyRequest,
): { problem: ProblemBody; status: number } {
  const context = error.validationContext ?? 'body';
  const issues = (error.validation ?? []) as unknown as Partial<ValidationIssue>[];
  if (context === 'params') {
    // A malformed id names nothing: the same 404 as an unknown one.
    const params = request.params as Record<string, unknown> | undefined;
    const route = request.routeOptions.url ?? '';
    const [what, id] = route.startsWith('/problems/')
      ? ['problem type', params?.slug]
      : [route.startsWith('/v1/signals') ? 'signal' : 'experiment', params?.id];
    const p = notFound(what, typeof id === 'string' ? id : '').toProblem();
    return { problem: p, status: 404 };
  }
  const errors = issues.map((issue) => {
    const path = issue.zodPath ?? issue.instancePath?.split('/').filter((s) => s !== '') ?? [];
    // Body paths read like the JSON (`signals[0].kind`); a query parameter or header by its name.
    const formatted =
      context === 'body' ? formatIssuePath(path) : path.length === 0 ? `(${context})` : formatIssuePath(path);
    return { path: formatted, message: issue.message ?? 'invalid' };
  });
  const where = context === 'body' ? 'body' : context === 'querystring' ? 'query parameters' : context;
  const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return {
    problem: problem(400, 'Invalid request', `the request ${where} is invalid: ${list}`, { errors }),
    status: 400,
  };
}

/**
 * Maps any error to an RFC 9457 problem. Internal messages and stacks stay in the log; a 500
 * says only that something went wrong, with the request id to quote.
 */
export function toProblem(
  error: unknown,
  request: FastifyRequest,
): { problem: ProblemBody; headers: Record<string, string>; internal: boolean } {
  if (error instanceof HttpProblem) {
    return { problem: error.toProblem(), headers: { ...error.headers }, internal: false };
  }
  if (error instanceof FormatError) {
    return { problem: formatProblem(error).toProblem(), headers: {}, internal: false };
  }
  const e = error as Partial<FastifyError> & { message?: string };
  if (Array.isArray(e.validation)) {
    return { ...validationProblem(e as FastifyError, request), headers: {}, internal: false };
  }
  if (isRedisUnavailableError(error)) {
    return {
      problem: problem(503, 'Service unavailable', 'the experiment store is unreachable; retry shortly'),
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      internal: true,
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        problem: problem(413, 'Payload too large', 'the request body exceeds the size limit of this service'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problem(
          415,
          'Unsupported media type',
          `content type ${JSON.stringify((request.headers['content-type'] ?? '').slice(0, 100))} is not supported here; send ${(request.routeOptions.config.accepts ?? ['application/json']).join(' or ')}`,
        ),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        problem: problem(400, 'Malformed request body', 'the request body is not valid JSON'),
        headers: {},
        internal: false,
      };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 429) {
    return {
      problem: problem(
        429,
        'Too many requests',
        'the rate limit of this API key (or address) is exceeded; see Retry-After',
      ),
      headers: {},
      internal: false,
    };
  }
  if (status >= 400 && status < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    // Fastify's own client errors have safe, useful messages.
    return {
      problem: problem(status, STATUS_CODES[status] ?? 'Bad request', e.message ?? 'bad request'),
      headers: {},
      internal: false,
    };
  }
  return {
    problem: problem(
      500,
      'Internal server error',
      'an unexpected error occurred; quote the request id when reporting it',
      {
        requestId: String(request.id),
      },
    ),
    headers: {},
    internal: true,
  };
}

/** The one error handler and the not-found handler: every 4xx and 5xx as problem+json. */
export const problemHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error, request, reply) => {
      const { problem: body, headers, internal } = toProblem(error, request);
      if (internal) request.log.error({ err: error }, `request failed: ${body.title}`);
      else if (body.status >= 500) request.log.warn({ problem: body }, 'request refused');
      else request.log.info({ status: body.status, title: body.title }, 'client error');
      return sendProblem(reply, body, headers);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        problem(404, 'Not found', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`),
      ),
    );
  },
  { name: 'problem-handler' },
);
