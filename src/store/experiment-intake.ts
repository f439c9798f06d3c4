import type { Redis } from 'ioredis';
import { LEASE_DUE_LUA } from './lease-lua.js';
import { keys } from './redis-keys.js';

/**
 * Leases up to ARGV[2] due ids: each is due again ARGV[1] ms later, so a worker that dies with
 * it leaves it to another once the lease ends. KEYS[1] the intake.
 */
const CLAIM = `${LEASE_DUE_LUA}
return leaseDue(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))`;

interface IntakeScripts {
  fbstabClaimIntake(key: string, leaseMs: number, max: number): Promise<string[]>;
}

/**
 * The experiments of one engine version that were submitted and are not yet expanded into the
 * flow of their tasks (docs/architecture.md "Submission"). The API's create script adds an id
 * (ExperimentStore.create) and publishes it; a worker claims ids with a lease, expands them and
 * removes them. A POST therefore costs one script and no BullMQ job; what BullMQ needs is
 * written by the workers, off the API's path.
 */
export class ExperimentIntake {
  private readonly scripts: IntakeScripts;
  readonly key: string;
  readonly channel: string;

  constructor(
    private readonly redis: Redis,
    engineVersion: string,
  ) {
    this.key = keys.intakeOf(engineVersion);
    this.channel = keys.intakeChannelOf(engineVersion);
    if (!('fbstabClaimIntake' in redis))
      redis.defineCommand('fbstabClaimIntake', { numberOfKeys: 1, lua: CLAIM });
    this.scripts = redis as unknown as IntakeScripts;
  }

  /** Leases up to `max` due ids for `leaseMs`, oldest first. */
  claim(leaseMs: number, max: number): Promise<string[]> {
    return this.scripts.fbstabClaimIntake(this.key, leaseMs, max);
  }

  /** Removes expanded (or no longer runnable) ids. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.zrem(this.key, ...ids);
  }

  /** Ids waiting or leased: submitted experiments whose tasks are not queued yet. */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}
