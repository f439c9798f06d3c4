import { randomUUID } from 'node:crypto';
import { endianness } from 'node:os';
import type { Redis } from 'ioredis';
import { signalEnergy } from '../core/signals/signal-energy.js';
import type { StoredSignal } from '../experiments/common/prepare-signal.js';
import { keys } from './redis-keys.js';

/** What Redis keeps of one uploaded signal besides its samples (docs/api.md "Signals"). */
export interface StoredSignalRecord {
  id: string;
  /** The name given at upload, or null. */
  name: string | null;
  length: number;
  /** Hz, from the WAV header or the JSON body; null when the JSON body gave none. */
  sampleRate: number | null;
  /** Σx² of the stored samples, as uploaded (no normalisation). */
  energy: number;
  createdAt: string;
  owner: string;
}

// The samples are stored as the bytes of a Float64Array, in this machine's byte order. Every
// platform Node runs the service on is little-endian; refuse to start on one that is not, rather
// than read another machine's samples byte-swapped.
if (endianness() !== 'LE') throw new Error('the signal store assumes a little-endian machine');

/**
 * Uploaded signals in Redis: metadata JSON at `fbstab:signal:{id}`, the samples as raw float64
 * bytes at `fbstab:signal:{id}:samples` (read with getBuffer: binary-safe), and a per-owner
 * index. Both keys expire RESULT_TTL_SECONDS after the signal's last use: upload, GET, and every
 * experiment or analysis that reads it refresh the TTL.
 */
export class SignalStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async create(input: {
    owner: string;
    samples: Float64Array;
    sampleRate: number | null;
    name: string | null;
  }): Promise<StoredSignalRecord> {
    const record: StoredSignalRecord = {
      id: randomUUID(),
      name: input.name,
      length: input.samples.length,
      sampleRate: input.sampleRate,
      energy: signalEnergy(input.samples),
      createdAt: new Date().toISOString(),
      owner: input.owner,
    };
    const { samples } = input;
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    await this.redis
      .multi()
      .set(keys.signalSamples(record.id), bytes, 'EX', this.ttlSeconds)
      .set(keys.signal(record.id), JSON.stringify(record), 'EX', this.ttlSeconds)
      .zadd(keys.signalsOf(record.owner), Date.parse(record.createdAt), record.id)
      .zadd(keys.signalExpiries, Date.now() + this.ttlSeconds * 1000, `${record.owner}|${record.id}`)
      .exec();
    return record;
  }

  async get(id: string): Promise<StoredSignalRecord | undefined> {
    const raw = await this.redis.get(keys.signal(id));
    return raw === null ? undefined : (JSON.parse(raw) as StoredSignalRecord);
  }

  /** The record if it exists and belongs to `owner` (another key's signal is not found). */
  async getOwned(id: string, owner: string): Promise<StoredSignalRecord | undefined> {
    const record = await this.get(id);
    return record?.owner === owner ? record : undefined;
  }

  /**
   * The samples of a signal, or undefined when they are gone (or do not match the record).
   * `shared` puts them in a SharedArrayBuffer, so that handing them to worker threads copies
   * nothing.
   */
  async samples(
    record: StoredSignalRecord,
    options: { shared?: boolean } = {},
  ): Promise<Float64Array | undefined> {
    const bytes = await this.redis.getBuffer(keys.signalSamples(record.id));
    if (bytes === null || bytes.length !== record.length * 8) return undefined;
    // A copy into a fresh (8-byte aligned) buffer: ioredis's Buffer may sit at any offset.
    const buffer =
      options.shared === true ? new SharedArrayBuffer(bytes.length) : new ArrayBuffer(bytes.length);
    new Uint8Array(buffer).set(bytes);
    return new Float64Array(buffer);
  }

  /**
   * The signals with these ids that belong to `owner`, with their samples, for
   * `{ "kind": "stored" }` (planExperiment, analyzeSignal). Missing ids are left out: the plan
   * then names them. Each one found has its TTL refreshed.
   */
  async resolve(
    ids: Iterable<string>,
    owner: string,
    options: { shared?: boolean } = {},
  ): Promise<Map<string, StoredSignal>> {
    const found = new Map<string, StoredSignal>();
    for (const id of new Set(ids)) {
      const record = await this.getOwned(id, owner);
      if (record === undefined) continue;
      const samples = await this.samples(record, options);
      if (samples === undefined) continue;
      found.set(id, {
        name: record.name ?? undefined,
        samples,
        sampleRate: record.sampleRate ?? undefined,
      });
      await this.touch(record);
    }
    return found;
  }

  /** Keeps a signal RESULT_TTL_SECONDS from now. */
  async touch(record: StoredSignalRecord): Promise<void> {
    await this.redis
      .multi()
      .expire(keys.signal(record.id), this.ttlSeconds)
      .expire(keys.signalSamples(record.id), this.ttlSeconds)
      .zadd(keys.signalExpiries, Date.now() + this.ttlSeconds * 1000, `${record.owner}|${record.id}`)
      .exec();
  }

  /** Removes a signal, its samples and its index entries; false if it did not exist. */
  async delete(record: StoredSignalRecord): Promise<boolean> {
    const [[, removed] = [null, 0]] = (await this.redis
      .multi()
      .del(keys.signal(record.id), keys.signalSamples(record.id))
      .zrem(keys.signalsOf(record.owner), record.id)
      .zrem(keys.signalExpiries, `${record.owner}|${record.id}`)
      .exec()) as [Error | null, number][];
    return Number(removed) > 0;
  }

  /**
   * Removes expired signals from the owner indexes (a sorted-set member has no TTL of its own),
   * so Redis returns to its baseline after retention. Returns how many were swept.
   */
  async sweepExpired(now = Date.now(), batch = 1000): Promise<number> {
    let swept = 0;
    for (;;) {
      const due = await this.redis.zrangebyscore(keys.signalExpiries, '-inf', now, 'LIMIT', 0, batch);
      if (due.length === 0) return swept;
      const ttls = await Promise.all(
        due.map((member) => this.redis.pttl(keys.signal(member.slice(member.indexOf('|') + 1)))),
      );
      const multi = this.redis.multi();
      due.forEach((member, i) => {
        const cut = member.indexOf('|');
        const ttl = ttls[i]!;
        // Still there (used again just now, or another host's clock): due again when it expires.
        if (ttl > 0) multi.zadd(keys.signalExpiries, now + ttl, member);
        else multi.zrem(keys.signalsOf(member.slice(0, cut)), member.slice(cut + 1));
      });
      const gone = due.filter((_, i) => !(ttls[i]! > 0));
      if (gone.length > 0) multi.zrem(keys.signalExpiries, ...gone);
      await multi.exec();
      swept += gone.length;
      if (gone.length === 0) return swept;
    }
  }
}
