import { z } from 'zod';
import { PROBLEM_TYPES, problemTypePath } from '../../service/problem.js';

/** One bad field of a validation problem: the field's path as clients name it, and why. */
export const fieldErrorSchema = z
  .object({
    path: z.string().describe('The bad field, e.g. `filterbank.filterLengths[1]`, or a query parameter name'),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

/** RFC 9457 problem details; every 4xx and 5xx response has this body (docs/api.md "Errors"). */
export const problemSchema = z
  .looseObject({
    type: z
      .string()
      .describe(
        'The kind of problem, one per status: a URI relative to this service that GET resolves to its ' +
          `description (${PROBLEM_TYPES.map((t) => `\`${problemTypePath(t.slug)}\``).join(', ')}), or ` +
          '`about:blank` for another status, with its HTTP reason phrase as the title',
      ),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(fieldErrorSchema).optional().describe('Validation problems only: each bad field'),
    cost: z.number().optional().describe('422 only: the estimated cost in core-seconds'),
    limit: z
      .number()
      .optional()
      .describe('422 only: MAX_EXPERIMENT_COST (experiments) or MAX_ANALYSIS_COST (analyses)'),
    names: z
      .array(z.string())
      .optional()
      .describe('422 of a .npz or .safetensors upload: the arrays or tensors to choose from'),
    requestId: z.string().optional().describe('500 only: quote it when reporting the problem'),
  })
  .describe('application/problem+json (RFC 9457)')
  .meta({ id: 'Problem' });

/** What `GET /problems/<slug>` answers: the meaning of one problem `type` URI. */
export const problemTypeSchema = z
  .object({
    type: z.string().describe('The `type` URI problems of this kind carry'),
    title: z.string(),
    status: z.int().describe('The HTTP status these problems have'),
    description: z.string().describe('When the service answers with it, and what to do'),
  })
  .meta({ id: 'ProblemType' });

export type ProblemBody = z.output<typeof problemSchema>;

const WHEN: Record<number, string> = {
  400: 'Malformed JSON, or an invalid request (`errors` names each bad field)',
  401: 'API keys are on and the request has no valid `Authorization: Bearer <key>`',
  404: 'No such experiment or signal (or not one of this key), or a malformed id',
  409: 'The Idempotency-Key was first used with a different body',
  413: 'The body is larger than MAX_BODY_BYTES, or a file has more samples than any signal may have',
  415: 'The content type is not one the route accepts, or a file is in an unsupported format (`detail` says which)',
  422: 'The estimated cost exceeds MAX_EXPERIMENT_COST (experiments) or MAX_ANALYSIS_COST (analyses); `detail`, `cost` and `limit` say by how much',
  429: 'Too many requests; see the Retry-After header',
  503: 'Redis (the queue and store) is unreachable, or the queue is full; see Retry-After',
};

interface ProblemResponse {
  description: string;
  content: { 'application/problem+json': { schema: typeof problemSchema } };
}

/** Response entries for the error statuses a route can answer, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, ProblemResponse> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: WHEN[s] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}
