/** Every Redis key and channel the service uses, in one place. */
export const PREFIX = 'fbstab';

export const keys = {
  experiment: (id: string) => `${PREFIX}:experiment:${id}`,
  result: (id: string) => `${PREFIX}:experiment:${id}:result`,
  /** The served JSON body of a finished experiment, cached on its first GET (ETag in the record). */
  body: (id: string) => `${PREFIX}:experiment:${id}:body`,
  /** Hash: task index → trials that task has finished (a retried task overwrites its own field). */
  progress: (id: string) => `${PREFIX}:experiment:${id}:progress`,
  /** Sorted set of experiment ids by creation time, per owner ('public' when keys are off). */
  experimentsOf: (owner: string) => `${PREFIX}:owner:${owner}:experiments`,
  /**
   * Sorted set of `owner|id` by the time their records expire, so the owner indexes can be
   * swept (a sorted-set member has no TTL of its own).
   */
  expiries: `${PREFIX}:expiries`,
  /** JSON metadata of one uploaded signal (StoredSignalRecord). */
  signal: (id: string) => `${PREFIX}:signal:${id}`,
  /** The samples of one signal: raw little-endian float64 bytes. */
  signalSamples: (id: string) => `${PREFIX}:signal:${id}:samples`,
  /** Sorted set of signal ids by creation time, per owner. */
  signalsOf: (owner: string) => `${PREFIX}:owner:${owner}:signals`,
  /** Sorted set of `owner|id` by the time the signal expires (refreshed on each use), for sweeping. */
  signalExpiries: `${PREFIX}:signal-expiries`,
  idempotency: (owner: string, key: string) => `${PREFIX}:idempotency:${owner}:${key}`,
  /**
   * The intake of one engine version (docs/architecture.md): sorted set of the ids of submitted
   * experiments not yet expanded into their flow, by the time they are due (a claim leases them).
   */
  intakeOf: (engineVersion: string) => `${PREFIX}:intake:${engineVersion}`,
  /** Pub/sub: the id of each experiment entering the intake of one engine version. */
  intakeChannelOf: (engineVersion: string) => `${PREFIX}:intake-channel:${engineVersion}`,
  /** Pub/sub: progress and status events of one experiment. */
  events: (id: string) => `${PREFIX}:events:${id}`,
  /** Capped list of the webhook delivery attempts of one experiment (JSON), expiring with it. */
  deliveries: (id: string) => `${PREFIX}:experiment:${id}:deliveries`,
  /** Set when a `progress` webhook event of the experiment was sent; its TTL is the throttle. */
  webhookProgress: (id: string) => `${PREFIX}:experiment:${id}:webhook-progress`,
  /** JSON of one standing webhook (StandingWebhook), secret included. */
  webhook: (id: string) => `${PREFIX}:webhook:${id}`,
  /** Set of the ids of one owner's standing webhooks. */
  webhooksOf: (owner: string) => `${PREFIX}:owner:${owner}:webhooks`,
  /** Set of the owners that have at least one standing webhook (read by the final transition). */
  webhookOwners: `${PREFIX}:webhook-owners`,
  /**
   * The webhook outbox: sorted set of `id|event` by time, written by the same script that makes
   * an experiment final, drained by the workers into delivery jobs (docs/api.md "Webhooks").
   */
  webhookOutbox: `${PREFIX}:webhook-outbox`,
  /** A finished experiment's summary view as served, cached like `body` (docs/api.md "Views"). */
  summary: (id: string) => `${PREFIX}:experiment:${id}:summary`,
  /**
   * Per owner: the change sequence (INCR on every status or progress change of one of its
   * experiments), the sorted set id → sequence of its last change (deleted ids stay as
   * tombstones), and the floor below which tombstones were pruned (docs/api.md "Changes").
   */
  changeSeqOf: (owner: string) => `${PREFIX}:owner:${owner}:change-seq`,
  changesOf: (owner: string) => `${PREFIX}:owner:${owner}:changes`,
  changeFloorOf: (owner: string) => `${PREFIX}:owner:${owner}:change-floor`,
  /** A random id made when the change sequences start; a new one means Redis was reset. */
  changeEpoch: `${PREFIX}:change-epoch`,
  /** Sorted set of `owner|id` tombstones by the time they are pruned from `changesOf(owner)`. */
  tombstones: `${PREFIX}:tombstones`,
  /**
   * The bytes of an owner's first list page of `limit` summaries, prefixed with the position of
   * the change log they were built at (docs/api.md "Changes"); a minute's TTL.
   */
  firstPageOf: (owner: string, limit: number) => `${PREFIX}:owner:${owner}:first-page:${limit}`,
  /** Pub/sub: every change of one owner's experiments, as a summary or a tombstone. */
  ownerEvents: (owner: string) => `${PREFIX}:owner-events:${owner}`,
  /** Pub/sub: ids of experiments to stop, for every worker. */
  cancelChannel: `${PREFIX}:cancel`,
} as const;

/** The owner of records when API keys are off. */
export const PUBLIC_OWNER = 'public';

/**
 * `key(x)` cut around `x` (an id or an owner), so a Lua script can build the keys of the ids or
 * owners it reads: the script writes `ARGV[a] .. x .. ARGV[a + 1]`.
 */
export function keyAround(template: (x: string) => string): [string, string] {
  const marked = template('\u0000');
  const cut = marked.indexOf('\u0000');
  return [marked.slice(0, cut), marked.slice(cut + 1)];
}
