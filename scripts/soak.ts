// `npm run soak`: 10,000 small experiments through the API with two workers, on loopback, within a
// bounded time. Checks that every experiment succeeds exactly once (none lost, none duplicated)
// and that the queues and Redis memory return to their baseline once results expire; reports the
// API's p99 latency and the workers' peak RSS. Exits 1 if a check fails.
//   SOAK_EXPERIMENTS (10000), SOAK_CONCURRENCY (32), SOAK_TIMEOUT_S (900), SOAK_TTL_S (60),
//   SOAK_API_PROCESSES (1: API_PROCESSES of the API)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { kernelPreferenceFromEnvironment } from '../src/config.js';
import { engineVersion } from '../src/core/wasm/engine-version.js';
import { EXPERIMENT_QUEUE, QUEUE_OPTIONS, TASK_QUEUE, queuePrefix } from '../src/queue/queue-names.js';
import { keys } from '../src/store/redis-keys.js';
import { freePort, startRedis } from '../test/support/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const total = Number(process.env.SOAK_EXPERIMENTS ?? 10_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 32);
const deadline = Date.now() + Number(process.env.SOAK_TIMEOUT_S ?? 900) * 1000;
// Long enough that no record expires before the checks right after the run (30-80 s here);
// the run checks it, since an expired record would read as "not succeeded".
const ttlSeconds = Number(process.env.SOAK_TTL_S ?? 120);
const apiProcesses = Number(process.env.SOAK_API_PROCESSES ?? 1);
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const server = await startRedis();
const redis = new Redis(server.url);
const port = await freePort();
const env = {
  ...process.env,
  REDIS_URL: server.url,
  PORT: String(port),
  HOST: '127.0.0.1',
  RATE_LIMIT_PER_MINUTE: '0',
  MAX_QUEUE_DEPTH: '1000000',
  RESULT_TTL_SECONDS: String(ttlSeconds),
  WORKER_CONCURRENCY: '1',
  API_PROCESSES: String(apiProcesses),
};

/** experiment id → how many times a worker reported it succeeded. */
const succeeded = new Map<string, number>();
function start(script: string, logLevel: string, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...env, LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  return new Promise((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes(ready)) resolve(child);
        if (line.includes('"experiment succeeded"')) {
          const id = (JSON.parse(line) as { experimentId: string }).experimentId;
          succeeded.set(id, (succeeded.get(id) ?? 0) + 1);
        }
      }
    });
  });
}

// info: the API logs "Server listening" at info level, and one line per request.
const api = await start(
  'dist/src/server.js',
  'info',
  apiProcesses > 1 ? 'API processes listening' : 'Server listening',
);
console.log(`soak: ${total} experiments, ${apiProcesses} API process(es), two workers`);
const workers = await Promise.all(
  [1, 2].map(() => start('dist/workers/experiment-worker.js', 'info', 'workers ready')),
);
await new Promise((r) => setTimeout(r, 500));
const baselineMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const baselineKeys = await redis.dbsize();

let peakRssKiB = 0;
const rssTimer = setInterval(() => {
  for (const w of workers) {
    const out = spawnSync('ps', ['-o', 'rss=', '-p', String(w.pid)], { encoding: 'utf8' });
    peakRssKiB = Math.max(peakRssKiB, Number(out.stdout.trim()) || 0);
  }
}, 1000);

const body = JSON.stringify({
  type: 'frame-bounds',
  trials: 5,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4] },
});
const latencies: number[] = [];
const ids: string[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total && Date.now() < deadline) {
      next++;
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/v1/experiments`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      latencies.push(performance.now() - t0);
      const json = (await res.json()) as { id?: string };
      if (res.status === 202 && json.id !== undefined) ids.push(json.id);
      else failures.push(`POST answered ${res.status}`);
    }
  }),
);
const submitSeconds = (performance.now() - started) / 1000;
while (succeeded.size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
const doneSeconds = (performance.now() - started) / 1000;
clearInterval(rssTimer);

latencies.sort((a, b) => a - b);
const p = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
console.log(
  `submitted ${ids.length} experiments in ${submitSeconds.toFixed(1)} s (${(ids.length / submitSeconds).toFixed(0)}/s); all done after ${doneSeconds.toFixed(1)} s`,
);
console.log(`API latency of POST: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
console.log(`worker peak RSS: ${(peakRssKiB / 1024).toFixed(0)} MiB`);
check(ids.length === total, `${total} experiments accepted`);
check(
  doneSeconds < ttlSeconds,
  `the run (${doneSeconds.toFixed(0)} s) ended before the first records could expire (SOAK_TTL_S ${ttlSeconds})`,
);
check(
  ids.every((id) => succeeded.get(id) === 1),
  'every experiment succeeded exactly once (none lost, none assembled twice)',
);
check(succeeded.size === ids.length, 'no unknown experiment succeeded');
let notSucceeded = 0;
for (let i = 0; i < ids.length; i += 500) {
  const pipeline = redis.pipeline();
  for (const id of ids.slice(i, i + 500)) pipeline.hget(keys.experiment(id), 'status');
  const statuses = ((await pipeline.exec()) ?? []).map(([, status]) => status);
  notSucceeded += statuses.filter((status) => status !== 'succeeded').length;
}
check(notSucceeded === 0, `every stored record says succeeded (${notSucceeded} do not)`);

// Retention: results expire after the TTL; workers sweep the indexes every 30 s.
const prefix = queuePrefix(engineVersion(kernelPreferenceFromEnvironment()));
const queues = [
  new Queue(EXPERIMENT_QUEUE, { ...QUEUE_OPTIONS, prefix, connection: redis }),
  new Queue(TASK_QUEUE, { ...QUEUE_OPTIONS, prefix, connection: redis }),
];
const settleBy = Date.now() + (ttlSeconds + 45) * 1000;
let memory = 0;
let dbsize = 0;
/**
 * Keys that stay after retention: a few of BullMQ's, and the change log's (docs/api.md
 * "Changes"): the owner's sequence, its change set holding the tombstones of the expired
 * experiments, and the index of tombstones, both pruned a day later.
 */
const KEPT_KEYS = 4 + 3;
for (;;) {
  await new Promise((r) => setTimeout(r, 2000));
  dbsize = await redis.dbsize();
  memory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  if (dbsize <= baselineKeys + KEPT_KEYS || Date.now() > settleBy) break;
}
const counts = await Promise.all(
  queues.map((q) =>
    q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children'),
  ),
);
console.log(
  `after retention: ${dbsize} keys (baseline ${baselineKeys}), used_memory ${(memory / 1048576).toFixed(2)} MiB (baseline ${(baselineMemory / 1048576).toFixed(2)} MiB)`,
);
console.log(`queue counts: ${JSON.stringify(counts)}`);
check(
  counts.every((c) => Object.values(c).every((n) => n === 0)),
  'both queues are empty',
);
check(
  dbsize <= baselineKeys + KEPT_KEYS,
  'Redis keys back to baseline (BullMQ keeps a few bookkeeping keys, the change log three)',
);
check(
  memory - baselineMemory < 4 * 1048576,
  'Redis memory back within 4 MiB of baseline (event streams are capped)',
);

for (const q of queues) await q.close();
for (const child of [api, ...workers]) child.kill('SIGTERM');
redis.disconnect();
await server.stop();
console.log(failures.length === 0 ? 'soak passed' : `soak FAILED: ${failures.join('; ')}`);
process.exit(failures.length === 0 ? 0 : 1);
