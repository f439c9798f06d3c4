/** The parent queue: one "assemble" job per experiment, run once all its tasks are done. */
export const EXPERIMENT_QUEUE = 'fbstab-experiments';
/** The child queue: one job per task (a trial range of a cell, or a theory computation). */
export const TASK_QUEUE = 'fbstab-tasks';
/** Tries per task before the experiment fails; transient failures back off exponentially. */
export const TASK_ATTEMPTS = 3;
