import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { KERNEL_PREFERENCES, type KernelPreference } from './core/wasm/kernel-choice.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().min(1);
/** A comma-separated list; blanks around items and empty items are dropped; unset is []. */
const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

/**
 * The environment the service reads, validated once at start (docs/api.md "Running it"; every
 * variable is documented in the README).
 */
export const configSchema = z.object({
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * API processes `npm start` runs on one port (node:cluster); every guarantee (idempotency,
   * rate limits, events, cancel) holds across them, since they share only Redis.
   */
  API_PROCESSES: positiveInt.max(64).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Log lines are gathered up to this many bytes (or 250 ms) and written in one system call;
   * 0 writes each line as it is logged. A SIGKILLed process loses what was gathered.
   */
  LOG_BUFFER_BYTES: z.coerce.number().int().min(0).max(16_000).default(4096),
  /** Cores one worker process uses: task threads and concurrent tasks. */
  WORKER_CONCURRENCY: positiveInt.default(availableParallelism()),
  /**
   * The API keeps each key's change log in memory from Redis's change messages and answers
   * `changedSince` polls from it (src/api/change-cache.ts); false sends every poll to Redis.
   */
  CHANGE_CACHE: bool.default(true),
  /** How long the change cache vouches for a key's log before one poll asks Redis again. */
  CHANGE_CACHE_VERIFY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Comma-separated bearer keys; unset means the API is open. */
  API_KEYS: commaList,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  RESULT_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  /** How long deleted or expired experiments stay as tombstones in each key's change log. */
  CHANGE_LOG_RETENTION_SECONDS: positiveInt.default(24 * 3600),
  /** Estimated core-seconds one experiment may cost before it is refused with 422. */
  MAX_EXPERIMENT_COST: z.coerce.number().positive().default(3600),
  /**
   * Estimated core-seconds one synchronous analysis (POST /v1/analyze/signal, /v1/analyze/filterbank)
   * may cost before it is refused with 422: it holds an analysis thread for that long.
   */
  MAX_ANALYSIS_COST: z.coerce.number().positive().default(30),
  /** Threads of the API process's analysis pool (created on the first analysis). */
  ANALYSIS_THREADS: positiveInt.default(1),
  /** Request bodies larger than this get 413. */
  MAX_BODY_BYTES: positiveInt.default(16 * 1024 * 1024),
  /** Experiments waiting in the queue beyond which POST answers 503. */
  MAX_QUEUE_DEPTH: positiveInt.default(10_000),
  /** How long a worker holds a task's lock; a killed worker's task is retried after it expires. */
  JOB_LOCK_MS: positiveInt.default(30_000),
  /** How often workers look for stalled tasks (their owner died). */
  STALLED_INTERVAL_MS: positiveInt.default(15_000),
  /**
   * Origins whose browsers may call the API (CORS), comma-separated, or `*`; unset means
   * same-origin only (no CORS headers).
   */
  CORS_ORIGINS: commaList.pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  /**
   * Where a worker process writes its heartbeat (the time of its last successful PING to Redis);
   * unset means no heartbeat. The image sets it, and its health check reads the file's age.
   */
  WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  /** How often the worker writes its heartbeat; four missed beats make the container unhealthy. */
  WORKER_HEARTBEAT_INTERVAL_MS: positiveInt.default(5000),
  /**
   * The per-trial kernels (docs/theory.md §12): `auto` (WebAssembly wherever it covers the
   * shape), `js` or `wasm`. Part of the engine version: workers with different values use
   * different queues and never share an experiment.
   */
  FBSTAB_KERNEL: z.enum(KERNEL_PREFERENCES as [KernelPreference, ...KernelPreference[]]).default('auto'),
  /**
   * The secret that signs the deliveries of per-request `notify` (docs/api.md "Webhooks"), as
   * Standard Webhooks writes it: `whsec_` and the base64 of 24 to 64 random bytes. Unset means
   * a request with `notify` is refused (422): nothing could sign its deliveries.
   */
  WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'expected whsec_ and the base64 of 24 to 64 bytes')
    .optional(),
  /** Lets webhook URLs reach loopback, private and link-local addresses (tests, private networks). */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Deliveries one worker process sends at once (I/O on its event loop, never a task thread). */
  WEBHOOK_CONCURRENCY: positiveInt.default(16),
  /** How long one delivery attempt may take, connection and response included. */
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** The first retry's delay; each next one doubles, with jitter, up to WEBHOOK_RETRY_MAX_MS. */
  WEBHOOK_RETRY_BASE_MS: positiveInt.default(5_000),
  WEBHOOK_RETRY_MAX_MS: positiveInt.default(3_600_000),
  /** A delivery is given up this long after its first attempt. */
  WEBHOOK_RETRY_FOR_SECONDS: positiveInt.default(24 * 3600),
  /** A resource whose JSON is larger than this is sent without its `result` (links.self has it). */
  WEBHOOK_MAX_RESULT_BYTES: positiveInt.default(256 * 1024),
  /** At most one `progress` event per experiment this often. */
  WEBHOOK_PROGRESS_INTERVAL_MS: positiveInt.default(5_000),
  METRICS_PUBLIC: bool.default(true),
  DOCS_PUBLIC: bool.default(true),
});

export type Config = z.output<typeof configSchema>;

/** A configuration error, with one line per bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * FBSTAB_KERNEL alone, for the CLI, the bench and the thread pools, which read no other
 * variable of the service's configuration.
 *
 * @throws ConfigError if it is set to something other than auto, js or wasm.
 */
export function kernelPreferenceFromEnvironment(env: NodeJS.ProcessEnv = process.env): KernelPreference {
  const value = env.FBSTAB_KERNEL;
  if (value === undefined || value === '') return 'auto';
  const parsed = configSchema.shape.FBSTAB_KERNEL.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration:\n  FBSTAB_KERNEL: expected one of auto, js, wasm, got "${value}"`,
    );
  }
  return parsed.data;
}

/**
 * The CLI's remote mode (README "The CLI"), not the service's configuration: the server
 * `--server` defaults to, and the API key sent to it.
 */
const cliRemoteSchema = z.object({
  FBSTAB_SERVER: z.url({ protocol: /^https?$/ }).optional(),
  FBSTAB_API_KEY: z.string().min(1).optional(),
});

/**
 * FBSTAB_SERVER and FBSTAB_API_KEY, for `fbstab … --server`.
 *
 * @throws ConfigError if FBSTAB_SERVER is not an http(s) URL.
 */
export function cliRemoteFromEnvironment(env: NodeJS.ProcessEnv = process.env): {
  server: string | undefined;
  apiKey: string | undefined;
} {
  const present = Object.fromEntries(
    ['FBSTAB_SERVER', 'FBSTAB_API_KEY'].flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  const parsed = cliRemoteSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration:\n  FBSTAB_SERVER: expected an http or https URL, got "${env.FBSTAB_SERVER}"`,
    );
  }
  return { server: parsed.data.FBSTAB_SERVER, apiKey: parsed.data.FBSTAB_API_KEY };
}
