import { MessageChannel } from 'node:worker_threads';
import { FlowProducer, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Piscina } from 'piscina';
import type { Config } from '../config.js';
import type {
  ExperimentPlan,
  SimulationOutput,
  TheoryOutput,
} from '../experiments/common/experiment-definition.js';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';
import { RequestInputError, type StoredSignal } from '../experiments/common/prepare-signal.js';
import { planExperiment, type ExperimentResult } from '../experiments/experiment-request.js';
import { engineVersion } from '../core/wasm/engine-version.js';
import { EXPERIMENT_QUEUE, TASK_QUEUE, queuePrefix } from '../queue/queue-names.js';
import { decodeTaskOutput, encodeTaskOutput, type EncodedTaskOutput } from '../queue/task-output-codec.js';
import { createTaskPool } from '../runtime/parallel-runner.js';
import type { TaskMessage } from '../runtime/task-thread.js';
import { progressData, publishEvent, publishStatus } from '../service/experiment-events.js';
import {
  addExperimentFlow,
  storedSignalIds,
  type AssembleJobData,
  type ExpandJobData,
  type TaskJobData,
} from '../service/experiment-service.js';
import { problemType } from '../service/problem.js';
import type { ExperimentRecord } from '../store/experiment-record.js';
import { ExperimentStore } from '../store/experiment-store.js';
import { keys } from '../store/redis-keys.js';
import { SignalStore } from '../store/signal-store.js';
import { ExperimentIntake } from '../store/experiment-intake.js';
import { startIntakeDispatcher } from './intake-dispatcher.js';
import { startWebhookWorker } from './webhook-worker.js';

/** Progress is flushed to Redis and published at most this often per experiment (API: ≥ 1/s). */
const PROGRESS_FLUSH_MS = 250;
/** How often a worker removes expired experiments from the owner indexes. */
const SWEEP_INTERVAL_MS = 30_000;

export interface RunningWorkers {
  close(): Promise<void>;
}

interface PlanEntry {
  record: ExperimentRecord;
  plan: ExperimentPlan<unknown, ExperimentResult>;
  tasks: ReturnType<ExperimentPlan<unknown, ExperimentResult>['tasks']>;
  /** The stored signals the plan read, for the task threads (samples in SharedArrayBuffers). */
  stored: [string, StoredSignal][];
}

/**
 * Starts the BullMQ workers of one process: task jobs run on a pool of WORKER_CONCURRENCY
 * threads, so the event loop stays free to renew job locks; the assemble job merges the
 * children's outputs with the plan's own assembly, which makes the result identical to
 * `fbstab run`. A cancel published by the API aborts the running tasks of that experiment.
 */
export async function startWorkers(options: {
  config: Config;
  connection: Redis;
  logger: Logger;
  pool?: Piscina;
}): Promise<RunningWorkers> {
  const { config, connection, logger } = options;
  const store = new ExperimentStore(
    connection,
    config.RESULT_TTL_SECONDS,
    config.CHANGE_LOG_RETENTION_SECONDS * 1000,
  );
  const signals = new SignalStore(connection, config.RESULT_TTL_SECONDS);
  const pool = options.pool ?? createTaskPool(config.WORKER_CONCURRENCY);
  const plans = new Map<string, PlanEntry>();
  const kernel = config.FBSTAB_KERNEL;
  const engine = engineVersion(kernel);
  const controllers = new Map<string, Set<AbortController>>();
  // Deliveries: their own queue and Worker, on this event loop (docs/api.md "Webhooks").
  const webhooks = await startWebhookWorker({ config, connection, logger, store });

  const subscriber = connection.duplicate();
  await subscriber.subscribe(keys.cancelChannel);
  subscriber.on('message', (channel: string, id: string) => {
    if (channel !== keys.cancelChannel) return;
    for (const controller of controllers.get(id) ?? []) controller.abort();
    plans.delete(id);
  });

  const planFor = async (record: ExperimentRecord): Promise<PlanEntry> => {
    let entry = plans.get(record.id);
    if (entry === undefined) {
      // Stored signals are read again here, by the owner of the experiment; one deleted since
      // the submission makes planExperiment throw, and the experiment fails (planOrFail).
      const stored = await signals.resolve(storedSignalIds(record.request), record.owner, { shared: true });
      const plan = planExperiment(record.request, stored, { kernel });
      entry = { record, plan, tasks: plan.tasks(record.chunkTrials), stored: [...stored.entries()] };
      if (plans.size > 32) plans.delete(plans.keys().next().value!);
      plans.set(record.id, entry);
    }
    return entry;
  };

  /**
   * Throws for a record another engine accepted (docs/theory.md §12). The queues are per engine,
   * so only a job made by hand gets here; it is refused before it changes anything, rather than
   * mixing two engines' numbers in one result.
   */
  const checkEngine = (record: ExperimentRecord): void => {
    if (record.engineVersion !== undefined && record.engineVersion !== engine) {
      throw new UnrecoverableError(
        `experiment ${record.id} is for engine ${record.engineVersion}, not ${engine}`,
      );
    }
  };

  /** planFor, or the experiment fails with a 422 problem that says why it cannot run. */
  const planOrFail = async (record: ExperimentRecord): Promise<PlanEntry> => {
    try {
      return await planFor(record);
    } catch (error) {
      // The request cannot be planned (a stored signal was deleted, say): retrying won't help.
      const message = (error as Error).message;
      const detail =
        error instanceof RequestInputError
          ? `${formatIssuePath(error.path)}: ${message}${/stored signal/.test(message) ? ' (it was deleted after the experiment was submitted)' : ''}`
          : message;
      const failed = await store.fail(
        record.id,
        { type: problemType(422), title: 'Experiment cannot run', status: 422, detail },
        new Date().toISOString(),
      );
      if (failed !== undefined) await publishStatus(connection, failed);
      throw new UnrecoverableError(detail);
    }
  };

  const runTask = async (job: Job<TaskJobData>): Promise<EncodedTaskOutput> => {
    const { experimentId: id, taskIndex } = job.data;
    const log = logger.child({ jobId: job.id, experimentId: id, taskIndex });
    let record = await store.get(id);
    if (record === undefined || record.status === 'cancelled' || record.status === 'failed') {
      log.debug('experiment gone or stopped; task skipped');
      return { kind: 'skipped' };
    }
    checkEngine(record);
    if (record.status === 'queued') {
      record =
        (await store.transition(id, 'running', ['queued'], { startedAt: new Date().toISOString() })) ??
        record;
      if (record.status === 'running') await publishStatus(connection, record);
    }
    const entry = await planOrFail(record);
    const { plan, tasks, stored } = entry;
    const task = tasks[taskIndex];
    if (task === undefined) throw new UnrecoverableError(`task ${taskIndex} is not in the plan of ${id}`);
    const controller = new AbortController();
    const set = controllers.get(id) ?? new Set();
    set.add(controller);
    controllers.set(id, set);
    const channel = new MessageChannel();
    let trials = 0;
    let flushed = 0;
    let lastFlush = 0;
    const flush = async (force = false) => {
      if (trials === flushed || (!force && Date.now() - lastFlush < PROGRESS_FLUSH_MS)) return;
      lastFlush = Date.now();
      flushed = trials;
      const completed = await store.setTaskProgress(id, taskIndex, trials, plan.totalTrials);
      await webhooks.progress(entry.record, completed);
    };
    channel.port1.on('message', (delta: number) => {
      trials += delta;
      void flush().catch((error: unknown) => log.warn({ err: error }, 'progress update failed'));
    });
    const started = Date.now();
    try {
      const message: TaskMessage = {
        requestKey: id,
        request: record.request,
        task,
        kernel,
        progressPort: channel.port2,
        ...(stored.length === 0 ? {} : { stored }),
      };
      const output = (await pool.run(message, {
        signal: controller.signal,
        transferList: [channel.port2],
      })) as SimulationOutput | TheoryOutput<unknown>;
      if (output.kind === 'simulate') trials = output.trialEnd - output.trialStart;
      await flush(true);
      log.debug({ ms: Date.now() - started }, 'task done');
      return encodeTaskOutput(output);
    } catch (error) {
      if (controller.signal.aborted) {
        log.info('task aborted: experiment cancelled');
        throw new UnrecoverableError('experiment cancelled');
      }
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        const failed = await store.fail(
          id,
          {
            type: problemType(500),
            title: 'Experiment failed',
            status: 500,
            detail: `task ${taskIndex} failed after ${attempts} attempts`,
          },
          new Date().toISOString(),
        );
        if (failed !== undefined) await publishStatus(connection, failed);
      }
      log.error({ err: error, attempt: job.attemptsMade + 1 }, 'task failed');
      throw error;
    } finally {
      channel.port1.close();
      set.delete(controller);
      if (set.size === 0) controllers.delete(id);
    }
  };

  const assemble = async (job: Job<AssembleJobData>): Promise<void> => {
    const id = job.data.experimentId;
    const log = logger.child({ jobId: job.id, experimentId: id });
    const record = await store.get(id);
    if (record === undefined || record.status === 'cancelled' || record.status === 'failed') return;
    checkEngine(record);
    const values = Object.values(await job.getChildrenValues<EncodedTaskOutput>());
    if (values.some((v) => v.kind === 'skipped')) return;
    const { plan } = await planOrFail(record);
    const result = plan.assemble(values.map(decodeTaskOutput));
    const finished = await store.succeed(id, result, new Date().toISOString());
    plans.delete(id);
    if (finished !== undefined) {
      await publishEvent(connection, id, {
        event: 'progress',
        data: progressData(record.totalTrials, record.totalTrials),
      });
      await publishStatus(connection, finished);
      log.info(
        { ms: Date.parse(finished.finishedAt!) - Date.parse(record.createdAt) },
        'experiment succeeded',
      );
    }
  };

  // This engine's prefix, like the workers below: its tasks go to this engine's queues.
  const flows = new FlowProducer({ connection, prefix: queuePrefix(engine) });
  flows.on('error', (error) => logger.error({ err: error }, 'flow producer error'));

  /**
   * A submission becomes the flow of its tasks. Throws UnrecoverableError when it cannot run
   * (it has then failed, with a problem that says why).
   */
  const expandExperiment = async (id: string): Promise<void> => {
    const record = await store.get(id);
    // Cancelled or deleted before any worker took it: nothing to run.
    if (record === undefined || record.status !== 'queued') return;
    checkEngine(record);
    // Planning here also fails the experiment early when it cannot run (a deleted signal, say).
    const { tasks } = await planOrFail(record);
    if (tasks.length !== record.taskCount)
      throw new UnrecoverableError(
        `the plan of ${id} has ${tasks.length} tasks, the record ${record.taskCount}`,
      );
    await addExperimentFlow(flows, record);
    logger.debug({ experimentId: id, tasks: tasks.length }, 'experiment expanded');
  };
  /** An `expand` job, as API processes of earlier releases queued one per submission. */
  const expand = (job: Job<ExpandJobData>): Promise<void> => expandExperiment(job.data.experimentId);

  const common = {
    connection,
    // This engine's queues only (queue-names.ts): other builds' tasks are not ours to run.
    prefix: queuePrefix(engine),
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.STALLED_INTERVAL_MS,
    maxStalledCount: 3,
  };
  const taskWorker = new Worker<TaskJobData, EncodedTaskOutput>(TASK_QUEUE, runTask, {
    ...common,
    // One task per thread. Holding one more in reserve (to skip the gap of a task's report,
    // BullMQ's completion and the next fetch) measured slower in bench:sweep.
    concurrency: config.WORKER_CONCURRENCY,
  });
  const assembleWorker = new Worker<AssembleJobData | ExpandJobData, void>(
    EXPERIMENT_QUEUE,
    (job) => (job.name === 'expand' ? expand(job) : assemble(job as Job<AssembleJobData>)),
    {
      ...common,
      // Expansions wait on Redis, not the CPU: let them interleave with an assembly.
      concurrency: 4,
    },
  );
  for (const worker of [taskWorker, assembleWorker]) {
    worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  }
  await Promise.all([taskWorker.waitUntilReady(), assembleWorker.waitUntilReady()]);
  // Submissions (the API's create script puts them in this engine's intake) become flows here.
  const intake = await startIntakeDispatcher({
    intake: new ExperimentIntake(connection, engine),
    subscriber,
    leaseMs: config.JOB_LOCK_MS,
    expand: (id) =>
      expandExperiment(id).catch((error: unknown) => {
        // An experiment that cannot run has failed, and says why: nothing more to try.
        if (!(error instanceof UnrecoverableError)) throw error;
      }),
    logger,
  });
  const sweeper = setInterval(() => {
    store
      .sweepExpired()
      .catch((error: unknown) => logger.warn({ err: error }, 'sweep of expired experiments failed'));
    signals
      .sweepExpired()
      .catch((error: unknown) => logger.warn({ err: error }, 'sweep of expired signals failed'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  logger.info({ concurrency: config.WORKER_CONCURRENCY, engineVersion: engine }, 'workers ready');

  return {
    async close() {
      clearInterval(sweeper);
      await intake.close();
      // Finish the jobs in hand (BullMQ hands back what it cannot finish as stalled).
      await Promise.all([taskWorker.close(), assembleWorker.close(), webhooks.close()]);
      await flows.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
      if (options.pool === undefined) await pool.destroy();
    },
  };
}
