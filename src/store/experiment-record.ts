import type { SeededExperimentRequest } from '../experiments/experiment-request.js';

export const EXPERIMENT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export const FINAL_STATUSES: readonly ExperimentStatus[] = ['succeeded', 'failed', 'cancelled'];

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** What Redis keeps of one experiment, besides its result and progress. */
export interface ExperimentRecord {
  id: string;
  type: SeededExperimentRequest['type'];
  status: ExperimentStatus;
  owner: string;
  request: SeededExperimentRequest;
  totalTrials: number;
  /** Number of tasks the experiment was split into. */
  taskCount: number;
  /** Trials per simulate task; with the request it fixes the task list. */
  chunkTrials: number;
  /**
   * The engine that accepted it (docs/theory.md §12); only workers of this engine run it.
   * Absent in records of builds before it existed.
   */
  engineVersion?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: Problem;
}
