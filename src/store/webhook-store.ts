import type { Redis } from 'ioredis';
import type { WebhookEvent } from '../experiments/common/notify-schema.js';
import { keyAround, keys } from './redis-keys.js';
import { LEASE_DUE_LUA } from './lease-lua.js';

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
 * moves to now + lease, so no other worker takes them meanwhile, and an entry whose worker died
 * is due again once its lease ends. KEYS[1] the outbox. In the same step it reads everything a
 * delivery of each claimed entry needs, and returns per entry `{member, record fields (HGETALL),
 * cached body or false, progress (HVALS), result or false, the owner's standing webhooks (JSON
 * each)}`: one round trip for a batch of events, instead of four or five per event. ARGV[3..] the record, body, progress and result keys of an
 * id and the webhook-set key of an owner, each cut around it (keyAround), then the key of a
 * webhook cut around its id.
 */
const CLAIM_AND_LOAD = `${LEASE_DUE_LUA}
local due = leaseDue(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local out = {}
for i, member in ipairs(due) do
  local id = string.match(member, '^[^|]*')
  local fields = redis.call('HGETALL', ARGV[3] .. id .. ARGV[4])
  local owner = redis.call('HGET', ARGV[3] .. id .. ARGV[4], 'owner')
  local hooks = {}
  if owner then
    local ids = redis.call('SMEMBERS', ARGV[11] .. owner .. ARGV[12])
    if #ids > 0 then
      local hookKeys = {}
      for j, hook in ipairs(ids) do hookKeys[j] = ARGV[13] .. hook .. ARGV[14] end
      for _, raw in ipairs(redis.call('MGET', unpack(hookKeys))) do
        if raw then hooks[#hooks + 1] = raw end
      end
    end
  end
  out[i] = {
    member,
    fields,
    redis.call('GET', ARGV[5] .. id .. ARGV[6]),
    redis.call('HVALS', ARGV[7] .. id .. ARGV[8]),
    redis.call('GET', ARGV[9] .. id .. ARGV[10]),
    hooks,
  }
end
return out`;
const CLAIM_AND_LOAD_ARGV = [
  ...keyAround(keys.experiment),
  ...keyAround(keys.body),
  ...keyAround(keys.progress),
  ...keyAround(keys.result),
  ...keyAround(keys.webhooksOf),
  ...keyAround(keys.webhook),
];

/**
 * Appends attempts to an experiment's capped list (which expires with the experiment) and, if
 * ARGV[3] is not empty, removes that member from the outbox, in one step: an outbox entry
 * leaves only together with the record of what became of it. KEYS: deliveries, outbox; ARGV:
 * TTL seconds, attempts kept, outbox member or '', then the attempts (JSON).
 */
const SETTLE = `
redis.call('RPUSH', KEYS[1], unpack(ARGV, 4))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
if ARGV[3] ~= '' then redis.call('ZREM', KEYS[2], ARGV[3]) end
return 1`;

/** One leased outbox entry and what CLAIM_AND_LOAD read for it (raw, parsed by the caller). */
export interface OutboxEntry {
  /** `id|event`, the outbox member. */
  member: string;
  experimentId: string;
  event: WebhookEvent;
  /** The record hash; empty when the experiment is gone. */
  fields: Record<string, string>;
  /** The body GET serves, if a GET cached it. */
  cachedBody: string | null;
  /** The per-task trial counts. */
  progress: string[];
  /** The stored result JSON, if any. */
  result: string | null;
  /** The owner's standing webhooks, read in the same step. */
  standing: StandingWebhook[];
}

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
   * Leases up to `batch` due entries (`id|event`) of the webhook outbox for `leaseMs` and reads,
   * in the same step, what their deliveries need; the caller removes each entry with `settle`
   * once its attempts are recorded (and a retry is queued where one is due).
   */
  async claimOutbox(leaseMs: number, batch: number): Promise<OutboxEntry[]> {
    const replies = (await this.redis.eval(
      CLAIM_AND_LOAD,
      1,
      keys.webhookOutbox,
      leaseMs,
      batch,
      ...CLAIM_AND_LOAD_ARGV,
    )) as [string, string[], string | null, string[], string | null, string[]][];
    return replies.map(([member, flat, body, progress, result, hooks]) => {
      const cut = member.indexOf('|');
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      return {
        member,
        experimentId: member.slice(0, cut),
        event: member.slice(cut + 1) as WebhookEvent,
        fields,
        // `owner \n etag \n body` (ExperimentStore.cacheBody): the body as served.
        cachedBody: body === null ? null : body.slice(body.indexOf('\n', body.indexOf('\n') + 1) + 1),
        progress,
        result,
        standing: hooks.map((raw) => JSON.parse(raw) as StandingWebhook),
      };
    });
  }

  /**
   * Records the attempts of an experiment's deliveries and, with `outboxMember`, removes that
   * outbox entry, in one step (SETTLE).
   */
  async settle(experimentId: string, attempts: DeliveryAttempt[], outboxMember = ''): Promise<void> {
    if (attempts.length === 0) {
      if (outboxMember !== '') await this.redis.zrem(keys.webhookOutbox, outboxMember);
      return;
    }
    await this.redis.eval(
      SETTLE,
      2,
      keys.deliveries(experimentId),
      keys.webhookOutbox,
      this.ttlSeconds,
      MAX_RECORDED_ATTEMPTS,
      outboxMember,
      ...attempts.map((attempt) => JSON.stringify(attempt)),
    );
  }

  /** Whether an attempt of this delivery was recorded as delivered (a retry then has nothing to do). */
  async wasDelivered(experimentId: string, deliveryId: string): Promise<boolean> {
    const raws = await this.redis.lrange(keys.deliveries(experimentId), 0, -1);
    return raws.some((raw) => {
      const attempt = JSON.parse(raw) as DeliveryAttempt;
      return attempt.deliveryId === deliveryId && attempt.status === 'delivered';
    });
  }

  /** The recorded attempts, oldest first. */
  async attempts(experimentId: string): Promise<DeliveryAttempt[]> {
    const raws = await this.redis.lrange(keys.deliveries(experimentId), 0, -1);
    return raws.map((raw) => JSON.parse(raw) as DeliveryAttempt);
  }
}
