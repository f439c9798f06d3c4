import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { summaryOfRow } from '../service/experiment-summary.js';
import { keys } from '../store/redis-keys.js';
import { parseRow, type SummaryRow } from '../store/summary-row.js';
import type { ChangeState } from '../store/view-store.js';

/** Changes kept for an owner whose log is being anchored (see observe). */
const EARLY_MESSAGES = 64;
/** Owners being anchored at once; the oldest are forgotten first. */
const EARLY_OWNERS = 1024;
/** An owner whose log holds more experiments than this is left to Redis. */
const MAX_ENTRIES = 10_000;

/** One change as a changedSince answer lists it: the summary, or undefined for a tombstone. */
export interface CachedChange {
  id: string;
  version: number;
  json: string | undefined;
}

interface Message {
  id: string;
  version: number;
  row?: (string | false)[];
  deleted?: true;
}

interface Entry {
  version: number;
  row: SummaryRow | undefined;
  /** The summary's JSON, built on first use. */
  json?: string | undefined;
}

/** The part of one owner's change log after `base`, as the owner's channel told it. */
interface OwnerLog {
  epoch: string;
  base: number;
  seq: number;
  /** Each changed experiment at its latest change. */
  entries: Map<string, Entry>;
  /** Changes in order of version; an item whose id changed again later is skipped. */
  order: { id: string; version: number }[];
  /** When Redis last agreed with this log, and when it was last read (performance.now()). */
  verifiedAt: number;
  readAt: number;
  /** A position Redis reported that the channel had not reached yet, and when. */
  awaiting?: { seq: number; at: number };
}

/** What observe needs: a generation of the subscription, or -1 when it was not listening. */
export type CacheTicket = number;

/**
 * The change log of docs/api.md "Changes", kept in an API process from the messages the store
 * publishes with every change (`{ id, version, row }`, src/store/change-log.ts), so that a
 * dashboard's `changedSince` poll is answered without a Redis round trip — the design of
 * Kubernetes' watch cache. It vouches for an owner only while it can prove it holds every change:
 *
 * - A log is anchored at a position Redis reported from a read begun after the subscription was
 *   confirmed, so every later change reaches it. Changes that arrived first are kept and replayed.
 * - Versions of an owner are consecutive (one INCR each); a gap (a lost message) or a repeat (a
 *   reset Redis) drops the log, as does any loss of the subscription.
 * - Redis is asked again when the log has not been confirmed for `verifyMs` (one poll per owner
 *   and interval goes to Redis), so a failure these checks cannot see (a flushed database that
 *   changes nothing afterwards) lasts at most that long.
 *
 * Its answers are those Redis would give at the position the log has reached.
 */
export class ChangeCache {
  private subscriber: Redis | undefined;
  private generation = 0;
  private listening = false;
  private closed = false;
  private readonly logs = new Map<string, OwnerLog>();
  private readonly early = new Map<string, Message[]>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly channelPrefix = keys.ownerEvents('');
  /** Reads of changes answered from memory and from Redis, for the operator (and the tests). */
  readonly counts = { memory: 0, redis: 0 };

  /**
   * `verifyMs`: how long a log is served before Redis confirms it again; `idleMs`: a log nobody
   * has read for that long is dropped at its next change, and its memory with it.
   */
  constructor(
    private readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
    private readonly verifyMs: number,
    private readonly idleMs = 60_000,
  ) {}

  /**
   * Starts listening on first use; a ticket to pass to observe with what Redis says of `owner`
   * in a read begun now. Changes of an owner with no log are kept from here until observe.
   */
  ticket(owner: string): CacheTicket {
    this.listen();
    if (!this.listening) return -1;
    if (!this.logs.has(owner) && !this.early.has(owner)) {
      this.early.set(owner, []);
      if (this.early.size > EARLY_OWNERS) this.early.delete(this.early.keys().next().value!);
    }
    return this.generation;
  }

  /** Opens the subscription on first use (never after close). */
  private listen(): void {
    if (this.subscriber !== undefined || this.closed) return;
    // Our own connection: it resubscribes itself after a reconnect, once the logs are dropped.
    const sub = this.redis.duplicate({ autoResubscribe: false, enableOfflineQueue: false });
    this.subscriber = sub;
    sub.on('error', (error: Error) => this.log.warn({ err: error }, 'change cache subscriber error'));
    sub.on('close', () => this.forget());
    sub.on('ready', () => {
      sub
        .psubscribe(`${this.channelPrefix}*`)
        .then(() => {
          this.forget();
          this.listening = true;
        })
        .catch((error: unknown) => this.log.warn({ err: error }, 'change cache subscribe failed'));
    });
    sub.on('pmessage', (_pattern: string, channel: string, text: string) => {
      if (!this.listening) return;
      const owner = channel.slice(this.channelPrefix.length);
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        this.logs.delete(owner);
        return;
      }
      const log = this.logs.get(owner);
      if (log !== undefined) {
        const idle = performance.now() - log.readAt > this.idleMs;
        if (idle || !this.apply(log, message)) this.logs.delete(owner);
      } else {
        const list = this.early.get(owner);
        list?.push(message);
        if (list !== undefined && list.length > EARLY_MESSAGES) list.shift();
      }
      for (const wake of this.watchers.get(owner) ?? []) wake();
    });
    if (sub.status === 'wait') sub.connect().catch(() => {});
  }

  /** Everything known is void: the subscription was lost (or just made). */
  private forget(): void {
    this.listening = false;
    this.generation++;
    this.logs.clear();
    this.early.clear();
    for (const set of this.watchers.values()) for (const wake of set) wake();
  }

  /** Whether change messages are arriving: then watch() hears of every change. */
  get isListening(): boolean {
    return this.listening;
  }

  /**
   * Calls `wake` after each change message of `owner` (applied to its log or not) and when the
   * subscription is lost or made; returns the function that stops it.
   */
  watch(owner: string, wake: () => void): () => void {
    let set = this.watchers.get(owner);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(owner, set);
    }
    set.add(wake);
    this.listen();
    return () => {
      set.delete(wake);
      if (set.size === 0 && this.watchers.get(owner) === set) this.watchers.delete(owner);
    };
  }

  /**
   * Applies one message; false when the log can no longer vouch (a gap or a reset) or has grown
   * past MAX_ENTRIES: the caller drops it.
   */
  private apply(log: OwnerLog, message: Message): boolean {
    if (message.version <= log.base) return true; // from before the anchor: already counted
    if (message.version !== log.seq + 1) return false;
    log.seq = message.version;
    const row = message.deleted === true ? undefined : parseRow(message.id, message.row ?? []);
    log.entries.set(message.id, { version: message.version, row });
    log.order.push({ id: message.id, version: message.version });
    if (log.awaiting !== undefined && log.seq >= log.awaiting.seq) {
      log.verifiedAt = log.awaiting.at;
      delete log.awaiting;
    }
    if (log.order.length > 2 * log.entries.size + 64) {
      log.order = log.order.filter((item) => log.entries.get(item.id)?.version === item.version);
    }
    return log.entries.size <= MAX_ENTRIES;
  }

  /**
   * What Redis said of `owner`'s log in a read begun when `ticket` was taken: anchors a log,
   * confirms one, or drops one that disagrees (another epoch: Redis was reset).
   */
  observe(owner: string, ticket: CacheTicket, state: ChangeState & { floor?: number }, now: number): void {
    if (ticket < 0 || ticket !== this.generation || !this.listening) return;
    const log = this.logs.get(owner);
    if (log !== undefined && log.epoch === state.epoch) {
      // Tokens below a pruned tombstone answer 410: leave them to Redis.
      if (state.floor !== undefined && state.floor > log.base) log.base = Math.min(state.floor, log.seq);
      if (state.seq <= log.seq) {
        log.verifiedAt = now;
        delete log.awaiting;
      } else if (log.awaiting !== undefined && now - log.awaiting.at > this.verifyMs) {
        // Redis was ahead a whole interval ago and the channel never caught up: lost.
        this.logs.delete(owner);
      } else {
        log.awaiting ??= { seq: state.seq, at: now };
      }
      return;
    }
    this.logs.delete(owner);
    const early = this.early.get(owner);
    this.early.delete(owner);
    // Without the changes kept since the ticket, the log cannot prove it has them all.
    if (early === undefined) return;
    const anchored: OwnerLog = {
      epoch: state.epoch,
      base: state.seq,
      seq: state.seq,
      entries: new Map(),
      order: [],
      verifiedAt: now,
      readAt: now,
    };
    for (const message of early) {
      if (!this.apply(anchored, message)) return;
    }
    this.logs.set(owner, anchored);
  }

  /**
   * Where `owner`'s log stands (its epoch and sequence), or undefined when this cache cannot
   * vouch for it: then ask Redis, and observe. The list's ETag is made of it, so a poll of an
   * unchanged list with If-None-Match is answered 304 without Redis.
   */
  state(owner: string, now: number): ChangeState | undefined {
    const log = this.vouched(owner, now);
    if (log === undefined) return undefined;
    return { epoch: log.epoch, seq: log.seq };
  }

  /** The log of `owner` when it may answer now (counted, as every read, by where it goes). */
  private vouched(owner: string, now: number, since?: ChangeState): OwnerLog | undefined {
    const log = this.logs.get(owner);
    if (log !== undefined) log.readAt = now;
    if (
      log === undefined ||
      !this.listening ||
      (since !== undefined && (log.epoch !== since.epoch || since.seq < log.base || since.seq > log.seq)) ||
      now - log.verifiedAt > this.verifyMs
    ) {
      this.counts.redis++;
      return undefined;
    }
    this.counts.memory++;
    return log;
  }

  /**
   * The changes of `owner` after `since` (at most `limit`, oldest first) with the position they
   * reach, or undefined when this cache cannot vouch for them: then ask Redis, and observe.
   */
  changesSince(
    owner: string,
    since: ChangeState,
    limit: number,
    now: number,
  ): { seq: number; changed: CachedChange[] } | undefined {
    const log = this.vouched(owner, now, since);
    if (log === undefined) return undefined;
    const { order } = log;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order[mid]!.version <= since.seq) lo = mid + 1;
      else hi = mid;
    }
    const changed: CachedChange[] = [];
    for (let i = lo; i < order.length && changed.length < limit; i++) {
      const { id, version } = order[i]!;
      const entry = log.entries.get(id)!;
      if (entry.version !== version) continue;
      if (entry.row !== undefined && !('json' in entry)) entry.json = summaryOfRow(entry.row, owner)?.json;
      changed.push({ id, version, json: entry.json });
    }
    return { seq: log.seq, changed };
  }

  async close(): Promise<void> {
    this.closed = true;
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.forget();
    if (sub !== undefined) sub.disconnect();
  }
}

/**
 * A read of `owner`'s change log from Redis (`read`, begun after a ticket is taken) that `cache`
 * then observes: the way every Redis read anchors or confirms the process's copy. Without a
 * cache, the read alone.
 */
export async function readObserved<S extends ChangeState & { floor?: number }>(
  cache: ChangeCache | undefined,
  owner: string,
  now: number,
  read: () => Promise<S>,
): Promise<S> {
  const ticket = cache?.ticket(owner) ?? -1;
  const state = await read();
  cache?.observe(owner, ticket, state, now);
  return state;
}
