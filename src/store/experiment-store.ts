import type { ChainableCommander, Redis } from 'ioredis';
import { requestDigest } from '../experiments/common/request-digest.js';
import type { ExperimentResult } from '../experiments/experiment-request.js';
import {
  FINAL_STATUSES,
  type ExperimentRecord,
  type ExperimentStatus,
  type Problem,
} from './experiment-record.js';
import { BUMP_LUA, CHANGE_LOG_ARGV } from './change-log.js';
import { NOW_MS_LUA } from './lease-lua.js';
import { keys } from './redis-keys.js';

/**
 * A record is a Redis hash: `doc`, the immutable part (id, owner, request, …) as JSON written
 * once by node, and one field per mutable one (`status`, `startedAt`, `finishedAt`, `error`).
 * The transition script below only ever touches the mutable fields: Lua's cjson prints numbers
 * with 14 significant digits, so re-encoding the request there would round its samples and
 * parameters, and the workers would then run another experiment than the one submitted.
 */
type MutableField = 'status' | 'startedAt' | 'finishedAt' | 'error';

/**
 * Writes a new record, indexes it, logs its creation (change-log.ts) and puts it in its
 * engine's intake (experiment-intake.ts), telling the workers on the intake's channel: one step,
 * so no record is left queued without a way to run. KEYS: record hash, owner index, intake;
 * ARGV: score, id, owner, CHANGE_LOG_ARGV (6), intake channel, fields.
 */
const CREATE = `${BUMP_LUA}${NOW_MS_LUA}
redis.call('HSET', KEYS[1], unpack(ARGV, 11))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
bump(KEYS[1], ARGV[2], ARGV[3], 4, false)
redis.call('ZADD', KEYS[3], nowMs(), ARGV[2])
redis.call('PUBLISH', ARGV[10], ARGV[2])
return 1`;

interface StoreScripts {
  fbstabCreateExperiment(...args: (string | number)[]): Promise<unknown>;
  fbstabTaskProgress(...args: (string | number)[]): Promise<number>;
}

/**
 * Moves a record to a new status only from one of the allowed ones, atomically, so that a
 * cancel racing a worker's "succeeded" cannot be overwritten. KEYS[1] record hash, KEYS[2] the
 * owners with standing webhooks, KEYS[3] the webhook outbox; ARGV: new status, comma-separated
 * allowed statuses, TTL seconds (0 = keep), the id, CHANGE_LOG_ARGV (6, the change log of
 * change-log.ts), the outbox member, then field/value pairs of the patch. A final status of an experiment with `notify`, or of an owner with standing webhooks,
 * enters the outbox in the same step (docs/api.md "Webhooks"), so no crash between the two can
 * lose its deliveries. Returns the hash's fields and values, or false.
 */
const TRANSITION = `${BUMP_LUA}${NOW_MS_LUA}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if status == s then allowed = true end end
if not allowed then return false end
redis.call('HSET', KEYS[1], 'status', ARGV[1], unpack(ARGV, 12))
bump(KEYS[1], ARGV[4], redis.call('HGET', KEYS[1], 'owner'), 5, false)
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  if redis.call('HEXISTS', KEYS[1], 'notify') == 1
    or redis.call('SISMEMBER', KEYS[2], redis.call('HGET', KEYS[1], 'owner')) == 1 then
    redis.call('ZADD', KEYS[3], nowMs(), ARGV[11])
  end
end
return redis.call('HGETALL', KEYS[1])`;

/**
 * Records one task's trials and, while the experiment runs, logs the change (the worker calls
 * it at most every 250 ms per task), then publishes the experiment's `progress` event (docs/api.md
 * "Events") and returns its trials done so far: a task's progress costs one round trip. KEYS:
 * record hash, progress hash; ARGV: task index, trials, id, CHANGE_LOG_ARGV (6), the event
 * channel, total trials. The fraction is written with 17 significant digits, which read back as
 * the same double (the event stream parses and writes it again).
 */
const PROGRESS = `${BUMP_LUA}
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' or status == 'running' then
  bump(KEYS[1], ARGV[3], redis.call('HGET', KEYS[1], 'owner'), 4, false)
end
local done = 0
for _, trials in ipairs(redis.call('HVALS', KEYS[2])) do done = done + tonumber(trials) end
local total = tonumber(ARGV[11])
local shown = math.min(done, total)
local fraction = '1'
if total > 0 and shown < total then fraction = string.format('%.17g', shown / total) end
redis.call('PUBLISH', ARGV[10], '{"event":"progress","data":{"completedTrials":' .. shown ..
  ',"totalTrials":' .. total .. ',"fraction":' .. fraction .. '}}')
return done`;

/**
 * Removes an experiment and leaves a tombstone in its owner's change log, pruned at ARGV[3].
 * KEYS: record, result, progress, body, summary, owner index, expiries, tombstones, webhook
 * deliveries; ARGV: id,
 * owner, prune time, CHANGE_LOG_ARGV. Returns whether the record existed.
 */
const DELETE = `${BUMP_LUA}
local removed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[9])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[2] .. '|' .. ARGV[1])
bump(KEYS[1], ARGV[1], ARGV[2], 4, true)
redis.call('ZADD', KEYS[8], ARGV[3], ARGV[2] .. '|' .. ARGV[1])
return removed`;

/**
 * Prunes one tombstone: the id leaves the change set and the floor rises to its version, so a
 * change token older than that answers 410 (docs/api.md "Changes"). KEYS: change set, floor;
 * ARGV: id.
 */
const PRUNE_TOMBSTONE = `
local v = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
local floor = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(v) > floor then redis.call('SET', KEYS[2], v) end
return 1`;

/**
 * Tombstones of deleted or expired experiments stay in the change log this long by default
 * (CHANGE_LOG_RETENTION_SECONDS).
 */
export const TOMBSTONE_TTL_MS = 24 * 3600 * 1000;

/**
 * The immutable part of a record a summary needs (docs/api.md "Views"), stored apart from `doc`
 * so that lists never parse a request, whose signals may hold millions of samples.
 */
export interface RecordHead {
  type: ExperimentRecord['type'];
  createdAt: string;
  totalTrials: number;
  /** requestDigest() of the request. */
  digest: Record<string, unknown>;
}

/** The hash fields of a new record. */
function recordFields(record: ExperimentRecord): Record<string, string> {
  const { status, startedAt, finishedAt, error, ...doc } = record;
  const head: RecordHead = {
    type: record.type,
    createdAt: record.createdAt,
    totalTrials: record.totalTrials,
    digest: requestDigest(record.request),
  };
  const fields: Record<string, string> = {
    doc: JSON.stringify(doc),
    head: JSON.stringify(head),
    owner: doc.owner,
    status,
  };
  // A flag the transition script reads without parsing the doc (its webhook outbox).
  if (doc.request.notify !== undefined) fields.notify = '1';
  if (startedAt !== undefined) fields.startedAt = startedAt;
  if (finishedAt !== undefined) fields.finishedAt = finishedAt;
  if (error !== undefined) fields.error = JSON.stringify(error);
  return fields;
}

/** The record of a hash read with HGETALL; undefined when the key does not exist. */
export function recordFromFields(fields: Record<string, string>): ExperimentRecord | undefined {
  if (fields.doc === undefined || fields.status === undefined) return undefined;
  const record = {
    ...(JSON.parse(fields.doc) as Omit<ExperimentRecord, MutableField>),
    status: fields.status as ExperimentStatus,
  } as ExperimentRecord;
  if (fields.startedAt !== undefined) record.startedAt = fields.startedAt;
  if (fields.finishedAt !== undefined) record.finishedAt = fields.finishedAt;
  if (fields.error !== undefined) record.error = JSON.parse(fields.error) as Problem;
  return record;
}

/**
 * Stores the served body of a finished experiment under its own key, expiring with the record,
 * if the record still exists and is final: a deleted record must not come back. KEYS[1] record
 * hash, KEYS[2] body key; ARGV: the entry (owner, ETag and body, see cacheBody), comma-separated
 * final statuses. The body stays out of the record hash, so lists that read records never load it.
 */
export const CACHE_BODY = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
for s in string.gmatch(ARGV[2], '[^,]+') do
  if status == s then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[2], ARGV[1]) end
    return 1
  end
end
return 0`;

/** A finished experiment's response body as served (UTF-8 bytes), with its ETag and owner. */
export interface CachedBody {
  owner: string;
  etag: string;
  body: Buffer;
}

const NEWLINE = 0x0a;

/** One consistent read of an experiment: record, trials done and (once succeeded) result. */
export interface ExperimentSnapshot {
  record: ExperimentRecord;
  completedTrials: number;
  result: ExperimentResult | undefined;
}

/** HGETALL's flat [field, value, …] reply (as EVAL returns it) as an object. */
function pairsToFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

export interface ListOptions {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
  status?: ExperimentStatus | undefined;
}

/**
 * Experiments and results in Redis, under their own keys (not only as job return values), so
 * they outlive the queue's retention and expire after RESULT_TTL_SECONDS once finished.
 */
export class ExperimentStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    /** How long tombstones stay in the change log (docs/api.md "Changes"). */
    private readonly tombstoneTtlMs: number = TOMBSTONE_TTL_MS,
  ) {
    if (!('fbstabCreateExperiment' in redis)) {
      redis.defineCommand('fbstabCreateExperiment', { numberOfKeys: 3, lua: CREATE });
      redis.defineCommand('fbstabTaskProgress', { numberOfKeys: 2, lua: PROGRESS });
    }
  }

  /**
   * Writes a new record and puts it in `intake` (its engine's), in one script sent by SHA: one
   * round trip per submission (ioredis's pipelines were a tenth of a POST's CPU in the bench:api
   * profile, and EVAL would send the script's text each time).
   */
  async create(record: ExperimentRecord, intake: { key: string; channel: string }): Promise<void> {
    const fields = Object.entries(recordFields(record)).flat();
    await (this.redis as unknown as StoreScripts).fbstabCreateExperiment(
      keys.experiment(record.id),
      keys.experimentsOf(record.owner),
      intake.key,
      Date.parse(record.createdAt),
      record.id,
      record.owner,
      ...CHANGE_LOG_ARGV,
      intake.channel,
      ...fields,
    );
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    return recordFromFields(await this.redis.hgetall(keys.experiment(id)));
  }

  /**
   * The cached body of a finished experiment: one GET of one key, as bytes, so serving it costs
   * no parse, no encoding and no pipeline. Undefined when there is none (not finished, not yet
   * served once, or gone). The caller checks the owner.
   */
  async getCachedBody(id: string): Promise<CachedBody | undefined> {
    const entry = await this.redis.getBuffer(keys.body(id));
    if (entry === null) return undefined;
    // `owner \n etag \n body`: neither an owner (hex or "public") nor an ETag holds a newline.
    const first = entry.indexOf(NEWLINE);
    const second = entry.indexOf(NEWLINE, first + 1);
    return {
      owner: entry.toString('latin1', 0, first),
      etag: entry.toString('latin1', first + 1, second),
      body: entry.subarray(second + 1),
    };
  }

  /** Caches the served body of a finished experiment; false when it is no longer final or gone. */
  async cacheBody(id: string, owner: string, etag: string, body: string): Promise<boolean> {
    const stored = await this.redis.eval(
      CACHE_BODY,
      2,
      keys.experiment(id),
      keys.body(id),
      `${owner}\n${etag}\n${body}`,
      FINAL_STATUSES.join(','),
    );
    return stored === 1;
  }

  /**
   * The record, the trials done and the result, read in one MULTI so that they agree (a status
   * and a progress count from two moments could say "running" at 100 % or "succeeded" at 90 %).
   */
  async snapshot(id: string): Promise<ExperimentSnapshot | undefined> {
    const replies = (await this.redis
      .multi()
      .hgetall(keys.experiment(id))
      .hvals(keys.progress(id))
      .get(keys.result(id))
      .exec()) as [Error | null, unknown][];
    for (const [error] of replies) if (error !== null) throw error;
    const record = recordFromFields(replies[0]![1] as Record<string, string>);
    if (record === undefined) return undefined;
    const progress = replies[1]![1] as string[];
    const rawResult = replies[2]![1] as string | null;
    return {
      record,
      completedTrials: progress.reduce((sum, v) => sum + Number(v), 0),
      result:
        record.status === 'succeeded' && rawResult !== null
          ? (JSON.parse(rawResult) as ExperimentResult)
          : undefined,
    };
  }

  /** The record if it exists and belongs to `owner`. */
  async getOwned(id: string, owner: string): Promise<ExperimentRecord | undefined> {
    const record = await this.get(id);
    return record?.owner === owner ? record : undefined;
  }

  async getResult(id: string): Promise<ExperimentResult | undefined> {
    const raw = await this.redis.get(keys.result(id));
    return raw === null ? undefined : (JSON.parse(raw) as ExperimentResult);
  }

  /** Trials finished so far, summed over tasks (a retried task overwrites its own count). */
  async completedTrials(id: string): Promise<number> {
    const values = await this.redis.hvals(keys.progress(id));
    return values.reduce((sum, v) => sum + Number(v), 0);
  }

  /**
   * Records one task's trials; a running experiment's change is logged (change-log.ts) and its
   * `progress` event published, of `totalTrials`. Resolves to the experiment's completed trials,
   * counted in the same script.
   */
  async setTaskProgress(id: string, taskIndex: number, trials: number, totalTrials: number): Promise<number> {
    return (this.redis as unknown as StoreScripts).fbstabTaskProgress(
      keys.experiment(id),
      keys.progress(id),
      String(taskIndex),
      String(trials),
      id,
      ...CHANGE_LOG_ARGV,
      keys.events(id),
      String(totalTrials),
    );
  }

  /**
   * Moves `id` to `status` if its current status is one of `from`; returns the updated record,
   * or undefined when the move was not allowed (or the record is gone).
   */
  async transition(
    id: string,
    status: ExperimentStatus,
    from: readonly ExperimentStatus[],
    patch: Partial<Pick<ExperimentRecord, 'startedAt' | 'finishedAt' | 'error'>> = {},
  ): Promise<ExperimentRecord | undefined> {
    const final = FINAL_STATUSES.includes(status);
    const patchPairs: string[] = [];
    if (patch.startedAt !== undefined) patchPairs.push('startedAt', patch.startedAt);
    if (patch.finishedAt !== undefined) patchPairs.push('finishedAt', patch.finishedAt);
    if (patch.error !== undefined) patchPairs.push('error', JSON.stringify(patch.error));
    const out = (await this.redis.eval(
      TRANSITION,
      3,
      keys.experiment(id),
      keys.webhookOwners,
      keys.webhookOutbox,
      status,
      from.join(','),
      final ? this.ttlSeconds : 0,
      id,
      ...CHANGE_LOG_ARGV,
      `${id}|${status}`,
      ...patchPairs,
    )) as string[] | null;
    if (out === null) return undefined;
    const record = recordFromFields(pairsToFields(out));
    if (record === undefined) return undefined;
    if (final) {
      await this.redis
        .multi()
        .expire(keys.progress(id), this.ttlSeconds)
        .zadd(keys.expiries, Date.now() + this.ttlSeconds * 1000, `${record.owner}|${id}`)
        .exec();
    }
    return record;
  }

  /** Stores the result and marks the experiment succeeded, unless it was cancelled meanwhile. */
  async succeed(
    id: string,
    result: ExperimentResult,
    finishedAt: string,
  ): Promise<ExperimentRecord | undefined> {
    await this.redis.set(keys.result(id), JSON.stringify(result), 'EX', this.ttlSeconds);
    const record = await this.transition(id, 'succeeded', ['queued', 'running'], { finishedAt });
    if (record === undefined) await this.redis.del(keys.result(id));
    return record;
  }

  async fail(id: string, error: Problem, finishedAt: string): Promise<ExperimentRecord | undefined> {
    return this.transition(id, 'failed', ['queued', 'running'], { finishedAt, error });
  }

  /**
   * Removes an experiment, its result, progress and webhook deliveries, leaving a tombstone in
   * the change log;
   * false if it did not exist.
   */
  async delete(record: ExperimentRecord): Promise<boolean> {
    return ((await this.tombstone(record.owner, record.id)) as number) > 0;
  }

  /** The DELETE script for one experiment, run now or queued on `via` (a pipeline). */
  private tombstone(
    owner: string,
    id: string,
    now = Date.now(),
    via: Redis | ChainableCommander = this.redis,
  ) {
    return via.eval(
      DELETE,
      9,
      keys.experiment(id),
      keys.result(id),
      keys.progress(id),
      keys.body(id),
      keys.summary(id),
      keys.experimentsOf(owner),
      keys.expiries,
      keys.tombstones,
      keys.deliveries(id),
      id,
      owner,
      now + this.tombstoneTtlMs,
      ...CHANGE_LOG_ARGV,
    );
  }

  /**
   * Removes from the owner indexes the ids whose records have expired, so that Redis memory
   * returns to its baseline after retention, leaving tombstones in the change log; then prunes
   * the tombstones older than the change log's retention. Cheap when there is nothing to do; returns how
   * many experiments were swept.
   */
  async sweepExpired(now = Date.now(), batch = 1000): Promise<number> {
    let swept = 0;
    for (;;) {
      const due = await this.redis.zrangebyscore(keys.expiries, '-inf', now, 'LIMIT', 0, batch);
      if (due.length === 0) break;
      // An expired experiment becomes a tombstone, like a deleted one, so dashboards drop it.
      const pipeline = this.redis.pipeline();
      for (const member of due) {
        const cut = member.indexOf('|');
        this.tombstone(member.slice(0, cut), member.slice(cut + 1), now, pipeline);
      }
      pipeline.zrem(keys.expiries, ...due);
      for (const [error] of (await pipeline.exec()) ?? []) if (error !== null) throw error;
      swept += due.length;
    }
    for (;;) {
      const due = await this.redis.zrangebyscore(keys.tombstones, '-inf', now, 'LIMIT', 0, batch);
      if (due.length === 0) return swept;
      const pipeline = this.redis.pipeline();
      for (const member of due) {
        const cut = member.indexOf('|');
        const owner = member.slice(0, cut);
        pipeline.eval(
          PRUNE_TOMBSTONE,
          2,
          keys.changesOf(owner),
          keys.changeFloorOf(owner),
          member.slice(cut + 1),
        );
      }
      pipeline.zrem(keys.tombstones, ...due);
      await pipeline.exec();
    }
  }

  /**
   * Newest first. The cursor is the (score, id) of the last item returned, so pages stay stable
   * while new experiments arrive. Ids whose records expired are pruned from the index.
   */
  async list(
    owner: string,
    options: ListOptions,
  ): Promise<{ items: ExperimentRecord[]; nextCursor: string | null }> {
    const items: ExperimentRecord[] = [];
    const batch = Math.max(options.limit * 2, 50);
    for await (const entries of ownerIndexAfter(this.redis, owner, options.cursor, batch)) {
      const pipeline = this.redis.pipeline();
      for (const { id } of entries) pipeline.hgetall(keys.experiment(id));
      const replies = (await pipeline.exec()) ?? [];
      for (let i = 0; i < entries.length; i++) {
        const { id, score } = entries[i]!;
        const [error, fields] = replies[i] ?? [null, {}];
        if (error !== null) throw error;
        const record = recordFromFields(fields as Record<string, string>);
        if (record === undefined) {
          await this.redis.zrem(keys.experimentsOf(owner), id);
          continue;
        }
        if (options.status !== undefined && record.status !== options.status) continue;
        items.push(record);
        if (items.length === options.limit) return { items, nextCursor: encodeCursor(score, id) };
      }
    }
    return { items, nextCursor: null };
  }
}

/**
 * An owner's index of experiments, newest first, from just after `cursor` (or the newest), read
 * `batch` entries per round trip. Both list views page through it with the same cursor.
 */
export async function* ownerIndexAfter(
  redis: Redis,
  owner: string,
  cursor: string | undefined,
  batch: number,
): AsyncGenerator<{ id: string; score: number }[], void, undefined> {
  const index = keys.experimentsOf(owner);
  let max = '+inf';
  let afterId: string | undefined;
  if (cursor !== undefined) {
    const [score, id] = decodeCursor(cursor);
    max = String(score);
    afterId = id;
  }
  for (let offset = 0; ;) {
    const page = await redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
    if (page.length === 0) return;
    offset += page.length / 2;
    const entries: { id: string; score: number }[] = [];
    for (let i = 0; i < page.length; i += 2) {
      const id = page[i]!;
      const score = Number(page[i + 1]);
      // Skip up to and including the cursor's item among equal scores.
      if (afterId !== undefined && score === Number(max) && id >= afterId) continue;
      entries.push({ id, score });
    }
    yield entries;
  }
}

/** The cursor of a page that ended at (score, id); decodeCursor reads it. */
export function encodeCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

/** Throws a RangeError for a cursor that was not made by encodeCursor. */
export function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new RangeError('cursor is not one this API returned');
}
