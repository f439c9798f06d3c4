/** The parent queue: one "assemble" job per experiment, run once all its tasks are done. */
export const EXPERIMENT_QUEUE = 'fbstab-experiments';
/** The child queue: one job per task (a trial range of a cell, or a theory computation). */
export const TASK_QUEUE = 'fbstab-tasks';
/** Tries per task before the experiment fails; transient failures back off exponentially. */
export const TASK_ATTEMPTS = 3;
/**
 * BullMQ keeps an events stream per queue (10,000 entries by default). Nothing here reads it (the
 * API's progress events go through the service's own pub/sub), so it is capped low to let Redis
 * memory return to its baseline. Every Queue the service creates passes these options, since a
 * Queue writes its setting into the queue's meta key.
 */
export const QUEUE_OPTIONS = { streams: { events: { maxLen: 500 } } } as const;
