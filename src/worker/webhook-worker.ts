import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { WebhookEvent } from '../experiments/common/notify-schema.js';
import { QUEUE_OPTIONS, WEBHOOK_QUEUE } from '../queue/queue-names.js';
import { experimentResource } from '../service/experiment-service.js';
import { SendError, sendWebhook, type SendOutcome } from '../service/webhook-send.js';
import { signWebhook } from '../service/webhook-signature.js';
import { WebhookTargetError, resolveWebhookTarget } from '../service/webhook-target.js';
import type { ExperimentRecord } from '../store/experiment-record.js';
import type { ExperimentStore } from '../store/experiment-store.js';
import { keys } from '../store/redis-keys.js';
import { WebhookStore, type DeliveryAttempt, type StandingWebhook } from '../store/webhook-store.js';

/** How often a worker moves the outbox's final events into dispatch jobs. */
const OUTBOX_POLL_MS = 250;
/** How long a worker holds the outbox entries it took; one that died leaves them due again after it. */
const OUTBOX_LEASE_MS = 30_000;
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
 * Webhook delivery in a worker process (docs/api.md "Webhooks"): its own queue and BullMQ
 * Worker, whose jobs only wait on the network, on the event loop, never on a task thread, so
 * deliveries cannot slow the computation. Final events reach it through the outbox the final
 * transition writes; standing webhooks are read here, when an event fires, never by the API.
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

  /** The envelope of docs/api.md "Webhooks": `{ type, timestamp, data }`, data as GET serves it. */
  const envelope = async (record: ExperimentRecord, event: WebhookEvent): Promise<string | undefined> => {
    const cached = await store.getCachedBody(record.id);
    let data = cached?.body.toString('utf8');
    if (data === undefined) {
      const snapshot = await store.snapshot(record.id);
      if (snapshot === undefined) return undefined;
      data = JSON.stringify(experimentResource(snapshot));
    }
    let omitted = '';
    if (Buffer.byteLength(data) > config.WEBHOOK_MAX_RESULT_BYTES) {
      const resource = JSON.parse(data) as Record<string, unknown>;
      delete resource.result;
      data = JSON.stringify(resource);
      omitted = ',"resultOmitted":true';
    }
    const head = JSON.stringify({ type: `experiment.${event}`, timestamp: new Date().toISOString() });
    return `${head.slice(0, -1)}${omitted},"data":${data}}`;
  };

  /**
   * Turns one event of one experiment into one delivery job per target: its `notify`, and the
   * owner's standing webhooks read now (never by the API). The job ids are the deliveries'
   * `webhook-id`s, so dispatching an event twice adds each job once.
   */
  const dispatch = async (id: string, event: WebhookEvent, completedTrials = 0): Promise<void> => {
    const log = logger.child({ experimentId: id, event });
    const record = await store.get(id);
    if (record === undefined) {
      log.debug('experiment gone; nothing to deliver');
      return;
    }
    const targets: { target: string; url: string }[] = [];
    const notify = record.request.notify;
    if (notify?.events.includes(event) === true) targets.push({ target: 'notify', url: notify.url });
    for (const hook of await webhooks.list(record.owner))
      if (hook.events.includes(event)) targets.push({ target: hook.id, url: hook.url });
    if (targets.length === 0) return;
    const body = await envelope(record, event);
    if (body === undefined) return;
    const eventKey = event === 'progress' ? `progress-${completedTrials}` : event;
    await queue.addBulk(
      targets.map(({ target, url }) => {
        const deliveryId = `${id}.${eventKey}.${target}`;
        return {
          name: 'deliver',
          data: { experimentId: id, event, target, url, deliveryId, body } satisfies DeliverJobData,
          opts: {
            jobId: deliveryId,
            attempts: event === 'progress' ? PROGRESS_ATTEMPTS : FINAL_ATTEMPTS,
            backoff: { type: 'webhook' },
            removeOnComplete: true,
            removeOnFail: { age: 24 * 3600 },
          },
        };
      }),
    );
    log.debug({ targets: targets.length }, 'webhook event dispatched');
  };

  const deliver = async (job: Job<DeliverJobData>): Promise<void> => {
    const { experimentId: id, event, target, url, deliveryId, body } = job.data;
    const attempt = job.attemptsMade + 1;
    const log = logger.child({ jobId: job.id, experimentId: id, event, target, attempt });
    const started = Date.now();
    const record = async (
      status: DeliveryAttempt['status'],
      outcome: { httpStatus?: number; error?: string; nextAttemptAt?: number },
    ) => {
      const entry: DeliveryAttempt = {
        deliveryId,
        event,
        target,
        url,
        attempt,
        status,
        httpStatus: outcome.httpStatus ?? null,
        latencyMs: Date.now() - started,
        error: outcome.error ?? null,
        startedAt: new Date(started).toISOString(),
      };
      if (outcome.nextAttemptAt !== undefined)
        entry.nextAttemptAt = new Date(outcome.nextAttemptAt).toISOString();
      await webhooks.recordAttempt(id, entry);
    };
    const giveUp = async (error: string, httpStatus?: number): Promise<never> => {
      await record('failed', { error, ...(httpStatus === undefined ? {} : { httpStatus }) });
      log.warn({ httpStatus, error }, 'webhook delivery failed for good');
      throw new UnrecoverableError(error);
    };

    let secret: string | undefined;
    if (target === 'notify') secret = config.WEBHOOK_SECRET;
    else secret = (await webhooks.get(target))?.secret;
    if (secret === undefined)
      return giveUp(target === 'notify' ? 'no WEBHOOK_SECRET to sign with' : 'the webhook was deleted');

    let target$;
    try {
      target$ = await resolveWebhookTarget(url, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
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
    let outcome: SendOutcome | undefined;
    let failure: string;
    let wait: number | undefined;
    try {
      outcome = await sendWebhook(target$, headers, body, config.WEBHOOK_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      failure = error.message;
    }
    if (outcome !== undefined) {
      const status = outcome.status;
      if (status >= 200 && status < 300) {
        await record('delivered', { httpStatus: status });
        log.info({ httpStatus: status, ms: Date.now() - started }, 'webhook delivered');
        return;
      }
      if (status < 500 && status !== 408 && status !== 429)
        return giveUp(
          status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
          status,
        );
      failure = `HTTP ${status}`;
      wait = retryAfterMs(outcome.headers['retry-after']);
    }
    const delay = Math.min(
      wait ?? backoffDelayMs(attempt, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS),
      config.WEBHOOK_RETRY_MAX_MS,
    );
    const httpStatus = outcome?.status;
    const maxAttempts = job.opts.attempts ?? 1;
    if (
      Date.now() + delay - job.timestamp > config.WEBHOOK_RETRY_FOR_SECONDS * 1000 ||
      attempt >= maxAttempts
    )
      return giveUp(`${failure!}; gave up after ${attempt} attempts`, httpStatus);
    await record('retrying', {
      error: failure!,
      nextAttemptAt: Date.now() + delay,
      ...(httpStatus === undefined ? {} : { httpStatus }),
    });
    log.info({ httpStatus, error: failure!, delayMs: delay }, 'webhook delivery will be retried');
    throw new RetryLater(failure!, delay);
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
   * Dispatches the outbox's events, then removes them from it. Entries are leased, so two
   * workers never dispatch one at once; a worker that dies before removing them leaves them due
   * again after the lease, and the delivery jobs' ids, fixed by the event, make a second
   * dispatch add only the jobs not already queued (docs/api.md "Webhooks").
   */
  let draining = false;
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      for (;;) {
        const members = await webhooks.claimOutbox(OUTBOX_LEASE_MS, 100);
        if (members.length === 0) return;
        const outcomes = await Promise.allSettled(
          members.map((member) => {
            const [experimentId = '', event = ''] = member.split('|');
            return dispatch(experimentId, event as WebhookEvent);
          }),
        );
        const done = members.filter((_, i) => outcomes[i]!.status === 'fulfilled');
        for (const outcome of outcomes)
          if (outcome.status === 'rejected') logger.warn({ err: outcome.reason }, 'webhook dispatch failed');
        await webhooks.ackOutbox(done);
        if (done.length < 100) return;
      }
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
        dispatch(record.id, 'progress', completedTrials).catch((error: unknown) =>
          logger.warn({ err: error, experimentId: record.id }, 'progress webhook dispatch failed'),
        );
      } catch (error) {
        logger.warn({ err: error, experimentId: record.id }, 'progress webhook skipped');
      }
    },
    async close() {
      clearInterval(poller);
      await worker.close();
      await queue.close();
    },
  };
}
