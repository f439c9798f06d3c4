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
    return { type: problemType(this.status), title: this.title, status: this.status, detail: this.message, ...this.extensions };
  }
}

/** A stable `type` URI per status, documented in the README. */
export function problemType(status: number): string {
  return `https://fbstab.dev/problems/${status}`;
}
