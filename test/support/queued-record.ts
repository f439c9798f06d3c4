import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import type { ExperimentRecord } from '../../src/store/experiment-record.js';

/**
 * A queued frame-bound record as the API would store it (2 filters of 4 taps, seed 1), for the
 * store's tests; `notify` adds a per-request webhook.
 */
export function queuedRecord(options: {
  id: string;
  owner: string;
  createdAt?: string;
  totalTrials?: number;
  taskCount?: number;
  notify?: boolean;
}): ExperimentRecord {
  const totalTrials = options.totalTrials ?? 10;
  const taskCount = options.taskCount ?? 1;
  return {
    id: options.id,
    type: 'frame-bounds',
    status: 'queued',
    owner: options.owner,
    request: {
      ...experimentRequestSchema.parse({
        type: 'frame-bounds',
        filterbank: { numFilters: 2, filterLengths: [4] },
        ...(options.notify === true ? { notify: { url: 'https://example.com/hook' } } : {}),
      }),
      seed: 1,
    },
    totalTrials,
    taskCount,
    chunkTrials: totalTrials / taskCount,
    createdAt: options.createdAt ?? new Date().toISOString(),
  };
}
