import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CACHE_BODY, encodeCursor, ownerIndexAfter } from './experiment-store.js';
import { FINAL_STATUSES, type ExperimentStatus } from './experiment-record.js';
import { keys } from './redis-keys.js';
import { parseRow, ROW_LUA, ROW_OF_ID_LUA, type SummaryRow } from './summary-row.js';

export type { SummaryRow } from './summary-row.js';

/**
 * Where the change log stands: `epoch` (made from ARGV[1] the first time, so a reset Redis gets
 * a new one) and the owner's `seq`. KEYS[1] the epoch, KEYS[2] the owner's sequence.
 */
const POSITION_LUA = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
local seq = redis.call('GET', KEYS[2]) or '0'
`;

/** The rows of any number of ids; KEYS: record, progress, summary per id. */
const SUMMARIES = `${ROW_LUA}
local out = {}
for i = 1, #KEYS / 3 do
  local k = (i - 1) * 3
  out[i] = row(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3])
end
return out`;

/**
 * The first page of a list in one round trip: the epoch, the owner's sequence, the newest
 * ARGV[2] ids with their scores, and their rows; or, when the page's cached bytes were built at
 * this very position of the change log, those bytes with their stamp; or only `same` when the
 * caller already holds the bytes of that stamp (ARGV[3]). The cache holds
 * `epoch.seq;nonce\n` and the bytes. KEYS: epoch, sequence, owner index, page cache; ARGV: new
 * epoch, count, the
 * stamp the caller holds ('' for none).
 */
const FIRST_PAGE = `${ROW_LUA}${ROW_OF_ID_LUA}${POSITION_LUA}
local page = redis.call('GET', KEYS[4])
if page then
  local position = epoch .. '.' .. seq .. ';'
  if string.sub(page, 1, #position) == position then
    local newline = string.find(page, '\\n', 1, true)
    local stamp = string.sub(page, 1, newline - 1)
    if stamp == ARGV[3] then return {epoch, seq, 'same'} end
    return {epoch, seq, 'page', string.sub(page, newline + 1), stamp}
  end
end
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[3], '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local rows = {}
for i = 1, #ids / 2 do
  local id = ids[2 * i - 1]
  rows[i] = rowOf(id)
end
return {epoch, seq, ids, rows}`;

/**
 * The epoch (made on first use) and the owner's sequence; with ARGV[2] > -1 also the ids changed
 * after ARGV[2] (at most ARGV[3], oldest change first, with their versions) and the floor; with
 * ARGV[4] = '1' also the summary rows of those ids (ROW_OF_ID_LUA), so that a poll of a
 * list that changed costs one round trip, as one that did not.
 * KEYS: epoch, sequence, change set, floor; ARGV: new epoch, since, limit, rows?.
 */
const CHANGES = `${ROW_LUA}${ROW_OF_ID_LUA}${POSITION_LUA}
if tonumber(ARGV[2]) < 0 then return {epoch, seq} end
local floor = redis.call('GET', KEYS[4]) or '0'
local changed = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local rows = {}
if ARGV[4] == '1' then
  for i = 1, #changed / 2 do
    local id = changed[2 * i - 1]
    rows[i] = rowOf(id)
  end
end
return {epoch, seq, floor, changed, rows}`;

interface ViewScripts {
  fbstabChanges(...args: (string | number)[]): Promise<unknown>;
  /** The number of keys first, then the keys. */
  fbstabSummaries(...args: (string | number)[]): Promise<unknown>;
  fbstabFirstPage(...args: (string | number)[]): Promise<unknown>;
}

/** Where an owner's change log stands: the token of docs/api.md "Changes" is made of both. */
export interface ChangeState {
  epoch: string;
  seq: number;
}

export interface ChangesSince extends ChangeState {
  /** Tombstones up to this version were pruned: a token below it cannot be served. */
  floor: number;
  /** Ids changed after the token, oldest change first, with the version of that change. */
  changed: { id: string; version: number }[];
  /** The summary rows of `changed`, in its order, when they were asked for. */
  rows?: SummaryRow[];
}

/**
 * The reads behind the list views of docs/api.md "Views" and "Changes": summaries in one
 * script per page, the cached summaries of finished experiments, and the change log.
 */
export class ViewStore {
  /** The two read scripts, sent by SHA (EVALSHA) rather than as text on every poll. */
  private readonly scripts: ViewScripts;
  /** The epoch this process offers should the change log have none yet (a new or reset Redis). */
  private readonly newEpoch = randomBytes(6).toString('hex');

  constructor(private readonly redis: Redis) {
    if (!('fbstabChanges' in redis)) {
      redis.defineCommand('fbstabChanges', { numberOfKeys: 4, lua: CHANGES });
      redis.defineCommand('fbstabSummaries', { lua: SUMMARIES });
      redis.defineCommand('fbstabFirstPage', { numberOfKeys: 4, lua: FIRST_PAGE });
    }
    this.scripts = redis as unknown as ViewScripts;
  }

  /** One round trip for any number of ids, in their order. */
  async rows(ids: readonly string[]): Promise<SummaryRow[]> {
    if (ids.length === 0) return [];
    const keyList = ids.flatMap((id) => [keys.experiment(id), keys.progress(id), keys.summary(id)]);
    const replies = (await this.scripts.fbstabSummaries(keyList.length, ...keyList)) as (string | null)[][];
    return ids.map((id, i) => parseRow(id, replies[i] ?? []));
  }

  /**
   * The first page of an owner's list (newest first, no filter) with where the change log
   * stood, in one round trip: its cached bytes (`body`) when they were built at that position,
   * else its rows; undefined when an expired id must be pruned first (page() does).
   */
  async firstPage(
    owner: string,
    limit: number,
    heldStamp = '',
  ): Promise<
    | { state: ChangeState; same: true }
    | { state: ChangeState; body: string; stamp: string }
    | { state: ChangeState; rows: SummaryRow[]; nextCursor: string | null }
    | undefined
  > {
    const [epoch, seq, flat, replies, stamp] = (await this.scripts.fbstabFirstPage(
      keys.changeEpoch,
      keys.changeSeqOf(owner),
      keys.experimentsOf(owner),
      keys.firstPageOf(owner, limit),
      this.newEpoch,
      limit + 1,
      heldStamp,
    )) as [string, string, string[] | 'page' | 'same', (string | null)[][] | string, string];
    const state = { epoch, seq: Number(seq) };
    if (flat === 'same') return { state, same: true };
    if (flat === 'page') return { state, body: replies as string, stamp };
    const rows: SummaryRow[] = [];
    const rowReplies = replies as (string | null)[][];
    for (let i = 0; i < rowReplies.length && i < limit; i++) {
      const row = parseRow(flat[2 * i]!, rowReplies[i]!);
      if (row.kind === 'missing') return undefined;
      rows.push(row);
    }
    const nextCursor =
      rowReplies.length > limit ? encodeCursor(Number(flat[2 * limit - 1]), flat[2 * limit - 2]!) : null;
    return { state, rows, nextCursor };
  }

  /**
   * Keeps a first page's bytes with the position of the change log they were built at and a
   * nonce (the stamp, returned): every change of the owner's experiments moves that position,
   * so a page is served again only while nothing it shows has changed, and a process holding
   * the bytes of a stamp need not read them again. Expires after a minute, as an idle
   * dashboard's page need not stay.
   */
  async cacheFirstPage(owner: string, limit: number, state: ChangeState, body: string): Promise<string> {
    const stamp = `${state.epoch}.${state.seq};${randomBytes(6).toString('hex')}`;
    await this.redis.set(keys.firstPageOf(owner, limit), `${stamp}\n${body}`, 'EX', 60);
    return stamp;
  }

  /**
   * Caches the summary of a finished experiment, expiring with its record; not when it is no
   * longer final or gone (the body cache's script, on the summary key).
   */
  async cacheSummary(id: string, owner: string, status: ExperimentStatus, json: string): Promise<void> {
    await this.redis.eval(
      CACHE_BODY,
      2,
      keys.experiment(id),
      keys.summary(id),
      `${owner}\n${status}\n${json}`,
      FINAL_STATUSES.join(','),
    );
  }

  /** The epoch and the owner's sequence: one command, for ETags and 304s. */
  async state(owner: string): Promise<ChangeState> {
    const [epoch, seq] = (await this.changesScript(owner, -1, 0, false)) as [string, string];
    return { epoch, seq: Number(seq) };
  }

  /**
   * The ids changed after `since` (at most `limit`), with their summary rows when `withRows`,
   * in one command.
   */
  async changesSince(owner: string, since: number, limit: number, withRows = false): Promise<ChangesSince> {
    const [epoch, seq, floor, flat, rowReplies] = (await this.changesScript(
      owner,
      since,
      limit,
      withRows,
    )) as [string, string, string, string[], (string | null)[][]];
    const changed: { id: string; version: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) changed.push({ id: flat[i]!, version: Number(flat[i + 1]) });
    const state = { epoch, seq: Number(seq), floor: Number(floor), changed };
    if (!withRows) return state;
    return { ...state, rows: changed.map((c, i) => parseRow(c.id, rowReplies[i] ?? [])) };
  }

  private changesScript(owner: string, since: number, limit: number, withRows: boolean): Promise<unknown> {
    return this.scripts.fbstabChanges(
      keys.changeEpoch,
      keys.changeSeqOf(owner),
      keys.changesOf(owner),
      keys.changeFloorOf(owner),
      this.newEpoch,
      since,
      limit,
      withRows ? '1' : '0',
    );
  }

  /**
   * One page of an owner's experiments as summary rows, newest first, with the list's cursor
   * (the same cursor as ExperimentStore.list). Ids whose records expired are pruned.
   */
  async page(
    owner: string,
    options: { limit: number; cursor?: string | undefined; status?: ExperimentStatus | undefined },
  ): Promise<{ rows: SummaryRow[]; nextCursor: string | null }> {
    const rows: SummaryRow[] = [];
    let lastScore = 0;
    // A status filter may skip most ids: read more per round trip then.
    const batch = options.status === undefined ? options.limit + 1 : Math.max(options.limit * 2, 50);
    for await (const entries of ownerIndexAfter(this.redis, owner, options.cursor, batch)) {
      const found = await this.rows(entries.map((entry) => entry.id));
      for (let i = 0; i < found.length; i++) {
        const row = found[i]!;
        if (row.kind === 'missing') {
          await this.redis.zrem(keys.experimentsOf(owner), row.id);
          continue;
        }
        const status = row.kind === 'cached' ? row.status : (row.fields.status as ExperimentStatus);
        if (options.status !== undefined && status !== options.status) continue;
        if (rows.length === options.limit) {
          // One more exists: the page ends at the row before.
          return { rows, nextCursor: encodeCursor(lastScore, rows[rows.length - 1]!.id) };
        }
        rows.push(row);
        lastScore = entries[i]!.score;
      }
    }
    return { rows, nextCursor: null };
  }
}
