import type { Redis } from 'ioredis';
import type { ExperimentRecord } from '../store/experiment-record.js';
import { keys } from '../store/redis-keys.js';

export interface ProgressData {
  completedTrials: number;
  totalTrials: number;
  fraction: number;
}

/** A Server-Sent Event of one experiment (docs/api.md: `progress` and `status` events). */
export type ExperimentEvent =
  | { event: 'progress'; data: ProgressData }
  | { event: 'status'; data: { id: string; status: ExperimentRecord['status']; finishedAt?: string } };

export function progressData(completedTrials: number, totalTrials: number): ProgressData {
  const done = Math.min(completedTrials, totalTrials);
  return { completedTrials: done, totalTrials, fraction: totalTrials > 0 ? done / totalTrials : 1 };
}

export async function publishEvent(redis: Redis, id: string, event: ExperimentEvent): Promise<void> {
  await redis.publish(keys.events(id), JSON.stringify(event));
}

export async function publishStatus(redis: Redis, record: ExperimentRecord): Promise<void> {
  const data: { id: string; status: ExperimentRecord['status']; finishedAt?: string } = {
    id: record.id,
    status: record.status,
  };
  if (record.finishedAt !== undefined) data.finishedAt = record.finishedAt;
  await publishEvent(redis, record.id, { event: 'status', data });
}
