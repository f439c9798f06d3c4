import { Queue } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Piscina } from 'piscina';
import type { Config } from '../config.js';
import { engineVersion } from '../core/wasm/engine-version.js';
import { EXPERIMENT_QUEUE, QUEUE_OPTIONS, TASK_QUEUE, queuePrefix } from '../queue/queue-names.js';
import { ExperimentService } from '../service/experiment-service.js';
import { createAnalysisPool } from '../runtime/analysis-pool.js';
import { ExperimentStore } from '../store/experiment-store.js';
import { SignalStore } from '../store/signal-store.js';
import { ChangeCache } from './change-cache.js';
import { EventHub } from './event-hub.js';

/**
 * What the routes share: the store, the service, the queues and the event hub of one app.
 * The BullMQ queues are opened on first use (a submission, a cancel or a metrics scrape), so
 * that building the app does no I/O: `npm run openapi` builds it with no Redis running.
 */
export class ApiContext {
  readonly store: ExperimentStore;
  readonly signals: SignalStore;
  readonly events: EventHub;
  /** The in-memory change log (CHANGE_CACHE), or undefined when polls go to Redis. */
  readonly changeCache: ChangeCache | undefined;
  private pool: Piscina | undefined;
  private queues: { experiments: Queue; tasks: Queue; service: ExperimentService } | undefined;

  constructor(
    readonly config: Config,
    readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
  ) {
    this.store = new ExperimentStore(
      redis,
      config.RESULT_TTL_SECONDS,
      config.CHANGE_LOG_RETENTION_SECONDS * 1000,
    );
    this.signals = new SignalStore(redis, config.RESULT_TTL_SECONDS);
    this.events = new EventHub(redis, log);
    this.changeCache = config.CHANGE_CACHE
      ? new ChangeCache(redis, log, config.CHANGE_CACHE_VERIFY_MS)
      : undefined;
  }

  private open() {
    if (this.queues === undefined) {
      // Shared connection: BullMQ never closes `redis` itself, only its own duplicates.
      // Under this engine's prefix: only workers of the same engine take its experiments.
      const prefix = queuePrefix(engineVersion(this.config.FBSTAB_KERNEL));
      const experiments = new Queue(EXPERIMENT_QUEUE, { ...QUEUE_OPTIONS, prefix, connection: this.redis });
      const tasks = new Queue(TASK_QUEUE, { ...QUEUE_OPTIONS, prefix, connection: this.redis });
      const onError = (error: Error) => this.log.warn({ err: error }, 'queue connection error');
      experiments.on('error', onError);
      tasks.on('error', onError);
      const service = new ExperimentService(this.redis, this.store, experiments, this.config, this.signals);
      this.queues = { experiments, tasks, service };
    }
    return this.queues;
  }

  get service(): ExperimentService {
    return this.open().service;
  }

  /** Both queues, for the job-count gauges. */
  get allQueues(): Queue[] {
    const { experiments, tasks } = this.open();
    return [experiments, tasks];
  }

  /** The analysis threads (ANALYSIS_THREADS), started by the first analysis. */
  get analysisPool(): Piscina {
    this.pool ??= createAnalysisPool(this.config.ANALYSIS_THREADS);
    return this.pool;
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.changeCache?.close();
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await pool.destroy();
    const queues = this.queues;
    this.queues = undefined;
    if (queues !== undefined) {
      await Promise.allSettled([queues.experiments.close(), queues.tasks.close()]);
    }
  }
}
