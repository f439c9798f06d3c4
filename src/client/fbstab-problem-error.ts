import type { FieldError, Problem } from './client-types.js';

/**
 * An answer of the service that is not a success: its problem+json body (docs/api.md "Errors"),
 * as a typed error. `errors` names each bad field of a validation problem.
 */
export class FbstabProblemError extends Error {
  override name = 'FbstabProblemError';
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** The whole body, extensions included (`cost`, `limit`, `names`, `requestId`). */
  readonly problem: Problem;
  /** What the answer's Retry-After asked for, in milliseconds (429 and 503). */
  readonly retryAfterMs: number | undefined;

  constructor(problem: Problem, retryAfterMs?: number) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.problem = problem;
    this.status = problem.status;
    this.title = problem.title;
    this.type = problem.type;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.retryAfterMs = retryAfterMs;
  }
}
