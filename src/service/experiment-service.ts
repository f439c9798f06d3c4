import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { DEFAULT_CHUNK_TRIALS } from '../experiments/common/experiment-definition.js';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';
import { RequestInputError, type StoredSignal } from '../experiments/common/prepare-signal.js';
import { estimateCost } from '../experiments/estimate-cost.js';
import { planExperiment, withSeed, type ExperimentRequest } from '../experiments/experiment-request.js';
import {
  energyPlotNames,
  frameBoundsPlotNames,
  type EnergyResult,
  type FrameBoundsResult,
} from '../plots/index.js';
import { engineVersion } from '../core/wasm/engine-version.js';
import { EXPERIMENT_QUEUE, TASK_ATTEMPTS, TASK_QUEUE } from '../queue/queue-names.js';
import { FINAL_STATUSES, type ExperimentRecord } from '../store/experiment-record.js';
import type { ExperimentSnapshot, ExperimentStore } from '../store/experiment-store.js';
import { ExperimentIntake } from '../store/experiment-intake.js';
import { keys } from '../store/redis-keys.js';
import { SignalStore } from '../store/signal-store.js';
import { progressData, publishStatus } from './experiment-events.js';
import { checkNotify } from './check-webhook-url.js';
import { HttpProblem } from './problem.js';

/** Children per experiment stay below this, so huge trial counts get bigger chunks. */
const MAX_TASKS = 2000;

export interface TaskJobData {
  experimentId: string;
  taskIndex: number;
}

export interface AssembleJobData {
  experimentId: string;
}

/** What the API queues for one experiment: a worker expands it into the flow of its tasks. */
export interface ExpandJobData {
  experimentId: string;
}

/**
 * How long a request that lost an Idempotency-Key race waits for the winner's record. The
 * winner writes it within milliseconds of its claim, unless its request fails first.
 */
const IDEMPOTENCY_SETTLE_MS = 5_000;

/** The queue depth is read at most this often per API process, not on every POST. */
const QUEUE_DEPTH_MAX_AGE_MS = 500;

/** Submission, cancellation and deletion of experiments: the API's side of the queue. */
export class ExperimentService {
  constructor(
    private readonly redis: Redis,
    private readonly store: ExperimentStore,
    private readonly experimentQueue: Queue,
    private readonly config: Config,
    private readonly signals: SignalStore = new SignalStore(redis, config.RESULT_TTL_SECONDS),
  ) {
    this.intake = new ExperimentIntake(redis, engineVersion(config.FBSTAB_KERNEL));
  }

  /** This engine's intake, where submissions wait for a worker to expand them. */
  private readonly intake: ExperimentIntake;

  /**
   * Validates the cost, honours the Idempotency-Key, stores the record and queues the flow.
   * Returns the record and whether it is new.
   */
  async submit(
    owner: string,
    request: ExperimentRequest,
    idempotencyKey: string | undefined,
    rawBody: unknown,
  ): Promise<{ record: ExperimentRecord; created: boolean }> {
    if (request.notify !== undefined) await checkNotify(request.notify, this.config);
    const seeded = withSeed(request, () => randomInt(2 ** 32));
    // `{ "kind": "stored" }` signals are the owner's uploads; an unknown id is named by the plan.
    const stored = await this.signals.resolve(storedSignalIds(seeded), owner);
    let plan;
    try {
      plan = planExperiment(seeded, stored);
    } catch (error) {
      if (error instanceof RequestInputError) {
        throw new HttpProblem(400, 'Invalid request', error.message, {
          errors: [{ path: formatIssuePath(error.path), message: error.message }],
        });
      }
      throw error;
    }
    const cost = estimateCost(withStoredLengths(seeded, stored));
    if (cost > this.config.MAX_EXPERIMENT_COST) {
      throw new HttpProblem(
        422,
        'Experiment too expensive',
        `estimated cost ${cost.toFixed(1)} core-seconds exceeds the limit of ${this.config.MAX_EXPERIMENT_COST} (MAX_EXPERIMENT_COST); reduce trials, filter lengths or cells`,
        { cost, limit: this.config.MAX_EXPERIMENT_COST },
      );
    }
    const waiting = await this.queueDepth();
    if (waiting >= this.config.MAX_QUEUE_DEPTH) {
      throw new HttpProblem(
        503,
        'Queue full',
        `${waiting} experiments are waiting (MAX_QUEUE_DEPTH ${this.config.MAX_QUEUE_DEPTH}); retry later`,
        {},
        { 'Retry-After': '30' },
      );
    }
    const id = randomUUID();
    let claim: { key: string } | undefined;
    if (idempotencyKey !== undefined) {
      const outcome = await this.claimIdempotencyKey(owner, idempotencyKey, rawBody, id);
      if ('record' in outcome) return { record: outcome.record, created: false };
      claim = outcome;
    }
    const chunkTrials = Math.max(DEFAULT_CHUNK_TRIALS, Math.ceil(plan.totalTrials / MAX_TASKS));
    const record: ExperimentRecord = {
      id,
      type: seeded.type,
      status: 'queued',
      owner,
      request: seeded,
      totalTrials: plan.totalTrials,
      taskCount: plan.tasks(chunkTrials).length,
      chunkTrials,
      engineVersion: engineVersion(this.config.FBSTAB_KERNEL),
      createdAt: new Date().toISOString(),
    };
    try {
      // The record and its intake entry, in one script: a worker expands the entry into the
      // flow of its tasks (addExperimentFlow), so a POST costs one round trip and no BullMQ
      // job, whatever the size of the experiment.
      await this.store.create(record, this.intake);
    } catch (error) {
      // Let a retry with the same key start afresh instead of waiting for this experiment.
      if (claim !== undefined) await this.redis.del(claim.key).catch(() => {});
      throw error;
    }
    return { record, created: true };
  }

  /**
   * Claims an Idempotency-Key for experiment `id`, or finds the experiment it already names.
   * The claim (SET NX) comes before the record exists, so a request that loses the race to a
   * concurrent one (in this or another API process) waits for the winner's record rather than
   * starting a second experiment. A claim older than IDEMPOTENCY_SETTLE_MS whose record is gone
   * (expired or deleted) is taken over.
   */
  private async claimIdempotencyKey(
    owner: string,
    idempotencyKey: string,
    rawBody: unknown,
    id: string,
  ): Promise<{ key: string } | { record: ExperimentRecord }> {
    const bodyHash = createHash('sha256').update(canonicalJson(rawBody)).digest('hex');
    const key = keys.idempotency(owner, idempotencyKey);
    const value = JSON.stringify({ id, bodyHash, claimedAt: Date.now() });
    const ttl = this.config.RESULT_TTL_SECONDS;
    if ((await this.redis.set(key, value, 'EX', ttl, 'NX')) !== null) return { key };
    const previous = JSON.parse((await this.redis.get(key)) ?? '{}') as {
      id?: string;
      bodyHash?: string;
      claimedAt?: number;
    };
    if (previous.bodyHash !== bodyHash) {
      throw new HttpProblem(
        409,
        'Idempotency key reused',
        'this Idempotency-Key was first used with a different body',
      );
    }
    const settleBy = (previous.claimedAt ?? 0) + IDEMPOTENCY_SETTLE_MS;
    for (;;) {
      const record = previous.id === undefined ? undefined : await this.store.get(previous.id);
      if (record !== undefined) return { record };
      if (Date.now() >= settleBy) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The first request's experiment has expired or was deleted, or its request failed.
    await this.redis.set(key, value, 'EX', ttl);
    return { key };
  }

  private depth = { value: 0, readAt: -Infinity, reading: undefined as Promise<number> | undefined };

  /**
   * Experiments in flight: submissions not yet expanded (the intake) and parents waiting for
   * their tasks. Read from Redis at most every QUEUE_DEPTH_MAX_AGE_MS; backpressure may lag by
   * that much.
   */
  private async queueDepth(): Promise<number> {
    if (performance.now() - this.depth.readAt < QUEUE_DEPTH_MAX_AGE_MS) return this.depth.value;
    this.depth.reading ??= Promise.all([this.intake.size(), this.experimentQueue.getWaitingChildrenCount()])
      .then(([waiting, parents]) => {
        this.depth.value = waiting + parents;
        this.depth.readAt = performance.now();
        return this.depth.value;
      })
      .finally(() => {
        this.depth.reading = undefined;
      });
    return this.depth.reading;
  }

  /** Cancels a queued or running experiment; a finished one is returned unchanged. */
  async cancel(record: ExperimentRecord): Promise<ExperimentRecord> {
    if (FINAL_STATUSES.includes(record.status)) return record;
    const cancelled = await this.store.transition(record.id, 'cancelled', ['queued', 'running'], {
      finishedAt: new Date().toISOString(),
    });
    if (cancelled === undefined) return (await this.store.get(record.id)) ?? record;
    await this.redis.publish(keys.cancelChannel, record.id);
    await publishStatus(this.redis, cancelled);
    return cancelled;
  }

  /** Cancels (if running) and removes an experiment and its result. */
  async delete(record: ExperimentRecord): Promise<void> {
    await this.cancel(record);
    await this.store.delete(record);
  }

  /** The experiment resource of docs/api.md, reading progress and result from the store. */
  async resource(record: ExperimentRecord): Promise<Record<string, unknown>> {
    const completed =
      record.status === 'succeeded' ? record.totalTrials : await this.store.completedTrials(record.id);
    const result = record.status === 'succeeded' ? await this.store.getResult(record.id) : undefined;
    return experimentResource({ record, completedTrials: completed, result });
  }
}

/** The experiment resource of docs/api.md from one consistent read of the store. */
export function experimentResource(snapshot: ExperimentSnapshot): Record<string, unknown> {
  const { record, result } = snapshot;
  const completed = record.status === 'succeeded' ? record.totalTrials : snapshot.completedTrials;
  const self = `/v1/experiments/${record.id}`;
  const resource: Record<string, unknown> = {
    id: record.id,
    type: record.type,
    status: record.status,
    progress: progressData(completed, record.totalTrials),
    request: record.request,
    createdAt: record.createdAt,
  };
  if (record.startedAt !== undefined) resource.startedAt = record.startedAt;
  if (record.finishedAt !== undefined) resource.finishedAt = record.finishedAt;
  const links: { self: string; events: string; plots?: string[] } = { self, events: `${self}/events` };
  resource.links = links;
  if (record.status === 'succeeded' && result !== undefined) {
    resource.result = result;
    // The names GET /v1/experiments/{id}/plots/{name}.svg serves (src/plots/index.ts).
    const names =
      record.type === 'energy'
        ? energyPlotNames(result as EnergyResult)
        : frameBoundsPlotNames(result as FrameBoundsResult);
    links.plots = names.map((name) => `${self}/plots/${name}.svg`);
  }
  if (record.error !== undefined) resource.error = record.error;
  return resource;
}

/**
 * Queues the flow of one experiment: a parent "assemble" job (id: the experiment's) and one
 * child per task. Called by the worker that takes the experiment's expand job; the job ids make
 * a retry after a crash a no-op rather than a second flow.
 */
export async function addExperimentFlow(flows: FlowProducer, record: ExperimentRecord): Promise<void> {
  await flows.add({
    name: 'assemble',
    queueName: EXPERIMENT_QUEUE,
    data: { experimentId: record.id } satisfies AssembleJobData,
    opts: { jobId: record.id, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
    children: Array.from({ length: record.taskCount }, (_, taskIndex) => ({
      name: 'task',
      queueName: TASK_QUEUE,
      data: { experimentId: record.id, taskIndex } satisfies TaskJobData,
      opts: {
        jobId: `${record.id}.${taskIndex}`,
        attempts: TASK_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        failParentOnFailure: true,
        // A child's return value is copied into its parent's processed set when it completes,
        // so the child itself need not stay in Redis.
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600 },
      },
    })),
  });
}

/** The ids of the `{ "kind": "stored" }` signals of a request, in order (with repeats). */
export function storedSignalIds(request: ExperimentRequest): string[] {
  if (request.type !== 'energy') return [];
  return request.signals.flatMap((signal) => (signal.kind === 'stored' ? [signal.id] : []));
}

/**
 * The request with each stored signal replaced by an impulse of its length, for the cost
 * model, which reads signal lengths from the request (a stored spec states none).
 */
function withStoredLengths<R extends ExperimentRequest>(
  request: R,
  stored: ReadonlyMap<string, StoredSignal>,
): R {
  if (request.type !== 'energy') return request;
  return {
    ...request,
    signals: request.signals.map((signal) => {
      const found = signal.kind === 'stored' ? stored.get(signal.id) : undefined;
      return found === undefined
        ? signal
        : { kind: 'impulse', length: found.samples.length, normalize: true };
    }),
  };
}

/** JSON with object keys sorted, so that equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
