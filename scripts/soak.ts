// `npm run soak`: 10,000 small experiments through the API with two workers, on loopback, within a
// bounded time. Checks that every experiment succeeds exactly once (none lost, none duplicated)
// and that the queues and Redis memory return to their baseline once results expire; reports the
// API's p99 latency and the workers' peak RSS. Exits 1 if a check fails.
//   SOAK_EXPERIMENTS (10000), SOAK_CONCURRENCY (32), SOAK_TIMEOUT_S (900), SOAK_TTL_S (120, or 240
//   with SOAK_WEBHOOKS),
//   SOAK_API_PROCESSES (1: API_PROCESSES of the API), SOAK_OPEN_EXPERIMENTS, SOAK_OPEN_RATE
// SOAK_WEBHOOKS=1 runs SOAK_EXPERIMENTS twice in one invocation, on the same API and workers,
// in four halves: without webhooks, with `notify` on every experiment (twice), without again.
// The deliveries go to a receiver in this process, which answers every 50th request 503, so
// retries happen too. It reports the deliveries lost (must be 0) and duplicated (at least once:
// a retry of a delivery the receiver did accept, docs/api.md "Webhooks"), checks every
// signature, and compares the experiment throughput with and without webhooks. Closed-loop
// throughput on a machine whose cores the load generator, API, workers and Redis share mixes
// the deliveries' cost with everyone else's, so it then also runs an open-loop pair: four more
// phases (without, with, with, without; SOAK_OPEN_EXPERIMENTS in all, default half of
// SOAK_EXPERIMENTS) that submit at a fixed rate (SOAK_OPEN_RATE per second, default half the
// throughput measured without webhooks, well below saturation) and compare each experiment's
// time from its submission to its `finishedAt` (p50, p99) with and without webhooks: what "the
// workers that compute are not slowed" means to a user. It also reports the CPU the workers, the
// API and Redis spent per experiment in those phases, which load from elsewhere on the machine
// hardly changes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { kernelPreferenceFromEnvironment } from '../src/config.js';
import { engineVersion } from '../src/core/wasm/engine-version.js';
import {
  EXPERIMENT_QUEUE,
  QUEUE_OPTIONS,
  TASK_QUEUE,
  WEBHOOK_QUEUE,
  queuePrefix,
} from '../src/queue/queue-names.js';
import { keys } from '../src/store/redis-keys.js';
import { freePort, startRedis } from '../test/support/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const total = Number(process.env.SOAK_EXPERIMENTS ?? 10_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 32);
const deadline = Date.now() + Number(process.env.SOAK_TIMEOUT_S ?? 900) * 1000;
// Long enough that no record expires before the checks right after the run (30-80 s here);
// the run checks it, since an expired record would read as "not succeeded".
const apiProcesses = Number(process.env.SOAK_API_PROCESSES ?? 1);
const withWebhooks = ['1', 'true', 'yes'].includes(process.env.SOAK_WEBHOOKS ?? '');
// With webhooks the run is three times as long (closed-loop pair, then open-loop pair).
const ttlSeconds = Number(process.env.SOAK_TTL_S ?? (withWebhooks ? 240 : 120));
const openTotal = withWebhooks ? Number(process.env.SOAK_OPEN_EXPERIMENTS ?? Math.ceil(total / 2)) : 0;
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
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
  // Expired experiments' tombstones leave the change log soon after, so memory can be checked.
  CHANGE_LOG_RETENTION_SECONDS: '10',
  WORKER_CONCURRENCY: '1',
  API_PROCESSES: String(apiProcesses),
  ...(withWebhooks
    ? {
        WEBHOOK_SECRET: webhookSecret,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '200',
        WEBHOOK_RETRY_MAX_MS: '2000',
      }
    : {}),
};

/** The soak's webhook receiver: webhook-id → accepted deliveries; every 50th request gets 503. */
const accepted = new Map<string, number>();
let requestsReceived = 0;
let badSignatures = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    requestsReceived++;
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id']);
    const key = Buffer.from(webhookSecret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key)
      .update(`${id}.${String(req.headers['webhook-timestamp'])}.${body}`)
      .digest('base64');
    if (req.headers['webhook-signature'] !== `v1,${mac}`) badSignatures++;
    if (requestsReceived % 50 === 0) {
      res.writeHead(503).end();
      return;
    }
    accepted.set(id, (accepted.get(id) ?? 0) + 1);
    res.writeHead(200).end();
  });
});
if (withWebhooks) await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

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

const request = {
  type: 'frame-bounds',
  trials: 5,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4] },
};
const latencies: number[] = [];
const ids: string[] = [];

/** Submits `count` experiments with `concurrency` clients and waits until all succeeded. */
async function runPhase(body: string, count: number): Promise<{ ids: string[]; doneSeconds: number }> {
  const phaseIds: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) {
        next++;
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/v1/experiments`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        latencies.push(performance.now() - t0);
        const json = (await res.json()) as { id?: string };
        if (res.status === 202 && json.id !== undefined) phaseIds.push(json.id);
        else failures.push(`POST answered ${res.status}`);
      }
    }),
  );
  const submitSeconds = (performance.now() - started) / 1000;
  while (phaseIds.some((id) => !succeeded.has(id)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  const doneSeconds = (performance.now() - started) / 1000;
  console.log(
    `submitted ${phaseIds.length} experiments${body.includes('"notify"') ? ' with webhooks' : ''} in ${submitSeconds.toFixed(1)} s (${(phaseIds.length / submitSeconds).toFixed(0)}/s); all done after ${doneSeconds.toFixed(1)} s (${(phaseIds.length / doneSeconds).toFixed(0)} experiments/s)`,
  );
  ids.push(...phaseIds);
  return { ids: phaseIds, doneSeconds };
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** CPU seconds a process has used so far (user + system, all threads), from /proc (Linux). */
function processCpu(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
/** CPU seconds used so far by both workers, the API process and Redis. */
async function serviceCpu(): Promise<{ workers: number; api: number; redis: number }> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  return {
    workers: workers.reduce((sum, w) => sum + processCpu(w.pid), 0),
    api: processCpu(api.pid),
    redis: field('used_cpu_user') + field('used_cpu_sys'),
  };
}

/** One open-loop phase: the experiments, their latencies, and the CPU the services spent on them. */
interface OpenPhase {
  ids: string[];
  ms: number[];
  cpu: { workers: number; api: number; redis: number };
}

/**
 * Open loop: submits `count` experiments at `rate` per second, each at its scheduled time
 * whether or not earlier ones were answered (so a slow service cannot slow the load down and
 * hide its own latency), waits until all succeeded (and, with webhooks, were delivered), and
 * returns each one's time from its submission to the `finishedAt` its worker recorded (same
 * machine, same clock) and the CPU the services spent meanwhile.
 */
async function runOpenPhase(body: string, count: number, rate: number): Promise<OpenPhase> {
  const hooked = body.includes('"notify"');
  const cpuBefore = await serviceCpu();
  const phaseIds: string[] = [];
  const sentAt = new Map<string, number>();
  const posts: Promise<void>[] = [];
  const start = Date.now() + 50;
  let behind = 0;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const at = start + (i * 1000) / rate;
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -50) behind++;
    // From the moment it is sent: a late timer here is the load generator's (which also runs the
    // receiver), not the service's.
    const sent = Date.now();
    posts.push(
      fetch(`http://127.0.0.1:${port}/v1/experiments`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }).then(async (res) => {
        const json = (await res.json()) as { id?: string };
        if (res.status === 202 && json.id !== undefined) {
          phaseIds.push(json.id);
          sentAt.set(json.id, sent);
        } else failures.push(`POST answered ${res.status}`);
      }),
    );
  }
  await Promise.all(posts);
  while (phaseIds.some((id) => !succeeded.has(id)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  // A phase's deliveries are its own cost: the next phase starts once they are all made.
  if (hooked) await deliveriesDone(deliveryIds([{ ids: phaseIds }]), 60_000);
  const cpuAfter = await serviceCpu();
  const cpu = {
    workers: cpuAfter.workers - cpuBefore.workers,
    api: cpuAfter.api - cpuBefore.api,
    redis: cpuAfter.redis - cpuBefore.redis,
  };
  const pipeline = redis.pipeline();
  for (const id of phaseIds) pipeline.hget(keys.experiment(id), 'finishedAt');
  const finished = ((await pipeline.exec()) ?? []).map(([, at]) => Date.parse(String(at)));
  const ms = phaseIds.map((id, i) => finished[i]! - sentAt.get(id)!).filter((x) => Number.isFinite(x));
  console.log(
    `open loop: ${phaseIds.length} experiments${hooked ? ' with webhooks' : ''} at ${rate.toFixed(0)}/s${behind > 0 ? ` (${behind} submitted over 50 ms late)` : ''}; submit to succeeded p50 ${quantile(ms, 0.5).toFixed(0)} ms, p99 ${quantile(ms, 0.99).toFixed(0)} ms`,
  );
  ids.push(...phaseIds);
  return { ids: phaseIds, ms, cpu };
}

/** The `webhook-id`s of the `notify` deliveries of these experiments' succeeded events. */
const deliveryIds = (list: { ids: string[] }[]) =>
  list.flatMap((r) => r.ids.map((id) => `${id}.succeeded.notify`));

/** The q-quantile of `values` (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Waits until every expected delivery was accepted, or `ms` passed; true when all were. */
async function deliveriesDone(expected: string[], ms: number): Promise<boolean> {
  const by = Date.now() + ms;
  while (expected.some((id) => !accepted.has(id)) && Date.now() < by)
    await new Promise((r) => setTimeout(r, 200));
  return expected.every((id) => accepted.has(id));
}

const soakStarted = performance.now();
const plainBody = JSON.stringify(request);
if (!withWebhooks) await runPhase(plainBody, total);
else {
  // Without, with, with, without (half of SOAK_EXPERIMENTS each): a drift in the machine's load
  // during the run weighs on both kinds alike.
  const hookedBody = JSON.stringify({ ...request, notify: { url: receiverUrl() } });
  const half = Math.ceil(total / 2);
  type Run = { ids: string[]; doneSeconds: number };
  const runs: { plain: Run[]; hooked: Run[] } = { plain: [], hooked: [] };
  runs.plain.push(await runPhase(plainBody, half));
  runs.hooked.push(await runPhase(hookedBody, half));
  runs.hooked.push(await runPhase(hookedBody, total - half));
  runs.plain.push(await runPhase(plainBody, total - half));
  const throughput = (list: Run[]) =>
    list.reduce((n, r) => n + r.ids.length, 0) / list.reduce((t, r) => t + r.doneSeconds, 0);
  // The closed-loop deliveries done before the open loop starts, so it measures only its own.
  await deliveriesDone(deliveryIds(runs.hooked), 120_000);

  // Open loop: without, with, with, without, at a fixed rate below saturation.
  const rate = Number(process.env.SOAK_OPEN_RATE ?? throughput(runs.plain) / 2);
  const quarter = Math.floor(openTotal / 4);
  const open: { plain: OpenPhase[]; hooked: OpenPhase[] } = { plain: [], hooked: [] };
  for (const [kind, count] of [
    ['plain', quarter],
    ['hooked', quarter],
    ['hooked', quarter],
    ['plain', openTotal - 3 * quarter],
  ] as const) {
    if (count === 0) continue;
    const phase = await runOpenPhase(kind === 'plain' ? plainBody : hookedBody, count, rate);
    open[kind].push(phase);
  }

  const expected = deliveryIds([...runs.hooked, ...open.hooked]);
  await deliveriesDone(expected, 120_000);
  const lost = expected.filter((id) => !accepted.has(id)).length;
  const duplicated = [...accepted.values()].reduce((sum, n) => sum + n - 1, 0);
  const ratio = throughput(runs.hooked) / throughput(runs.plain);
  console.log(
    `webhooks: ${expected.length} expected, ${accepted.size} delivered, ${lost} lost, ${duplicated} duplicated (at least once), ${requestsReceived} requests (every 50th answered 503 and retried), ${badSignatures} bad signatures`,
  );
  console.log(
    `closed loop, experiments per second: ${throughput(runs.plain).toFixed(0)} without webhooks, ${throughput(runs.hooked).toFixed(0)} with; ratio ${ratio.toFixed(2)}`,
  );
  const plainMs = open.plain.flatMap((r) => r.ms);
  const hookedMs = open.hooked.flatMap((r) => r.ms);
  const stats = (ms: number[]) =>
    `p50 ${quantile(ms, 0.5).toFixed(0)} ms, p99 ${quantile(ms, 0.99).toFixed(0)} ms (${ms.length})`;
  // CPU per experiment, by process: what each experiment's deliveries cost the machine, which
  // on a shared machine is what they take from the experiments.
  const cpuPer = (list: OpenPhase[], of: 'workers' | 'api' | 'redis') =>
    (1000 * list.reduce((sum, r) => sum + r.cpu[of], 0)) / list.reduce((n, r) => n + r.ids.length, 0);
  const cpuLine = (list: OpenPhase[]) =>
    `workers ${cpuPer(list, 'workers').toFixed(2)}, API ${cpuPer(list, 'api').toFixed(2)}, Redis ${cpuPer(list, 'redis').toFixed(2)}`;
  console.log(
    `open loop, CPU ms per experiment: without webhooks ${cpuLine(open.plain)}; with ${cpuLine(open.hooked)}`,
  );
  console.log(
    `open loop at ${rate.toFixed(0)}/s, submit to succeeded: without webhooks ${stats(plainMs)}; with ${stats(hookedMs)}; p50 ratio ${(quantile(hookedMs, 0.5) / quantile(plainMs, 0.5)).toFixed(2)}, p99 ratio ${(quantile(hookedMs, 0.99) / quantile(plainMs, 0.99)).toFixed(2)}`,
  );
  check(lost === 0, 'no webhook delivery lost');
  check(badSignatures === 0, 'every delivery carries a valid signature');
  check(
    [...accepted.keys()].every((id) => expected.includes(id)),
    'no delivery for an experiment without notify',
  );
  // The runs share two cores with the receiver and the load. Two quiet runs measured 0.94 and
  // 1.02 (README "Load"); before a first attempt skipped BullMQ it was 0.83-0.84.
  check(
    ratio >= 0.85,
    'experiment throughput with webhooks on is at least 0.85 of without (this machine runs API, workers, Redis, receiver and load on 2 cores)',
  );
}
clearInterval(rssTimer);
// From the first submission to the last success, of every run.
const doneSeconds = (performance.now() - soakStarted) / 1000;

latencies.sort((a, b) => a - b);
const p = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
console.log(`API latency of POST: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
console.log(`worker peak RSS: ${(peakRssKiB / 1024).toFixed(0)} MiB`);
check(ids.length === total * (withWebhooks ? 2 : 1) + openTotal, `${ids.length} experiments accepted`);
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
  ...(withWebhooks ? [new Queue(WEBHOOK_QUEUE, { ...QUEUE_OPTIONS, connection: redis })] : []),
];
// Retention, then the tombstones' 10 s, then two sweeps (every 30 s) and some slack.
const settleBy = Date.now() + (ttlSeconds + 10 + 60 + 45) * 1000;
let memory = 0;
let dbsize = 0;
/**
 * Keys that stay after retention: a few of BullMQ's, and the change log's (docs/api.md
 * "Changes"): its epoch, the owner's sequence and the floor its pruned tombstones left.
 */
const KEPT_KEYS = 4 + 3 + (withWebhooks ? 4 : 0); // and the webhook queue's own (id counter, meta, events)
for (;;) {
  await new Promise((r) => setTimeout(r, 2000));
  dbsize = await redis.dbsize();
  memory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const settled = dbsize <= baselineKeys + KEPT_KEYS && memory - baselineMemory < 4 * 1048576;
  if (settled || Date.now() > settleBy) break;
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
  'the queues are empty',
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
receiver.close();
await server.stop();
console.log(failures.length === 0 ? 'soak passed' : `soak FAILED: ${failures.join('; ')}`);
process.exit(failures.length === 0 ? 0 : 1);
