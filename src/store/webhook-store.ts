import type { Redis } from 'ioredis';
import type { WebhookEvent } from '../experiments/common/notify-schema.js';
import { keys } from './redis-keys.js';

/** A standing webhook of one API key (docs/api.md "Webhooks"). */
export interface StandingWebhook {
  id: string;
  owner: string;
  url: string;
  events: WebhookEvent[];
  /** `whsec_` and base64: shown once, at creation. */
  secret: string;
  createdAt: string;
}

/** Where one delivery goes: the request's `notify`, or a standing webhook. */
export type DeliveryTarget = 'notify' | { webhookId: string };

/** One attempt to deliver one event to one target, as GET /v1/experiments/{id}/deliveries lists it. */
export interface DeliveryAttempt {
  /** The `webhook-id` header: the same on every attempt of one message, so receivers can dedupe. */
  deliveryId: string;
  event: WebhookEvent;
  /** `notify`, or the id of the standing webhook. */
  target: string;
  url: string;
  attempt: number;
  /** delivered (2xx); retrying (will be tried again); failed (given up or refused for good). */
  status: 'delivered' | 'retrying' | 'failed';
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  startedAt: string;
  nextAttemptAt?: string;
}

/** Attempts kept per experiment (the oldest are dropped). */
export const MAX_RECORDED_ATTEMPTS = 200;
/** Standing webhooks per API key. */
export const MAX_WEBHOOKS_PER_OWNER = 20;

/**
 * Claims up to ARGV[2] outbox entries that are due (score ≤ now) for ARGV[1] ms: their score
 * moves to now + lease, so no other worker takes them meanwhile, and an entry whose worker
 * died is due again once its lease ends. KEYS[1] the outbox. Returns the members.
 */
const CLAIM_OUTBOX = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), member) end
return due`;

/**
 * Standing webhooks and the record of delivery attempts in Redis. The owner index and the set
 * of owners with webhooks let the final transition of an experiment decide, inside its script,
 * whether it has deliveries to make (ExperimentStore.transition).
 */
export class WebhookStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** Stores a new webhook; false when the owner already has MAX_WEBHOOKS_PER_OWNER. */
  async create(webhook: StandingWebhook): Promise<boolean> {
    if ((await this.redis.scard(keys.webhooksOf(webhook.owner))) >= MAX_WEBHOOKS_PER_OWNER) return false;
    await this.redis
      .multi()
      .set(keys.webhook(webhook.id), JSON.stringify(webhook))
      .sadd(keys.webhooksOf(webhook.owner), webhook.id)
      .sadd(keys.webhookOwners, webhook.owner)
      .exec();
    return true;
  }

  async get(id: string): Promise<StandingWebhook | undefined> {
    const raw = await this.redis.get(keys.webhook(id));
    return raw === null ? undefined : (JSON.parse(raw) as StandingWebhook);
  }

  async getOwned(id: string, owner: string): Promise<StandingWebhook | undefined> {
    const webhook = await this.get(id);
    return webhook?.owner === owner ? webhook : undefined;
  }

  /** The owner's webhooks, oldest first. */
  async list(owner: string): Promise<StandingWebhook[]> {
    const ids = await this.redis.smembers(keys.webhooksOf(owner));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => keys.webhook(id)));
    return raws
      .flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as StandingWebhook]))
      .sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1,
      );
  }

  async delete(webhook: StandingWebhook): Promise<void> {
    await this.redis
      .multi()
      .del(keys.webhook(webhook.id))
      .srem(keys.webhooksOf(webhook.owner), webhook.id)
      .exec();
    // The last one gone: the owner's experiments no longer enter the outbox.
    if ((await this.redis.scard(keys.webhooksOf(webhook.owner))) === 0)
      await this.redis.srem(keys.webhookOwners, webhook.owner);
  }

  /**
   * Leases up to `batch` due entries (`id|event`) of the webhook outbox for `leaseMs`; the
   * caller removes each once its deliveries are queued (ackOutbox).
   */
  async claimOutbox(leaseMs: number, batch: number): Promise<string[]> {
    return (await this.redis.eval(CLAIM_OUTBOX, 1, keys.webhookOutbox, leaseMs, batch)) as string[];
  }

  async ackOutbox(members: string[]): Promise<void> {
    if (members.length > 0) await this.redis.zrem(keys.webhookOutbox, ...members);
  }

  /** Appends one attempt to the experiment's capped list, which expires with the experiment. */
  async recordAttempt(experimentId: string, attempt: DeliveryAttempt): Promise<void> {
    const key = keys.deliveries(experimentId);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(attempt))
      .ltrim(key, -MAX_RECORDED_ATTEMPTS, -1)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  /** The recorded attempts, oldest first. */
  async attempts(experimentId: string): Promise<DeliveryAttempt[]> {
    const raws = await this.redis.lrange(keys.deliveries(experimentId), 0, -1);
    return raws.map((raw) => JSON.parse(raw) as DeliveryAttempt);
  }
}
