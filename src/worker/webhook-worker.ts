import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { WebhookEvent } from '../experiments/common/notify-schema.js';
import { QUEUE_OPTIONS, WEBHOOK_QUEUE } from '../queue/queue-names.js';
import { experimentResource } from '../service/experiment-service.js';
import { SendError, createWebhookAgents, sendWebhook, type SendOutcome } from '../service/webhook-send.js';
import { signWebhook } from '../service/webhook-signature.js';
import { WebhookTargetError, resolveWebhookTarget } from '../service/webhook-target.js';
import type { ExperimentResult } from '../experiments/experiment-request.js';
import type { ExperimentRecord } from '../store/experiment-record.js';
import { recordFromFields, type ExperimentStore } from '../store/experiment-store.js';
import { keys } from '../store/redis-keys.js';
import {
  WebhookStore,
  type DeliveryAttempt,
  type OutboxEntry,
  type StandingWebhook,
} from '../store/webhook-store.js';

/** How often a worker looks for final events in the outbox. */
const OUTBOX_POLL_MS = 250;
/** How long a worker trusts its copy of an owner's standing webhooks, for `progress` events. */
const STANDING_CACHE_MS = 5_000;
/** Tries of a `progress` delivery: it is stale soon, so it is not retried for a day. */
const PROGRESS_ATTEMPTS = 3;
/** Tries of a final event's delivery: bounded by WEBHOOK_RETRY_FOR_SECONDS, not by count. */
const FINAL_ATTEMPTS = 1_000_000;

/** The job that delivers one event to one target, retried until it is accepted or given up. */
export interface DeliverJobData {
  experimentId: string;
  event: WebhookEvent;
  /** `notify`, or the id of a standing webhook. */
  target: string;
  url: string;
  /** The `webhook-id` header, the same on every attempt. */
  deliveryId: string;
  /** The JSON body, fixed at dispatch so every attempt sends the same bytes. */
  body: string;
  /**
   * Attempts made before this job existed: a final event's first attempt is made straight from
   * the outbox, and only a retry becomes a job (absent: 0).
   */
  attemptsBefore?: number;
  /** When the first attempt started (ms since the epoch), for WEBHOOK_RETRY_FOR_SECONDS (absent: the job's). */
  since?: number;
}

/** One delivery: one event of one experiment to one target, with its fixed id and body. */
type Delivery = Omit<DeliverJobData, 'attemptsBefore' | 'since'>;

/** What one attempt came to: its record, and the delay before the next one when it is retried. */
interface AttemptOutcome {
  attempt: DeliveryAttempt;
  retryInMs?: number;
}

/** A failed attempt that will be tried again after `delayMs` (the backoff strategy reads it). */
class RetryLater extends Error {
  override name = 'RetryLater';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Seconds or an HTTP date of a Retry-After header, as milliseconds from now; undefined if unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: base·2^(n−1), capped, times a random factor in [0.5, 1). */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

export interface WebhookWorker {
  /** Sends a `progress` event for the experiment if one is wanted and none went out lately. */
  progress(record: ExperimentRecord, completedTrials: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Webhook delivery in a worker process (docs/api.md "Webhooks"). A final event's first attempt
 * is made straight from the outbox entry this worker leased; only a retry becomes a job on the
 * webhook queue, run by its own BullMQ Worker. Both only wait on the network, on the event loop,
 * never on a task thread, so deliveries cannot take a core from the computation; and the common
 * case, one accepted attempt, costs two Redis round trips (the claim, shared by a batch, and the
 * record) instead of a job's life in BullMQ. Standing webhooks are read here, when an event
 * fires, never by the API.
 */
export async function startWebhookWorker(options: {
  config: Config;
  connection: Redis;
  logger: Logger;
  store: ExperimentStore;
}): Promise<WebhookWorker> {
  const { config, connection, store } = options;
  const logger = options.logger.child({ component: 'webhooks' });
  const webhooks = new WebhookStore(connection, config.RESULT_TTL_SECONDS);
  const queue = new Queue<DeliverJobData>(WEBHOOK_QUEUE, {
    ...QUEUE_OPTIONS,
    connection,
  });
  queue.on('error', (error) => logger.warn({ err: error }, 'webhook queue error'));
  const agents = createWebhookAgents();

  /**
   * The envelope of docs/api.md "Webhooks": `{ type, timestamp, data }`, data as GET serves it
   * (its cached body when a GET made one), without the result past WEBHOOK_MAX_RESULT_BYTES.
   */
  const envelope = (event: WebhookEvent, resource: string | Record<string, unknown>): string => {
    let data = typeof resource === 'string' ? resource : JSON.stringify(resource);
    let omitted = '';
    if (Buffer.byteLength(data) > config.WEBHOOK_MAX_RESULT_BYTES) {
      const object = typeof resource === 'string' ? (JSON.parse(data) as Record<string, unknown>) : resource;
      const { result: _result, ...rest } = object;
      data = JSON.stringify(rest);
      omitted = ',"resultOmitted":true';
    }
    return `{"type":"experiment.${event}","timestamp":"${new Date().toISOString()}"${omitted},"data":${data}}`;
  };

  /** The envelope of an experiment's event read from Redis now (progress events). */
  const envelopeNow = async (id: string, event: WebhookEvent): Promise<string | undefined> => {
    const cached = await store.getCachedBody(id);
    if (cached !== undefined) return envelope(event, cached.body.toString('utf8'));
    const snapshot = await store.snapshot(id);
    return snapshot === undefined ? undefined : envelope(event, experimentResource(snapshot));
  };

  /** Where an event of this experiment goes: its `notify`, and the owner's standing webhooks. */
  const targetsOf = (
    record: ExperimentRecord,
    event: WebhookEvent,
    standing: readonly StandingWebhook[],
  ): { target: string; url: string; secret: string | undefined }[] => {
    const targets: { target: string; url: string; secret: string | undefined }[] = [];
    const notify = record.request.notify;
    if (notify?.events.includes(event) === true)
      targets.push({ target: 'notify', url: notify.url, secret: config.WEBHOOK_SECRET });
    for (const hook of standing)
      if (hook.events.includes(event)) targets.push({ target: hook.id, url: hook.url, secret: hook.secret });
    return targets;
  };

  const deliveryIdOf = (id: string, eventKey: string, target: string) => `${id}.${eventKey}.${target}`;

  const jobOptions = (event: WebhookEvent, deliveryId: string) => ({
    jobId: deliveryId,
    attempts: event === 'progress' ? PROGRESS_ATTEMPTS : FINAL_ATTEMPTS,
    backoff: { type: 'webhook' },
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600 },
  });

  /**
   * Queues one delivery job per target of a `progress` event (read now, never by the API). The
   * job ids are the deliveries' `webhook-id`s, so dispatching an event twice adds each job once.
   */
  const dispatchProgress = async (id: string, completedTrials: number): Promise<void> => {
    const record = await store.get(id);
    if (record === undefined) return;
    const targets = targetsOf(record, 'progress', await webhooks.list(record.owner));
    if (targets.length === 0) return;
    const body = await envelopeNow(id, 'progress');
    if (body === undefined) return;
    await queue.addBulk(
      targets.map(({ target, url }) => {
        const deliveryId = deliveryIdOf(id, `progress-${completedTrials}`, target);
        return {
          name: 'deliver',
          data: {
            experimentId: id,
            event: 'progress',
            target,
            url,
            deliveryId,
            body,
          } satisfies DeliverJobData,
          opts: jobOptions('progress', deliveryId),
        };
      }),
    );
  };

  /**
   * One attempt of one delivery: the address checked again (after a fresh DNS lookup), the
   * signature, the POST, and what its answer means (docs/api.md "Webhooks", retries). Never
   * throws for the receiver's sake; what it returns is recorded by the caller.
   */
  const attemptOnce = async (
    delivery: Delivery,
    secret: string | undefined,
    attempt: number,
    since: number,
    maxAttempts: number,
  ): Promise<AttemptOutcome> => {
    const { experimentId, event, target, url, deliveryId, body } = delivery;
    const started = Date.now();
    const outcome = (
      status: DeliveryAttempt['status'],
      result: { httpStatus?: number | undefined; error?: string; retryInMs?: number },
    ): AttemptOutcome => {
      const entry: DeliveryAttempt = {
        deliveryId,
        event,
        target,
        url,
        attempt,
        status,
        httpStatus: result.httpStatus ?? null,
        latencyMs: Date.now() - started,
        error: result.error ?? null,
        startedAt: new Date(started).toISOString(),
      };
      if (result.retryInMs === undefined) return { attempt: entry };
      entry.nextAttemptAt = new Date(Date.now() + result.retryInMs).toISOString();
      return { attempt: entry, retryInMs: result.retryInMs };
    };
    const giveUp = (error: string, httpStatus?: number): AttemptOutcome => {
      logger.warn(
        { experimentId, event, target, attempt, httpStatus, error },
        'webhook delivery failed for good',
      );
      return outcome('failed', { error, httpStatus });
    };

    if (secret === undefined)
      return giveUp(target === 'notify' ? 'no WEBHOOK_SECRET to sign with' : 'the webhook was deleted');
    let checked;
    try {
      checked = await resolveWebhookTarget(url, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
    } catch (error) {
      if (error instanceof WebhookTargetError) return giveUp(`refused: ${error.message}`);
      throw error;
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, deliveryId, timestamp, body),
    };
    let answer: SendOutcome | undefined;
    let failure = '';
    let wait: number | undefined;
    try {
      answer = await sendWebhook(checked, headers, body, config.WEBHOOK_TIMEOUT_MS, agents);
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      failure = error.message;
    }
    const httpStatus = answer?.status;
    if (answer !== undefined) {
      const status = answer.status;
      // Debug, not info: a line per delivery is CPU the experiments would pay for.
      if (status >= 200 && status < 300) {
        logger.debug({ experimentId, event, target, attempt, httpStatus: status }, 'webhook delivered');
        return outcome('delivered', { httpStatus: status });
      }
      if (status < 500 && status !== 408 && status !== 429)
        return giveUp(
          status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
          status,
        );
      failure = `HTTP ${status}`;
      wait = retryAfterMs(answer.headers['retry-after']);
    }
    const delay = Math.min(
      wait ?? backoffDelayMs(attempt, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS),
      config.WEBHOOK_RETRY_MAX_MS,
    );
    if (Date.now() + delay - since > config.WEBHOOK_RETRY_FOR_SECONDS * 1000 || attempt >= maxAttempts)
      return giveUp(`${failure}; gave up after ${attempt} attempts`, httpStatus);
    logger.info(
      { experimentId, event, target, attempt, httpStatus, error: failure, delayMs: delay },
      'webhook delivery will be retried',
    );
    return outcome('retrying', { error: failure, httpStatus, retryInMs: delay });
  };

  /** A retry (or a `progress` delivery): a job of the webhook queue. */
  const deliver = async (job: Job<DeliverJobData>): Promise<void> => {
    const { attemptsBefore = 0, since = job.timestamp, ...delivery } = job.data;
    // A retry whose delivery was accepted meanwhile (a worker that died between queuing it and
    // recording the attempt, so the outbox entry was attempted again) has nothing left to do.
    if (attemptsBefore > 0 && (await webhooks.wasDelivered(delivery.experimentId, delivery.deliveryId)))
      return;
    const secret =
      delivery.target === 'notify' ? config.WEBHOOK_SECRET : (await webhooks.get(delivery.target))?.secret;
    const { attempt, retryInMs } = await attemptOnce(
      delivery,
      secret,
      job.attemptsMade + 1 + attemptsBefore,
      since,
      (job.opts.attempts ?? 1) + attemptsBefore,
    );
    await webhooks.settle(delivery.experimentId, [attempt]);
    if (attempt.status === 'failed') throw new UnrecoverableError(attempt.error ?? 'failed');
    if (retryInMs !== undefined) throw new RetryLater(attempt.error ?? 'retry', retryInMs);
  };

  /**
   * The deliveries of one leased outbox entry: the first attempt of each target is made here, a
   * retry is queued as a job (its id the `webhook-id`, so it is queued once), and only then are
   * the attempts recorded and the entry removed, in one step. A worker that dies before that
   * leaves the entry in the outbox, due again when its lease ends: at least once.
   */
  const deliverEntry = async (entry: OutboxEntry): Promise<void> => {
    const { experimentId: id, event } = entry;
    const record = recordFromFields(entry.fields);
    const targets = record === undefined ? [] : targetsOf(record, event, entry.standing);
    if (record === undefined || targets.length === 0) {
      await webhooks.settle(id, [], entry.member);
      return;
    }
    let resource: string | Record<string, unknown>;
    if (entry.cachedBody !== null) resource = entry.cachedBody;
    else
      resource = experimentResource({
        record,
        completedTrials: entry.progress.reduce((sum, v) => sum + Number(v), 0),
        result:
          record.status === 'succeeded' && entry.result !== null
            ? (JSON.parse(entry.result) as ExperimentResult)
            : undefined,
      });
    const body = envelope(event, resource);
    const since = Date.now();
    const outcomes = await Promise.all(
      targets.map(async ({ target, url, secret }) => {
        const delivery: Delivery = {
          experimentId: id,
          event,
          target,
          url,
          deliveryId: deliveryIdOf(id, event, target),
          body,
        };
        const result = await attemptOnce(delivery, secret, 1, since, FINAL_ATTEMPTS);
        if (result.retryInMs !== undefined)
          await queue.add('deliver', { ...delivery, attemptsBefore: 1, since } satisfies DeliverJobData, {
            ...jobOptions(event, delivery.deliveryId),
            delay: result.retryInMs,
          });
        return result.attempt;
      }),
    );
    await webhooks.settle(id, outcomes, entry.member);
  };

  const worker = new Worker<DeliverJobData>(WEBHOOK_QUEUE, deliver, {
    connection,
    concurrency: config.WEBHOOK_CONCURRENCY,
    lockDuration: Math.max(config.JOB_LOCK_MS, config.WEBHOOK_TIMEOUT_MS * 2),
    stalledInterval: config.STALLED_INTERVAL_MS,
    // A killed worker's delivery is always taken up again: it is never failed as stalled.
    maxStalledCount: 1_000_000,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
        error instanceof RetryLater
          ? error.delayMs
          : backoffDelayMs(attemptsMade, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS),
    },
  });
  worker.on('error', (error) => logger.error({ err: error }, 'webhook worker error'));
  await worker.waitUntilReady();

  /**
   * How long a claimed outbox entry stays this worker's: long enough for its attempts (each
   * bounded by WEBHOOK_TIMEOUT_MS, all targets at once) and their record, as long as a job's
   * lock. One that outlives it is attempted again by another worker: a duplicate, never a loss.
   */
  const leaseMs = Math.max(config.JOB_LOCK_MS, config.WEBHOOK_TIMEOUT_MS * 2);
  /**
   * Leases due outbox entries, as many as WEBHOOK_CONCURRENCY leaves room for (so every entry
   * it claims is attempted at once, well within its lease), and delivers them. Claimed entries
   * are leased, so two workers never take one at once (docs/api.md "Webhooks").
   */
  let inFlight = 0;
  let draining = false;
  let drainAgain = false;
  let closing = false;
  const drain = async (): Promise<void> => {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        const room = config.WEBHOOK_CONCURRENCY - inFlight;
        if (room <= 0 || closing) return;
        const entries = await webhooks.claimOutbox(leaseMs, room);
        for (const entry of entries) {
          inFlight++;
          deliverEntry(entry)
            .catch((error: unknown) =>
              // The entry stays leased, and is attempted again once the lease ends.
              logger.warn({ err: error, experimentId: entry.experimentId }, 'webhook delivery interrupted'),
            )
            .finally(() => {
              inFlight--;
              drain().catch((error: unknown) => logger.warn({ err: error }, 'webhook outbox drain failed'));
            });
        }
        if (entries.length === room) drainAgain = true;
      } while (drainAgain);
    } finally {
      draining = false;
    }
  };
  const poller = setInterval(() => {
    drain().catch((error: unknown) => logger.warn({ err: error }, 'webhook outbox drain failed'));
  }, OUTBOX_POLL_MS);
  poller.unref();

  const standing = new Map<string, { at: number; hooks: StandingWebhook[] }>();
  const standingOf = async (owner: string): Promise<StandingWebhook[]> => {
    const cached = standing.get(owner);
    if (cached !== undefined && Date.now() - cached.at < STANDING_CACHE_MS) return cached.hooks;
    const hooks = await webhooks.list(owner);
    if (standing.size > 1000) standing.clear();
    standing.set(owner, { at: Date.now(), hooks });
    return hooks;
  };

  return {
    async progress(record, completedTrials) {
      // Never throws: a webhook problem must not fail the task whose progress this is.
      try {
        const wanted =
          record.request.notify?.events.includes('progress') === true ||
          (await standingOf(record.owner)).some((hook) => hook.events.includes('progress'));
        if (!wanted) return;
        const fresh = await connection.set(
          keys.webhookProgress(record.id),
          String(completedTrials),
          'PX',
          config.WEBHOOK_PROGRESS_INTERVAL_MS,
          'NX',
        );
        if (fresh === null) return;
        // Not awaited: a task's progress flush must not wait on building a delivery.
        dispatchProgress(record.id, completedTrials).catch((error: unknown) =>
          logger.warn({ err: error, experimentId: record.id }, 'progress webhook dispatch failed'),
        );
      } catch (error) {
        logger.warn({ err: error, experimentId: record.id }, 'progress webhook skipped');
      }
    },
    async close() {
      closing = true;
      clearInterval(poller);
      // Deliveries under way finish and are recorded (an attempt is bounded by its timeout); one
      // that does not stays leased in the outbox and is attempted again by another worker.
      const waitUntil = Date.now() + config.WEBHOOK_TIMEOUT_MS + 2000;
      while (inFlight > 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 20));
      await worker.close();
      await queue.close();
      agents.destroy();
    },
  };
}
