import type { Problem } from '../store/experiment-record.js';

/** An error that becomes an RFC 9457 problem+json response with this status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toProblem(): Problem {
    return {
      type: problemType(this.status),
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extensions,
    };
  }
}

/** One kind of problem the service reports, served at `/problems/<slug>` (docs/api.md "Errors"). */
export interface ProblemType {
  slug: string;
  status: number;
  title: string;
  /** When the service answers with it, and what the client can do. */
  description: string;
}

/**
 * The problem types, one per status the service answers with itself. Their URIs are relative
 * (`/problems/<slug>`), resolved against the service's own URL, so every one of them leads to a
 * description this service serves; any other status gets `about:blank`, whose title is the
 * HTTP reason phrase (RFC 9457 §4.2.1).
 */
export const PROBLEM_TYPES: readonly ProblemType[] = [
  {
    slug: 'invalid-request',
    status: 400,
    title: 'Invalid request',
    description:
      'The body is not valid JSON, or it, a query parameter or an uploaded file is invalid. A validation ' +
      'problem lists each bad field in `errors` as `{ path, message }`; fix those fields and send it again.',
  },
  {
    slug: 'unauthorized',
    status: 401,
    title: 'Unauthorized',
    description:
      'The server has API_KEYS set and the request has no `Authorization: Bearer <key>` header, or a key it ' +
      'does not know. The WWW-Authenticate header says which.',
  },
  {
    slug: 'not-found',
    status: 404,
    title: 'Not found',
    description:
      'No such route, no experiment or signal with this id (or not one of this API key; a malformed id ' +
      'is reported the same way), or no such plot of an experiment that has succeeded.',
  },
  {
    slug: 'idempotency-conflict',
    status: 409,
    title: 'Idempotency key reused',
    description:
      'The Idempotency-Key header was first used with a different body. Use a new key for a new request.',
  },
  {
    slug: 'change-token-expired',
    status: 410,
    title: 'Change token expired',
    description:
      'The `changedSince` token is from before the change log was reset (Redis was emptied) or before deletions ' +
      'it would have to report were pruned (a day after them). List again without `changedSince` and use the ' +
      'new `changeToken`.',
  },
  {
    slug: 'payload-too-large',
    status: 413,
    title: 'Payload too large',
    description:
      'The body is larger than MAX_BODY_BYTES, or an uploaded file holds more samples than a signal may have.',
  },
  {
    slug: 'uri-too-long',
    status: 414,
    title: 'URI too long',
    description: 'A path segment (an id, a plot name) is longer than any this service uses.',
  },
  {
    slug: 'unsupported-media-type',
    status: 415,
    title: 'Unsupported media type',
    description:
      'The Content-Type is not one the route accepts (`detail` names the ones it does), a JSON body is ' +
      'labelled with a charset other than UTF-8, or a file is in a format the route cannot read.',
  },
  {
    slug: 'cannot-run',
    status: 422,
    title: 'Request cannot run',
    description:
      'The request is valid but will not be run: its estimated cost exceeds MAX_EXPERIMENT_COST or ' +
      'MAX_ANALYSIS_COST (`cost` and `limit` give both, in core-seconds), or, as the `error` of a failed ' +
      'experiment, it could no longer be planned (a stored signal was deleted after the experiment was submitted).',
  },
  {
    slug: 'webhook-refused',
    status: 422,
    title: 'Webhook refused',
    description:
      'A webhook URL (`notify.url` of an experiment, or `url` of POST /v1/webhooks, named in `errors`) is not ' +
      'http or https, does not resolve, or resolves to an address that is not public (loopback, private, ' +
      'link-local, cloud metadata, carrier-grade NAT, unique-local, multicast or reserved); or the request ' +
      'has `notify` and the server has no WEBHOOK_SECRET to sign its deliveries with (register a standing ' +
      'webhook instead), or the API key already has the most standing webhooks allowed.',
  },
  {
    slug: 'too-many-requests',
    status: 429,
    title: 'Too many requests',
    description:
      'This API key (or address, when keys are off) made more than RATE_LIMIT_PER_MINUTE requests to /v1 ' +
      'in the last minute. Retry after the seconds of the Retry-After header.',
  },
  {
    slug: 'internal-error',
    status: 500,
    title: 'Internal server error',
    description:
      'Something unexpected went wrong; `requestId` (also the X-Request-Id header) finds it in the logs. ' +
      'As the `error` of a failed experiment: a task failed on every attempt.',
  },
  {
    slug: 'service-unavailable',
    status: 503,
    title: 'Service unavailable',
    description:
      'Redis (the queue and the store) is unreachable, or the experiment or analysis queue is full. ' +
      'Retry after the seconds of the Retry-After header.',
  },
];

/** The path a problem type is served at, and its `type` URI. */
export const problemTypePath = (slug: string) => `/problems/${slug}`;

/** The first type of each status is its default; a later one is sent by name (TypedHttpProblem). */
const BY_STATUS = new Map(PROBLEM_TYPES.toReversed().map((t) => [t.status, t]));

/** The `type` URI of a problem with this status: `/problems/<slug>`, or `about:blank`. */
export function problemType(status: number): string {
  const known = BY_STATUS.get(status);
  return known === undefined ? 'about:blank' : problemTypePath(known.slug);
}

/** An HttpProblem of a type other than its status's default one (`slug` is in PROBLEM_TYPES). */
export class TypedHttpProblem extends HttpProblem {
  constructor(
    readonly slug: string,
    status: number,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(status, title, detail, extensions);
  }

  override toProblem(): Problem {
    return { ...super.toProblem(), type: problemTypePath(this.slug) };
  }
}
