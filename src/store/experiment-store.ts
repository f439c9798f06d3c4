import type { Redis } from 'ioredis';
import type { ExperimentResult } from '../experiments/experiment-request.js';
import {
  FINAL_STATUSES,
  type ExperimentRecord,
  type ExperimentStatus,
  type Problem,
} from './experiment-record.js';
import { keys } from './redis-keys.js';

/**
 * A record is a Redis hash: `doc`, the immutable part (id, owner, request, …) as JSON written
 * once by node, and one field per mutable one (`status`, `startedAt`, `finishedAt`, `error`).
 * The transition script below only ever touches the mutable fields: Lua's cjson prints numbers
 * with 14 significant digits, so re-encoding the request there would round its samples and
 * parameters, and the workers would then run another experiment than the one submitted.
 */
type MutableField = 'status' | 'startedAt' | 'finishedAt' | 'error';

/** Writes a new record and indexes it. KEYS: record hash, owner index; ARGV: score, id, fields. */
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/**
 * Moves a record to a new status only from one of the allowed ones, atomically, so that a
 * cancel racing a worker's "succeeded" cannot be overwritten. KEYS[1] record hash, KEYS[2] the
 * owners with standing webhooks, KEYS[3] the webhook outbox; ARGV: new status, comma-separated
 * allowed statuses, TTL seconds (0 = keep), the outbox member, then field/value pairs of the
 * patch. A final status of an experiment with `notify`, or of an owner with standing webhooks,
 * enters the outbox in the same step (docs/api.md "Webhooks"), so no crash between the two can
 * lose its deliveries. Returns the hash's fields and values, or false.
 */
const TRANSITION = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if status == s then allowed = true end end
if not allowed then return false end
redis.call('HSET', KEYS[1], 'status', ARGV[1], unpack(ARGV, 5))
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  if redis.call('HEXISTS', KEYS[1], 'notify') == 1
    or redis.call('SISMEMBER', KEYS[2], redis.call('HGET', KEYS[1], 'owner')) == 1 then
    local now = redis.call('TIME')
    redis.call('ZADD', KEYS[3], now[1] * 1000 + math.floor(now[2] / 1000), ARGV[4])
  end
end
return redis.call('HGETALL', KEYS[1])`;

/** The hash fields of a new record. */
function recordFields(record: ExperimentRecord): Record<string, string> {
  const { status, startedAt, finishedAt, error, ...doc } = record;
  const fields: Record<string, string> = { doc: JSON.stringify(doc), owner: doc.owner, status };
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
const CACHE_BODY = `
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
  ) {}

  async create(record: ExperimentRecord): Promise<void> {
    // One script, not a MULTI: the same atomicity, without a pipeline per submission (ioredis's
    // pipelines were a tenth of a POST's CPU in the bench:api profile).
    const fields = Object.entries(recordFields(record)).flat();
    await this.redis.eval(
      CREATE,
      2,
      keys.experiment(record.id),
      keys.experimentsOf(record.owner),
      Date.parse(record.createdAt),
      record.id,
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

  async setTaskProgress(id: string, taskIndex: number, trials: number): Promise<void> {
    await this.redis.hset(keys.progress(id), String(taskIndex), String(trials));
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

  /** Removes an experiment, its result and progress; false if it did not exist. */
  async delete(record: ExperimentRecord): Promise<boolean> {
    const [[, removed] = [null, 0]] = (await this.redis
      .multi()
      .del(
        keys.experiment(record.id),
        keys.result(record.id),
        keys.progress(record.id),
        keys.body(record.id),
        keys.deliveries(record.id),
      )
      .zrem(keys.experimentsOf(record.owner), record.id)
      .zrem(keys.expiries, `${record.owner}|${record.id}`)
      .exec()) as [Error | null, number][];
    return Number(removed) > 0;
  }

  /**
   * Removes from the owner indexes the ids whose records have expired, so that Redis memory
   * returns to its baseline after retention. Cheap when there is nothing to do; returns how
   * many were swept.
   */
  async sweepExpired(now = Date.now(), batch = 1000): Promise<number> {
    let swept = 0;
    for (;;) {
      const due = await this.redis.zrangebyscore(keys.expiries, '-inf', now, 'LIMIT', 0, batch);
      if (due.length === 0) return swept;
      const multi = this.redis.multi();
      for (const member of due) {
        const cut = member.indexOf('|');
        multi.zrem(keys.experimentsOf(member.slice(0, cut)), member.slice(cut + 1));
      }
      multi.zrem(keys.expiries, ...due);
      await multi.exec();
      swept += due.length;
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
    const index = keys.experimentsOf(owner);
    let max = '+inf';
    let afterId: string | undefined;
    if (options.cursor !== undefined) {
      const [score, id] = decodeCursor(options.cursor);
      max = String(score);
      afterId = id;
    }
    const items: ExperimentRecord[] = [];
    let offset = 0;
    const batch = Math.max(options.limit * 2, 50);
    for (;;) {
      const page = await this.redis.zrevrangebyscore(
        index,
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        batch,
      );
      if (page.length === 0) return { items, nextCursor: null };
      offset += page.length / 2;
      const ids: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < page.length; i += 2) {
        ids.push(page[i]!);
        scores.push(Number(page[i + 1]));
      }
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(keys.experiment(id));
      const replies = (await pipeline.exec()) ?? [];
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (afterId !== undefined) {
          // Skip up to and including the cursor's item among equal scores.
          if (scores[i] === Number(max)) {
            if (id >= afterId) continue;
          }
        }
        const [error, fields] = replies[i] ?? [null, {}];
        if (error !== null) throw error;
        const record = recordFromFields(fields as Record<string, string>);
        if (record === undefined) {
          await this.redis.zrem(index, id);
          continue;
        }
        if (options.status !== undefined && record.status !== options.status) continue;
        items.push(record);
        if (items.length === options.limit) {
          return { items, nextCursor: encodeCursor(scores[i]!, id) };
        }
      }
    }
  }
}

function encodeCursor(score: number, id: string): string {
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
