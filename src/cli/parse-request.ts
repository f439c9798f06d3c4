import { experimentRequestSchema, type ExperimentRequest } from '../experiments/experiment-request.js';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';

/** A bad request, with one line that names each bad field. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses and validates a request body exactly as the API does. */
export function parseRequest(text: string, source: string): ExperimentRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = experimentRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new UsageError(`invalid request in ${source}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
