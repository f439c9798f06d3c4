/** The parent queue: one "assemble" job per experiment, run once all its tasks are done. */
export const EXPERIMENT_QUEUE = 'fbstab-experiments';
/** The child queue: one job per task (a trial range of a cell, or a theory computation). */
export const TASK_QUEUE = 'fbstab-tasks';
/**
 * Webhook jobs (dispatch of one event, delivery to one target), under BullMQ's default prefix:
 * not per engine, since a delivery computes nothing.
 */
export const WEBHOOK_QUEUE = 'fbstab-webhooks';
/** Tries per task before the experiment fails; transient failures back off exponentially. */
export const TASK_ATTEMPTS = 3;
/**
 * BullMQ keeps an events stream per queue (10,000 entries by default). Nothing here reads it (the
 * API's progress events go through the service's own pub/sub), so it is capped low to let Redis
 * memory return to its baseline. Every Queue the service creates passes these options, since a
 * Queue writes its setting into the queue's meta key.
 */
export const QUEUE_OPTIONS = { streams: { events: { maxLen: 500 } } } as const;

/**
 * The BullMQ key prefix of an engine version (docs/theory.md §12). The API and the workers open
 * their queues under the prefix of their own engine version, so processes of builds (or kernel
 * choices) whose numbers differ use disjoint queues on one Redis: a worker never takes a task
 * that another engine planned, and one experiment's tasks are all computed by one engine.
 */
export function queuePrefix(engineVersion: string): string {
  return `bull:${engineVersion}`;
}
